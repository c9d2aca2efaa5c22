"""Deleting a customer as Mews staff do: the profile stays, no longer active, and the
filters Mews documents find it (an `UpdatedUtc` sweep, `DeletedUtc` with `ActivityStates`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def window() -> dict[str, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "StartUtc": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "EndUtc": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_a_deleted_customer_is_inactive_and_found_by_the_sweeps(api, mews_sim) -> None:
    customer = mews_sim.control.add_customer(LastName="Deletable", Email="deletable@x.test")
    deleted = mews_sim.control.delete_customer(customer["Id"])
    assert deleted["IsActive"] is False
    assert deleted["UpdatedUtc"] >= customer["UpdatedUtc"]

    base = {"Extent": {"Customers": True}, "Limitation": {"Count": 100}}
    swept = api("customers/getAll", {**base, "UpdatedUtc": window()}).json()["Customers"]
    found = [c for c in swept if c["Id"] == customer["Id"]]
    assert [(c["IsActive"], c["Email"]) for c in found] == [(False, "deletable@x.test")]

    by_deletion = api(
        "customers/getAll", {**base, "DeletedUtc": window(), "ActivityStates": ["Deleted"]}
    ).json()["Customers"]
    assert customer["Id"] in [c["Id"] for c in by_deletion]
    active_only = api(
        "customers/getAll",
        {**base, "CustomerIds": [customer["Id"]], "ActivityStates": ["Active"]},
    ).json()["Customers"]
    assert active_only == []


def test_deleting_an_unknown_customer_is_404(mews_sim) -> None:
    response = mews_sim.control.http.post("/customers/nope/delete", json={})
    assert response.status_code == 404
