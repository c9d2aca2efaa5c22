"""A property joins a portfolio, or leaves it, while the partner is connected: Mews sends no
webhook; the token opens the new set at once (`enterprises/getAll` says so, a joined one's
`LinkedUtc` the moment it joined), and one that left is refused and heard of no more."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from portfolio_support import LIMIT, portfolio_token


def listed(api, token) -> dict[str, dict]:
    answer = api("enterprises/getAll", LIMIT, token=token)
    assert answer.status_code == 200
    return {e["Id"]: e for e in answer.json()["Enterprises"] if not e["IsPortfolio"]}


def test_a_joined_property_is_opened_by_the_token_at_once(mews_sim, api, portfolio) -> None:
    token = portfolio_token(portfolio)
    before = datetime.now(UTC) - timedelta(minutes=1)
    joined = mews_sim.control.join_portfolio(portfolio["integration_id"], "Joined Inn (SIM)")
    new = joined["enterprise_id"]
    assert joined["enterprise_ids"] == [*portfolio["enterprise_ids"], new]
    enterprises = listed(api, token)
    assert set(enterprises) == {*portfolio["enterprise_ids"], new}
    assert enterprises[new]["Name"] == "Joined Inn (SIM)"
    assert enterprises[new]["ChainId"] == portfolio["chain_id"]
    linked = datetime.fromisoformat(enterprises[new]["LinkedUtc"].replace("Z", "+00:00"))
    assert linked > before  # the others were linked long ago
    # Its hotel data is read with the portfolio's token, as any member's.
    stays = api("reservations/getAll/2023-06-06", {"EnterpriseIds": [new], **LIMIT}, token=token)
    assert stays.status_code == 200
    assert stays.json()["Reservations"]
    assert {r["ServiceId"] for r in stays.json()["Reservations"]} == {joined["service_id"]}


def test_a_property_that_left_is_refused_and_not_heard_of(
    mews_sim, api, webhook_receiver, portfolio
) -> None:
    token = portfolio_token(portfolio)
    first, second, third = portfolio["enterprise_ids"]
    left = mews_sim.control.leave_portfolio(portfolio["integration_id"], second)
    assert left["enterprise_ids"] == [first, third]
    assert set(listed(api, token)) == {first, third}
    refused = api("configuration/get", {"EnterpriseId": second}, token=token)
    assert refused.status_code == 403
    assert api("configuration/get", {"EnterpriseId": first}, token=token).status_code == 200
    # A change at the one that left sends nothing; one at a member still does.
    mews_sim.control.create_reservation(enterprise_id=second)
    stay = mews_sim.control.create_reservation(enterprise_id=third)
    bodies = webhook_receiver.wait_for(lambda b: any("Events" in x for x in b))
    time.sleep(0.3)  # a webhook for the one that left would be in the same flush
    general = [b for b in webhook_receiver.bodies if "Events" in b]
    assert [(b["EnterpriseId"], [e["Value"]["Id"] for e in b["Events"]]) for b in general] == [
        (third, [stay["Id"]])
    ]
    assert bodies


def test_membership_changes_are_refused_for_what_is_no_portfolio(mews_sim, portfolio) -> None:
    single = mews_sim.control.connect_property("Alone (SIM)")
    http = mews_sim.control.http
    refused = http.post(f"/integrations/{single['integration_id']}/portfolio/join", json={})
    assert refused.status_code == 404
    outsider = http.post(
        f"/integrations/{portfolio['integration_id']}/portfolio/leave",
        json={"enterprise_id": single["enterprise_id"]},
    )
    assert outsider.status_code == 400
    assert "Not a property of this portfolio" in outsider.text
