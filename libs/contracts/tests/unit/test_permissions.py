"""The NATS users cover every contract: each subject has its producers, each request-reply
service one answerer, each consumer a producer upstream, each bucket a writer. (The allow
lists themselves are exercised on a real nats-server in tools/ops/tests.)"""

from __future__ import annotations

from collections import Counter

import pytest

from attendandt.contracts import permissions as p
from attendandt.contracts import rpc
from attendandt.contracts.commands import COMMANDS
from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.registry import SUBJECTS
from attendandt.contracts.streams import BUCKETS, DOMAIN_COMMANDS, STREAMS


def _services() -> list[p.NatsUser]:
    return [u for u in p.USERS if not u.admin]


def test_every_subject_has_a_producer_or_is_the_operators() -> None:
    produced = {s.template for u in p.USERS for s in u.produces}
    operator_only = {s.template for s in p.OPERATOR_ONLY}
    for subject in SUBJECTS:
        if subject is DEAD_LETTER:
            continue  # every service writes its own (deadletter.v1.<service>.>)
        assert (subject.template in produced) != (subject.template in operator_only), (
            subject.template
        )


def test_operator_only_commands_have_no_producer_and_a_consumer() -> None:
    consumed = {c.subject.template for u in p.USERS for c in u.consumes}
    for subject in p.OPERATOR_ONLY:
        assert all(subject not in u.produces for u in p.USERS), subject.template
        assert subject.template in consumed, subject.template


def test_each_request_reply_service_has_one_answerer_and_few_callers() -> None:
    for service in {m.service for m in rpc.METHODS}:
        assert [u.name for u in p.USERS if service in u.answers] != [], service
        assert len([u for u in p.USERS if service in u.answers]) == 1, service
    # The edges call every service; vendors asks guests for a stay its copy lags on.
    assert {u.name: u.calls for u in p.USERS if u.calls} == {
        "gateway": p.RPC_SERVICES,
        p.OPS: p.RPC_SERVICES,
        "vendors": ("guests",),
    }


def _covers(pattern: str, subject: str) -> bool:
    """Whether every subject `subject` (a filter) matches is matched by `pattern`."""
    want, have = pattern.split("."), subject.split(".")
    for index, token in enumerate(want):
        if token == ">":
            return len(have) > index
        if index >= len(have) or have[index] == ">":
            return False
        if token not in ("*", have[index]):
            return False
    return len(have) == len(want)


def test_consumers_read_streams_that_hold_their_subject() -> None:
    for who in p.USERS:
        for consumer in who.consumes:
            assert consumer.stream in STREAMS
            assert any(_covers(s, consumer.filter) for s in consumer.stream.subjects), (
                who.name,
                consumer.durable,
            )
        durables = [c.durable for c in who.consumes]
        assert len(set(durables)) == len(durables), who.name
        assert all(d.startswith(f"{who.name}-") for d in durables), who.name


def test_every_bucket_has_a_writer() -> None:
    written = {b.bucket for u in p.USERS for b in u.kv_write}
    assert written == {b.bucket for b in BUCKETS}


def test_service_lists_hold_no_catch_all() -> None:
    for who in _services():
        allow = p.allow_lists(who)
        for subject in allow.publish + allow.subscribe:
            assert subject not in (">", "*", "$JS.API.>", "$JS.>", "_INBOX.>"), (who.name, subject)
            assert not subject.startswith("$JS.API.STREAM.CREATE"), (who.name, subject)
            assert not subject.startswith("$JS.API.STREAM.DELETE"), (who.name, subject)
        assert allow.subscribe[0] == f"{p.inbox_prefix(who.name)}.>"


def test_hotel_systems_get_restricted_data_only_when_granted() -> None:
    plain = p.hotel_allow_lists(p.HotelSystem("pos"))
    granted = p.hotel_allow_lists(p.HotelSystem("crm", restricted=True))
    assert not any("restricted" in s or p.RESTRICTED_STREAM in s for s in plain.publish)
    assert p.RESTRICTED_SUBJECTS not in plain.subscribe
    assert p.RESTRICTED_SUBJECTS in granted.subscribe
    assert any(p.RESTRICTED_STREAM in s for s in granted.publish)
    text = p.render_accounts([p.HotelSystem("pos")])
    # Nothing of it exported without a grant (services may still read its stream info).
    exported = (f'stream: "{p.RESTRICTED_SUBJECTS}"', f"$JS.ACK.{p.RESTRICTED_STREAM}.>")
    assert not any(part in text for part in exported)
    granted_text = p.render_accounts([p.HotelSystem("crm", restricted=True)])
    assert all(part in granted_text for part in exported)


@pytest.mark.parametrize("text", ["", "a b", "pos:admin", "x:"])
def test_hotel_system_names_are_checked(text: str) -> None:
    with pytest.raises(ValueError, match="hotel system"):
        p.parse_hotel_system(text)


def test_a_hotel_system_cannot_take_a_service_name() -> None:
    with pytest.raises(ValueError, match="named like a service"):
        p.render_accounts([p.HotelSystem("gateway")])


def test_every_command_subject_has_exactly_one_consumer_and_no_other_is_consumed() -> None:
    """A command subject nobody consumes waits in the work queue until the unrouted sweep
    dead-letters it: every subject in COMMANDS needs its one consumer, and every consumer of
    DOMAIN_COMMANDS takes a subject in COMMANDS (the poison tests loop over these)."""
    consumed = Counter(
        c.subject.template for u in p.USERS for c in u.consumes if c.stream == DOMAIN_COMMANDS
    )
    assert consumed == Counter(subject.template for subject in COMMANDS)


def test_passwords_are_ones_nats_server_can_read_from_a_variable() -> None:
    """nats-server's config parser fails on a variable's value that starts with "-" (seen:
    "variable reference ... could not be parsed"), which a plain token_urlsafe gives one time
    in 64: every password made here starts with a letter."""
    assert not p.usable_password("-abcDEF123")
    assert not p.usable_password("")
    made = [p.new_password() for _ in range(2000)]
    assert all(p.usable_password(password) for password in made)
    assert len(set(made)) == len(made)
