"""Subjects read back into their parts: every valid subject parses, a malformed one is a
MalformedSubject that says what does not fit (never an IndexError)."""

import pytest

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.commands import UPSERT_GUEST
from attendandt.contracts.erasure import ERASE_GUEST_IN_VENDORS
from attendandt.contracts.events import GUEST_EVENT, USER_EVENT
from attendandt.contracts.mews import MEWS_CHANGE
from attendandt.contracts.outbound import POST_CHARGE
from attendandt.contracts.registry import SUBJECTS, public_event
from attendandt.contracts.streams import ATTENDANDT_EVENTS
from attendandt.contracts.subjects import (
    PUBLIC_EVENT_VERSIONS,
    CommandSubject,
    EventSubject,
    MalformedSubject,
    OutboundSubject,
)


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.template)
def test_every_subject_parses_back_to_what_formatted_it(subject: Subject[Payload]) -> None:
    allowed = dict(subject.allowed)
    parts = {name: allowed[name][0] if name in allowed else f"x-{name}" for name in subject.parts}
    assert subject.parse(subject.format(**parts)) == parts


def test_a_template_subject_gives_its_parts() -> None:
    assert MEWS_CHANGE.parse("mews.v1.ent-1.change.customer") == {
        "enterprise": "ent-1",
        "entity": "customer",
    }
    assert UPSERT_GUEST.parse("cmd.v1.guests.upsert_guest") == {}


@pytest.mark.parametrize(
    ("subject", "says"),
    [
        ("", "1 tokens"),
        ("mews", "1 tokens"),
        ("mews.v1.ent-1.change", "4 tokens"),
        ("mews.v1.ent-1.change.customer.extra", "6 tokens"),
        ("mews.v2.ent-1.change.customer", "'v2' where 'v1' is"),
        ("mews.v1.ent-1.outbound.customer", "'outbound' where 'change' is"),
        ("mews.v1..change.customer", "enterprise='' is not one token"),
        ("mews.v1.ent 1.change.customer", "enterprise='ent 1' is not one token"),
    ],
)
def test_a_malformed_subject_says_what_does_not_fit(subject: str, says: str) -> None:
    with pytest.raises(MalformedSubject, match=says.replace("(", r"\(")):
        MEWS_CHANGE.parse(subject)


def test_a_value_a_template_does_not_allow_is_malformed() -> None:
    with pytest.raises(MalformedSubject, match="event must be one of"):
        GUEST_EVENT.parse("attendandt.v1.ent-1.guest.exploded")
    with pytest.raises(ValueError, match="3 tokens"):  # a MalformedSubject is a ValueError
        GUEST_EVENT.parse("attendandt.v1.ent-1")


def test_a_public_event_subject() -> None:
    parsed = EventSubject.parse(USER_EVENT.format(enterprise="ent-1", event="created"))
    assert parsed == EventSubject(
        version="v2", enterprise_id="ent-1", aggregate="user", event="created"
    )
    assert parsed.is_public
    assert not EventSubject.parse("attendandt.v9.ent-1.guest.created").is_public


@pytest.mark.parametrize(
    "subject",
    [
        "attendandt.restricted.v1.ent-1.guest.created",
        "attendandt.latest.ent-1.guest.created",
        "attendandt.v1.ent-1.guest",
        "mews.v1.ent-1.change.customer",
        "attendandt",
    ],
)
def test_what_is_no_public_event_subject_is_malformed(subject: str) -> None:
    with pytest.raises(MalformedSubject):
        EventSubject.parse(subject)


def test_the_public_versions_are_the_event_streams() -> None:
    assert ATTENDANDT_EVENTS.subjects == tuple(f"attendandt.{v}.>" for v in PUBLIC_EVENT_VERSIONS)


def test_an_outbound_and_a_command_subject() -> None:
    outbound = OutboundSubject.parse(POST_CHARGE.format(enterprise="ent-1"))
    assert outbound == OutboundSubject(enterprise_id="ent-1", verb="post_charge")
    assert CommandSubject.parse(ERASE_GUEST_IN_VENDORS.template) == CommandSubject(
        service="vendors", command="erase_guest"
    )
    with pytest.raises(MalformedSubject):
        OutboundSubject.parse("mews.v1.ent-1.change.customer")
    with pytest.raises(MalformedSubject):
        CommandSubject.parse("rpc.v1.guests.search")


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.template)
def test_a_concrete_public_event_subject_finds_its_contract_and_nothing_else_does(
    subject: Subject[Payload],
) -> None:
    allowed = dict(subject.allowed)
    values = {name: allowed.get(name, (f"x-{name}",)) for name in subject.parts}
    family, version, *_ = subject.template.split(".")
    is_public_event = family == "attendandt" and version in PUBLIC_EVENT_VERSIONS
    for event in values.get("event", ("",)):
        parts = {name: options[0] for name, options in values.items()} | (
            {"event": event} if "event" in values else {}
        )
        found = public_event(subject.format(**parts))
        assert found is (subject if is_public_event else None), (subject.template, event)


def test_an_event_no_contract_allows_has_none() -> None:
    assert public_event("attendandt.v1.ent-1.stay.exploded") is None
    assert public_event("attendandt.v1.ent-1.invoice.sent") is None
    assert public_event("attendandt.v1.ent-1.user.updated") is None  # user events are v2
