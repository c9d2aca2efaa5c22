"""Staff edits of a guest through the whole system as `make run` starts it (the `stack`
fixture): gateway → guests → outbox → mews-publisher → the simulator, and back through its
webhooks, ingest's sweeps and sync. An edit reaches Mews once (also when the publisher is
killed while Mews holds its answer); a change made in Mews meanwhile to the same field is a
conflict the user settles, to another field merges; our own write coming back from Mews
(webhook, sweep) changes nothing and is announced once, as the editor's."""

from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from stack_support import Events, child_pid, mews_call, signed_in, wait_until

from attendandt.mews_sim.control_client import SimControl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def desk(stack) -> httpx.Client:
    return signed_in(stack, "frontdesk@attendandt.local")


@pytest.fixture(scope="module")
def admin(stack) -> httpx.Client:
    return signed_in(stack, "admin@attendandt.local")


@pytest.fixture
def control(stack):
    sim = SimControl(stack["sim"])
    yield sim
    sim.clear_faults()
    sim.close()


def _new_guest(
    stack: dict[str, Any], control: SimControl, desk: httpx.Client, enterprise: str, **fields: Any
) -> dict:
    """A customer made by Mews's staff, once the API shows it (through webhook, ingest,
    sync and guests)."""
    wait_until("ingest", lambda: httpx.get(f"{stack['ingest']}/readyz").status_code == 200)
    last = f"Edit{uuid.uuid4().hex[:8]}"
    control.add_customer(enterprise_id=enterprise, LastName=last, FirstName="Ada", **fields)

    def found() -> dict | None:
        page = desk.get("/guests", params={"q": last}).json()
        return page["items"][0] if page.get("items") else None

    try:
        # A webhook ingest refused while (re)starting comes again a minute later.
        return wait_until(f"guest {last} through the API", found, timeout=180)
    except AssertionError as exc:
        tail = "".join(stack["log"][-40:])
        raise AssertionError(f"{exc}; the stack's last lines:\n{tail}") from None


def _detail(desk: httpx.Client, guest_id: str) -> dict[str, Any]:
    response = desk.get(f"/guests/{guest_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _in_mews(stack: dict[str, Any], mews_id: str) -> dict[str, Any]:
    found = mews_call(
        stack["sim"],
        "customers/getAll",
        CustomerIds=[mews_id],
        Extent={"Customers": True},
        Limitation={"Count": 10},
    )
    [customer] = found["Customers"]
    return dict(customer)


def _enterprise(stack: dict[str, Any]) -> str:
    """The demo hotel (the gross one), whose staff the demo accounts are."""
    return str(mews_call(stack["sim"], "configuration/get")["Enterprise"]["Id"])


def test_an_edit_reaches_mews_once_and_its_echo_by_webhook_and_sweep_changes_nothing(
    stack, desk, admin, control
) -> None:
    enterprise = _enterprise(stack)
    # Read from before the guest exists: its `created` event may reach the stream after the
    # API shows it (the outbox relays it after the commit), so it is part of the sequence.
    events = Events(desk)
    try:
        guest = _new_guest(
            stack, control, desk, enterprise, Phone="+420 111 222 333", Notes="Quiet room"
        )
        before = control.counters()["customers_updated"]
        edit_started = datetime.now(UTC)
        saved = desk.patch(
            f"/guests/{guest['guest_id']}",
            json={"base_version": guest["mews_updated_utc"], "phone": "+44 7700 900123"},
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["sync_state"] == "saving"

        def in_step() -> dict | None:
            found = _detail(desk, guest["guest_id"])
            shown = found["guest"]
            return found if shown["sync_state"] == "in_step" and shown["phone"] else None

        detail = wait_until("the edit in step", in_step, timeout=60)
        assert detail["guest"]["phone"] == "+44 7700 900123"
        assert detail["edits"][0]["state"] == "in_step"
        assert _in_mews(stack, guest["mews_id"])["Phone"] == "+44 7700 900123"
        assert control.counters()["customers_updated"] == before + 1

        # The sweep reads it back too (the webhook did already: the simulator sends one
        # for every change, ours included).
        swept = admin.post(
            f"/sync/{enterprise}/resync",
            json={
                "entities": ["customer"],
                "since": (edit_started - timedelta(minutes=1)).isoformat(),
            },
        )
        assert swept.status_code == 202, swept.text
        job = swept.json()["job_id"]

        last: list[dict[str, Any]] = [{}]

        def sweep_done() -> bool:
            status = admin.get(f"/sync/{enterprise}").json()
            last[0] = resync = (status.get("ingest") or {}).get("resync") or {}
            assert resync.get("state") not in ("failed", "cancelled"), resync
            return resync.get("job_id") == job and resync.get("state") == "done"

        try:
            wait_until("the sweep", sweep_done, timeout=240)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {last[0]}") from None
        # Then a change made in Mews by its staff: what sync brings after the echoes.
        control.update_customer(guest["mews_id"], Notes="Allergic to feathers")

        def staff_change_seen() -> list | None:
            found = events.of_guest(guest["guest_id"])
            return found if any("notes" in e.get("changed_fields", []) for e in found) else None

        found = wait_until("Mews's own change announced", staff_change_seen, timeout=90)
    finally:
        events.close()
    # Its creation; one event for our edit, by its author; none for its echoes; one for
    # Mews's change.
    assert [(e["event"], e["source"], e["changed_fields"]) for e in found] == [
        ("created", "mews", []),
        ("updated", "attendandt", ["phone"]),
        ("updated", "mews", ["notes"]),
    ]
    assert found[1]["changed_by"]
    assert found[1]["edit_id"] == saved.json()["edit"]["edit_id"]
    assert control.counters()["customers_updated"] == before + 1
    assert _detail(desk, guest["guest_id"])["guest"]["sync_state"] == "in_step"


def test_a_change_in_mews_meanwhile_conflicts_on_its_field_and_merges_on_another(
    stack, desk, control
) -> None:
    enterprise = _enterprise(stack)
    guest = _new_guest(
        stack,
        control,
        desk,
        enterprise,
        Phone="+420 111 222 333",
        Email=f"{uuid.uuid4().hex}@old.example",
    )
    before = control.counters()["customers_updated"]
    # Hotel staff change the phone in Mews after our user opened the guest.
    control.update_customer(guest["mews_id"], Phone="+420 999 888 777")
    email = f"{uuid.uuid4().hex}@new.example"
    saved = desk.patch(
        f"/guests/{guest['guest_id']}",
        json={
            "base_version": guest["mews_updated_utc"],
            "phone": "+44 7700 900123",
            "email": email,
        },
    )
    assert saved.status_code == 200, saved.text
    edit_id = saved.json()["edit"]["edit_id"]

    def settled_by_mews() -> dict | None:
        found = _detail(desk, guest["guest_id"])
        [edit] = [e for e in found["edits"] if e["edit_id"] == edit_id]
        fields = {f["field"]: f for f in edit["fields"]}
        done = fields["phone"]["state"] == "conflict" and fields["email"]["state"] == "in_step"
        return found if done else None

    detail = wait_until("the conflict shown, the other field merged", settled_by_mews, timeout=60)
    assert detail["guest"]["sync_state"] == "conflict"
    [phone] = [f for f in detail["edits"][0]["fields"] if f["field"] == "phone"]
    assert (phone["value"], phone["mews_value"]) == ("+44 7700 900123", "+420 999 888 777")
    mews = _in_mews(stack, guest["mews_id"])
    assert (mews["Phone"], mews["Email"]) == ("+420 999 888 777", email)  # nothing overwritten

    # The user keeps ours.
    resolved = desk.post(
        f"/guests/{guest['guest_id']}/conflicts/resolve",
        json={"edit_id": edit_id, "choices": [{"field": "phone", "keep": "ours"}]},
    )
    assert resolved.status_code == 200, resolved.text

    def in_step() -> dict | None:
        found = _detail(desk, guest["guest_id"])
        return found if found["guest"]["sync_state"] == "in_step" else None

    detail = wait_until("ours written after the choice", in_step, timeout=60)
    assert (detail["guest"]["phone"], detail["guest"]["email"]) == ("+44 7700 900123", email)
    [phone] = [f for f in detail["edits"][0]["fields"] if f["field"] == "phone"]
    assert (phone["state"], phone["resolution"]) == ("in_step", "ours")
    assert _in_mews(stack, guest["mews_id"])["Phone"] == "+44 7700 900123"
    assert control.counters()["customers_updated"] == before + 2  # the email, then the phone


def test_a_publisher_killed_while_mews_holds_its_answer_writes_once(stack, desk, control) -> None:
    enterprise = _enterprise(stack)
    guest = _new_guest(stack, control, desk, enterprise, Notes="Early riser")
    before = control.counters()["customers_updated"]
    publisher = child_pid(stack["pid"], "attendandt.mews_publisher")
    # The write is applied in Mews, its answer held: the writer is killed right then.
    control.lose_response(path="customers/update", mode="hold", hold_s=30.0)
    saved = desk.patch(
        f"/guests/{guest['guest_id']}",
        json={"base_version": guest["mews_updated_utc"], "notes": "Late riser"},
    )
    assert saved.status_code == 200, saved.text
    wait_until(
        "the write to reach Mews",
        lambda: control.counters()["customers_updated"] > before,
        timeout=60,
    )
    os.kill(publisher, signal.SIGKILL)

    def read_back() -> dict | None:
        found = _detail(desk, guest["guest_id"])
        [edit] = found["edits"]
        by_mews = [h["action"] for h in edit["history"] if h["actor"] == "mews"]
        return found if "checked" in by_mews else None

    # The restarted publisher reads the customer back and finds our value there (Mews's
    # echo may have put the edit in step already: the write was applied before the kill).
    detail = wait_until("the restarted publisher's report", read_back, timeout=120)
    [edit] = detail["edits"]
    assert "written" not in [h["action"] for h in edit["history"]]
    assert (detail["guest"]["sync_state"], edit["state"]) == ("in_step", "in_step")
    assert detail["guest"]["notes"] == "Late riser"
    assert child_pid(stack["pid"], "attendandt.mews_publisher") != publisher
    assert control.counters()["customers_updated"] == before + 1
    assert _in_mews(stack, guest["mews_id"])["Notes"] == "Late riser"


def test_a_guest_deleted_in_mews_is_erased_here_within_one_sweep(
    stack, desk, admin, control
) -> None:
    enterprise = _enterprise(stack)
    guest = _new_guest(stack, control, desk, enterprise, Email=f"{uuid.uuid4().hex}@gone.example")
    started = datetime.now(UTC)
    # Webhooks down: only ingest's sweep can bring the delete (Mews's socket has no customers).
    control.webhook_target_down(True)
    try:
        control.delete_customer(guest["mews_id"])
        swept = admin.post(
            f"/sync/{enterprise}/resync",
            json={"entities": ["customer"], "since": (started - timedelta(minutes=1)).isoformat()},
        )
        assert swept.status_code == 202, swept.text

        def erasure() -> dict[str, Any] | None:
            page = admin.get("/guests/erasures", params={"enterprise_id": enterprise}).json()
            return next((e for e in page["items"] if e["guest_id"] == guest["guest_id"]), None)

        found = wait_until("the erasure Mews's delete started", erasure, timeout=150)
    finally:
        control.webhook_target_down(False)
    assert found["source"] == "mews"
    done = wait_until(
        "every part's receipt",
        lambda: (e := erasure()) is not None and e["state"] == "done" and e,
        timeout=120,
    )
    assert done["waiting_for"] == []
    assert desk.get("/guests", params={"q": guest["last_name"]}).json()["items"] == []
