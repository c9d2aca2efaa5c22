"""The fair share between the parties (properties) of one AccessToken, as the pure `decide`
arithmetic of the shared bucket with a fake clock: the least-served waiting party goes first,
a party alone may use the whole budget, claims expire, writes keep their priority, and old
states without the new fields decode."""

from __future__ import annotations

from typing import Any, cast

import msgspec
import pytest
from nats.js.kv import KeyValue

from attendandt.mews.ratelimit import MAX_SLEEP
from attendandt.platform.ratelimit import BucketState, SharedTokenBucket, bucket_key

T0 = 1_000_000.0
TTL = 5.0
#: Not used by `decide`: the arithmetic never talks to NATS.
NO_KV = cast(KeyValue, None)


def bucket(party: str | None, holder: str | None = None, **options: Any) -> SharedTokenBucket:
    settings: dict[str, Any] = {"requests": 20, "per": 10.0, "burst": 5, "margin": 0.0}
    settings.update(options)
    return SharedTokenBucket(
        NO_KV, "token.test", party=party, holder=holder or f"h-{party}", writer_ttl=TTL, **settings
    )


def take(b: SharedTokenBucket, state: BucketState, now: float, **kwargs: Any) -> BucketState:
    """`b` takes a token at `now` (it must be able to); the state afterwards."""
    decision = b.decide(state, now, write=kwargs.pop("write", False), **kwargs)
    assert decision.wait == 0, f"{b.party} had to wait {decision.wait:.3f}s"
    assert decision.new_state is not None
    return decision.new_state


def refused(b: SharedTokenBucket, state: BucketState, now: float, **kwargs: Any) -> BucketState:
    """`b` asks at `now` and has to wait; the state afterwards (its claims written)."""
    decision = b.decide(state, now, write=kwargs.pop("write", False), **kwargs)
    assert decision.wait > 0, f"{b.party} went ahead"
    return decision.new_state or state


def test_a_waiting_party_with_fewer_requests_goes_first() -> None:
    busy, quiet = bucket("busy"), bucket("quiet")
    state = busy.fresh_state(T0)
    for _ in range(5):  # busy empties the bucket
        state = take(busy, state, T0)
    state = refused(quiet, state, T0)  # no token: quiet claims its turn
    assert set(state.claims) == {"quiet"}
    assert state.claims["quiet"] == pytest.approx(T0 + TTL)

    now = T0 + 1 / busy.rate  # one token refilled
    # Busy could go, but quiet (0 requests in the window, busy 5) is waiting: busy yields.
    decision = busy.decide(state, now, write=False)
    assert 0 < decision.wait <= MAX_SLEEP
    assert decision.new_state is not None  # and claims busy's turn too
    state = decision.new_state
    assert set(state.claims) == {"busy", "quiet"}
    state = take(quiet, state, now)
    # Quiet had no more reads queued: its claim is gone, busy's stays.
    assert set(state.claims) == {"busy"}
    assert state.parties["busy"] == [T0] * 5
    assert state.parties["quiet"] == [pytest.approx(now, abs=1e-3)]  # stored to the ms


def test_a_claim_is_kept_while_more_reads_of_the_holder_are_queued() -> None:
    quiet = bucket("quiet")
    state = take(quiet, quiet.fresh_state(T0), T0, more_reads=True)
    assert state.claims == {"quiet": pytest.approx(T0 + TTL)}
    state = take(quiet, state, T0 + 0.01, more_reads=False)
    assert state.claims == {}
    assert len(state.parties["quiet"]) == 2


def test_least_served_first_until_the_shares_are_even() -> None:
    """Both parties always waiting (each asks at every token), busy always asking first: each
    turn goes to the party with fewer requests in the window, so the window is shared evenly
    (a head start is forgiven once it has left the window)."""
    busy, quiet = bucket("busy", burst=1), bucket("quiet", burst=1)  # 20 / 10 s: 2 tokens/s
    state = busy.fresh_state(T0)
    for turn in range(8):  # a head start of busy's, alone
        state = take(busy, state, T0 + turn / busy.rate, more_reads=True)
    state = refused(quiet, state, T0 + 7 / busy.rate)  # quiet starts asking: no token left
    served: list[str] = []
    for turn in range(8, 68):
        now = T0 + turn / busy.rate
        for b in (busy, quiet):
            decision = b.decide(state, now, write=False, more_reads=True)
            state = decision.new_state or state
            if decision.wait == 0:
                served.append(cast(str, b.party))
        assert len(served) == turn - 7, "nobody took the token: not work-conserving"
        in_window = {p: len(times) for p, times in state.parties.items()}
        if turn >= 16:  # quiet has caught up: from now on the window is shared evenly
            assert abs(in_window["busy"] - in_window["quiet"]) <= 1, (turn, in_window)
    assert served[:8] == ["quiet"] * 8  # the least served first
    # Half of the turns while both waited: quiet's catching up, then busy's turns back as
    # its head start left the window.
    assert served.count("quiet") == pytest.approx(len(served) / 2, abs=1)


def test_a_party_alone_may_use_the_whole_budget() -> None:
    alone = bucket("alone", requests=10, per=10.0, burst=10)
    state = alone.fresh_state(T0)
    for _ in range(10):
        state = take(alone, state, T0, more_reads=True)
    assert len(state.parties["alone"]) == 10
    # Only the window stops it, not a share.
    assert alone.decide(state, T0, write=False).wait == pytest.approx(10.0)
    # Its own claim holds it back no more than the window does.
    assert state.claims == {"alone": pytest.approx(T0 + TTL)}
    assert alone.decide(state, T0 + 10.0, write=False).wait == 0


def test_a_claim_holds_back_only_parties_that_have_had_more() -> None:
    other, alone = bucket("other", burst=10), bucket("alone", burst=10)
    state = other.fresh_state(T0)
    for _ in range(3):
        state = take(other, state, T0, more_reads=True)  # and more of its reads wait
    for _ in range(4):  # up to as many as the waiting party: no reason to wait
        state = take(alone, state, T0)
    decision = alone.decide(state, T0, write=False)  # one more would be more than its share
    assert 0 < decision.wait <= MAX_SLEEP
    state = take(other, decision.new_state or state, T0)
    assert len(state.parties["other"]) == 4


def test_an_equal_share_holds_nobody_back() -> None:
    a, b = bucket("a"), bucket("b")
    state = a.fresh_state(T0)
    state = take(a, state, T0)
    state = take(b, state, T0, more_reads=True)  # b claims, with as many requests as a
    assert set(state.claims) == {"b"}
    state = take(a, state, T0)  # not fewer: a goes
    assert refused(a, state, T0 + 0.6).claims.keys() == {"a", "b"}  # now b has fewer


def test_an_expired_claim_holds_nobody_back() -> None:
    busy = bucket("busy", burst=5)
    state = busy.fresh_state(T0)
    for _ in range(4):
        state = take(busy, state, T0)
    # Quiet claims (say, its read was waiting) and its process dies.
    state = msgspec.structs.replace(state, claims={"quiet": T0 + TTL})
    assert busy.decide(state, T0 + TTL - 0.01, write=False).wait > 0
    state = take(busy, state, T0 + TTL + 0.01)
    assert state.claims == {}


def test_a_waiting_read_refreshes_its_claim_at_half_the_ttl() -> None:
    busy, quiet = bucket("busy", burst=1), bucket("quiet", burst=1)
    state = take(busy, busy.fresh_state(T0), T0)
    state = refused(quiet, state, T0)
    assert state.claims["quiet"] == pytest.approx(T0 + TTL)
    # Still waiting (a pause holds everyone back), before half the ttl: nothing to write.
    state = msgspec.structs.replace(state, paused_until=T0 + 60)
    assert quiet.decide(state, T0 + 1.0, write=False).new_state is None
    # Past half the ttl: the claim is pushed out again.
    renewed = refused(quiet, state, T0 + TTL / 2 + 0.1)
    assert renewed.claims["quiet"] == pytest.approx(T0 + TTL / 2 + 0.1 + TTL)


def test_writes_ignore_the_party_rule_but_count_in_their_party() -> None:
    busy, quiet = bucket("busy"), bucket("quiet")
    state = busy.fresh_state(T0)
    for _ in range(3):
        state = take(busy, state, T0)
    state = msgspec.structs.replace(state, claims={"quiet": T0 + TTL})
    assert busy.decide(state, T0, write=False).wait > 0  # a read yields
    state = take(busy, state, T0, write=True)  # a write does not
    assert len(state.parties["busy"]) == 4
    assert state.claims == {"quiet": T0 + TTL}  # and leaves the claims alone
    # A write that has to wait announces itself as a writer, not a party claim.
    empty = msgspec.structs.replace(state, tokens=0.0)
    waiting = refused(busy, empty, T0, write=True)
    assert set(waiting.writers) == {"h-busy"}
    assert waiting.claims == {"quiet": T0 + TTL}
    # And a waiting write still holds back reads of every party, the least served too.
    assert quiet.decide(waiting, T0 + 1.0, write=False).wait == MAX_SLEEP


def test_a_lane_of_a_party_stays_capped_and_claims_nothing_when_full() -> None:
    resync = bucket("p", holder="p-resync", requests=10, burst=10, lane="resync", share=0.5)
    state = resync.fresh_state(T0)
    for _ in range(4):
        state = take(resync, state, T0, more_reads=True)
    assert state.claims == {"p": pytest.approx(T0 + TTL)}
    # The fifth fills the lane: the claim is dropped though more reads are queued.
    state = take(resync, state, T0, more_reads=True)
    assert state.claims == {}
    assert len(state.lanes["resync"]) == 5
    assert len(state.parties["p"]) == 5
    # Full lane: it waits for its window and claims nothing (it could not use a turn).
    decision = resync.decide(state, T0 + 1.0, write=False)
    assert decision.wait == pytest.approx(9.0)
    assert decision.new_state is None


def test_no_party_is_the_old_behaviour() -> None:
    plain, quiet = bucket(None, holder="plain"), bucket("quiet")
    state = plain.fresh_state(T0)
    state = msgspec.structs.replace(state, claims={"quiet": T0 + TTL}, parties={"quiet": []})
    for _ in range(5):
        state = take(plain, state, T0)  # claims do not hold a party-less holder back
    assert state.parties == {}  # empty lists expire; its requests are nobody's
    assert state.claims == {"quiet": T0 + TTL}
    assert refused(plain, state, T0).claims == {"quiet": T0 + TTL}
    assert quiet.decide(state, T0 + 1 / quiet.rate, write=False).wait == 0


def test_old_states_decode_and_new_ones_stay_small() -> None:
    old = (
        b'{"tokens":3.5,"updated":1000000.0,"paused_until":0.0,"last_limited":0.0,'
        b'"backoffs":0,"writers":{},"sent":[999999.5],"lanes":{"resync":[999999.5]}}'
    )
    state = msgspec.json.decode(old, type=BucketState)
    assert state.parties == {}
    assert state.claims == {}
    b = bucket("p", burst=5)
    after = take(b, state, T0 + 0.2345678)
    assert after.parties == {"p": [T0 + 0.235]}  # milliseconds, rounded up
    encoded = msgspec.json.encode(after)
    assert b'"parties":{"p":[1000000.235]}' in encoded
    assert msgspec.json.decode(encoded, type=BucketState) == after


def test_for_access_token_passes_the_party_through() -> None:
    b = SharedTokenBucket.for_access_token(NO_KV, "secret", party="ent-1", lane="x", share=0.5)
    assert b.party == "ent-1"
    assert b.key == bucket_key("secret")
    assert b.lane_limit == 100
