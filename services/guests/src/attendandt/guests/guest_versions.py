"""Applying a new version of a guest, whoever made it, and saying so.

Two paths bring a version: sync, with what Mews holds (UpsertGuest), and the publisher's
report that Mews took a staff edit made here (RecordGuestEditResult: the guest as we held
it with the edit's values, as of the UpdatedUtc Mews answered). Either way the version is
stored last-write-wins, each field's last change is kept (`field_changed_utc`: what an edit
is judged against), and one event says what changed and who changed it.

Our own write coming back from Mews (webhook, sweep) is recognised: when the publisher's
report came first, the version it stored has the same UpdatedUtc and content as Mews's, so
sync's read of it is no newer and changes nothing (no second event). When Mews's version
comes first, the open edit whose values it carries is in step and the event names the edit's
author as its source. A version stored from a report counts as read when Mews answered: it
replaces a read of the same UpdatedUtc made before the write (UpdatedUtc has whole seconds),
and a later read with other content (someone else changed the guest in that second) replaces
it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from attendandt.contracts.events import (
    GUEST_EVENT,
    RESTRICTED_GUEST_EVENT,
    GuestChangeSource,
    GuestEvent,
    RestrictedGuestEvent,
)
from attendandt.contracts.privacy import public_guest, restricted_guest
from attendandt.contracts.snapshots import GuestSnapshot
from attendandt.contracts.versioning import MewsVersion, supersedes, version_tag
from attendandt.guests.edits import changed_fields, echo, edit_state
from attendandt.guests.unit_of_work import GuestWrites
from attendandt.guests.upsert_repository import StoredGuest


@dataclass(frozen=True)
class Attribution:
    """Who made a version: Mews, or a staff edit made here (its author and id)."""

    source: GuestChangeSource = "mews"
    changed_by: str | None = None
    edit_id: str | None = None


MEWS = Attribution()


def event_name(previous: StoredGuest | None, guest: GuestSnapshot) -> str:
    """`merged` when Mews just merged the profile into another, else created / updated."""
    target = guest.merge_target_mews_id
    if target is not None and (previous is None or previous.merge_target_mews_id != target):
        return "merged"
    return "created" if previous is None else "updated"


def version_key(version: MewsVersion) -> str:
    """One event per version: UpdatedUtc alone is not one (whole seconds)."""
    return version_tag(version.updated_utc, version.digest)


#: A guest's fields but its version stamp.
_VALUE_FIELDS = tuple(n for n in GuestSnapshot.__struct_fields__ if n != "mews_updated_utc")


@dataclass(frozen=True)
class Planned:
    """What storing a version changes: the fields it changed, and each field's last change."""

    changed: tuple[str, ...]
    field_changed_utc: dict[str, str]


def plan_version(
    previous: StoredGuest | None, guest: GuestSnapshot, version: MewsVersion
) -> Planned | None:
    """What storing `guest` (at `version`) over `previous` changes; None when `version` does
    not supersede the stored one (nothing to store)."""
    if previous is not None and not supersedes(version, previous.version):
        return None
    changed = changed_fields(previous.snapshot if previous else None, guest)
    field_changed = dict(previous.field_changed_utc) if previous else {}
    # A guest new to us: when its fields last changed is unknown, so each held value counts
    # as of this version (an edit based on an older one is then judged a conflict, never
    # written over a value the user did not see; versions may also arrive newest first).
    first_seen = () if previous else tuple(
        n for n in _VALUE_FIELDS if getattr(guest, n) not in (None, "", ())
    )  # fmt: skip
    stamp = guest.mews_updated_utc.isoformat()
    for name in (*changed, *first_seen):
        field_changed[name] = stamp
    return Planned(changed, field_changed)


async def apply_version(
    uow: GuestWrites,
    *,
    enterprise: str,
    previous: StoredGuest | None,
    guest: GuestSnapshot,
    version: MewsVersion,
    guest_id: str,
    synced_at: datetime,
    correlation_id: str,
    ours: Attribution | None = None,
) -> str | None:
    """Store `guest` if `version` supersedes the stored one and announce it; our guest id,
    or None when it does not. `ours`: the version is a staff edit Mews took (else it is
    Mews's, and may be our write's echo). Call with the customer's lock held (`uow` is the
    caller's: it commits)."""
    planned = plan_version(previous, guest, version)
    if planned is None:
        return None
    stored_id = await uow.guests.put(
        guest_id=guest_id,
        enterprise_id=enterprise,
        guest=guest,
        version=version,
        synced_at=synced_at,
        field_changed_utc=planned.field_changed_utc,
    )
    if stored_id is None:
        return None
    await after_storing(
        uow,
        enterprise=enterprise,
        previous=previous,
        guest=guest,
        version=version,
        stored_id=stored_id,
        changed=planned.changed,
        synced_at=synced_at,
        correlation_id=correlation_id,
        ours=ours,
    )
    return stored_id


async def after_storing(
    uow: GuestWrites,
    *,
    enterprise: str,
    previous: StoredGuest | None,
    guest: GuestSnapshot,
    version: MewsVersion,
    stored_id: str,
    changed: tuple[str, ...],
    synced_at: datetime,
    correlation_id: str,
    ours: Attribution | None = None,
    open_edits: bool = True,
) -> None:
    """Once a version is stored: who made it (`ours`, else Mews, or our own edit's echo
    when the guest has open edits) and its events. `open_edits=False`: the caller knows the
    guest has none (a batch asks for all its guests at once)."""
    who = ours or MEWS
    if ours is None and previous is not None and open_edits:  # a new guest has no edits
        who = await recognise_echo(uow, stored_id, guest, changed, at=synced_at)
    if previous is not None and not changed:
        # Mews stamped a new version with nothing of ours in it changed (a repeated write,
        # a change to something we do not keep): stored, so the order of versions holds,
        # but no news.
        return
    await announce(
        uow,
        enterprise=enterprise,
        guest_id=stored_id,
        guest=guest,
        name=event_name(previous, guest),
        event_id=f"guest:{stored_id}:{version_key(version)}",
        correlation_id=correlation_id,
        changed=changed,
        who=who,
    )


async def recognise_echo(
    uow: GuestWrites,
    guest_id: str,
    guest: GuestSnapshot,
    changed: tuple[str, ...],
    *,
    at: datetime,
) -> Attribution:
    """Mews's version against the guest's open edits: the fields it shows with our values are
    in step. The version is ours when every field it changed is one of those."""
    ours: set[str] = set()
    who = MEWS
    for edit in await uow.guest_edits.open_edits(guest_id):
        in_step, touched = echo(edit.fields, guest)
        if not touched:
            continue
        edit.state = edit_state(edit.fields)
        await uow.guest_edits.save(edit, at=at)
        if in_step:
            ours |= {f.field for f in in_step}
            who = Attribution("attendandt", edit.author_user_id, edit.edit_id)
            await uow.guest_edits.audit(
                enterprise_id=edit.enterprise_id,
                guest_id=guest_id,
                edit_id=edit.edit_id,
                at=at,
                actor="mews",
                action="in_step",
                details={"fields": sorted(f.field for f in in_step), "seen_in": "mews_version"},
            )
    if changed and set(changed) <= ours:
        return who
    return MEWS


async def announce(
    uow: GuestWrites,
    *,
    enterprise: str,
    guest_id: str,
    guest: GuestSnapshot,
    name: str,
    event_id: str,
    correlation_id: str,
    changed: tuple[str, ...],
    who: Attribution,
) -> None:
    """The public event and, committed with it, the restricted one with the personal data
    the public one leaves out: a granted system never sees one without the other."""
    public_subject, restricted_subject = _subjects(enterprise, name)
    await uow.queue(
        public_subject,
        GuestEvent(
            event_id=event_id,
            enterprise_id=enterprise,
            occurred_at=guest.mews_updated_utc,
            event=name,
            guest_id=guest_id,
            guest=public_guest(guest),
            source=who.source,
            changed_fields=changed,
            changed_by=who.changed_by,
            edit_id=who.edit_id,
        ),
        msg_id=event_id,
        correlation_id=correlation_id,
    )
    restricted_id = f"restricted:{event_id}"
    await uow.queue(
        restricted_subject,
        RestrictedGuestEvent(
            event_id=restricted_id,
            enterprise_id=enterprise,
            occurred_at=guest.mews_updated_utc,
            event=name,
            guest_id=guest_id,
            guest=restricted_guest(guest_id, guest),
            source=who.source,
            changed_fields=changed,
            changed_by=who.changed_by,
            edit_id=who.edit_id,
        ),
        msg_id=restricted_id,
        correlation_id=correlation_id,
    )


@functools.lru_cache(maxsize=4096)
def _subjects(enterprise: str, name: str) -> tuple[str, str]:
    """The public and the restricted subject of a guest's event, formatted once (a batch
    announces hundreds; formatting checks each part)."""
    return (
        GUEST_EVENT.format(enterprise=enterprise, event=name),
        RESTRICTED_GUEST_EVENT.format(enterprise=enterprise, event=name),
    )


def deleted_in_mews(guest: GuestSnapshot) -> bool:
    """Mews deleted the customer: no longer active, and not because it was merged into
    another profile (a merged one's data lives on in its target)."""
    return not guest.is_active and guest.merge_target_mews_id is None
