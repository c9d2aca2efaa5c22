"""Exact wire behaviour against httpx.MockTransport: bodies, paths, errors, retries."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from attendandt.mews import (
    DEMO,
    PRODUCTION,
    Credentials,
    DemoTokens,
    MewsBadRequest,
    MewsClient,
    MewsConflict,
    MewsConnectionError,
    MewsForbidden,
    MewsNotFound,
    MewsOutcomeUnknown,
    MewsRateLimited,
    MewsServerError,
    MewsTimeout,
    MewsTransportError,
    MewsUnauthorized,
    RetryPolicy,
    UnlimitedLimiter,
    resolve_environment,
)
from attendandt.mews.client import parse_retry_after
from attendandt.mews.errors import MewsApiError, MewsDecodeError
from attendandt.mews.models import (
    CompanionshipsGetAll,
    CustomersAdd,
    CustomersGetAll,
    CustomersUpdate,
    OrdersAdd,
    ReservationsGetAll,
    ResourceCategoriesGetAll,
    ResourceCategoryAssignmentsGetAll,
    ServiceOrderNotesGetAll,
    ServiceOrderNoteType,
    TimeInterval,
)

CREDENTIALS = Credentials("client-token-SECRET-1", "access-token-SECRET-2")
Handler = Callable[[httpx.Request], httpx.Response]


class RecordingLimiter:
    def __init__(self) -> None:
        self.acquired: list[bool] = []
        self.limited: list[float | None] = []

    async def acquire(self, *, write: bool = False) -> None:
        self.acquired.append(write)

    async def on_rate_limited(self, retry_after: float | None) -> None:
        self.limited.append(retry_after)


class Script:
    """Answers requests from a list of responses (or exceptions) and records what was sent."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer


def ok(body: dict[str, Any], request_id: str = "req-ok") -> httpx.Response:
    return httpx.Response(200, json=body, headers={"Request-Id": request_id})


def error(
    status: int, body: dict[str, Any] | None = None, *, retry_after: str | None = None
) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(status, json=body or {"Message": f"status {status}"}, headers=headers)


def make_client(
    script: Script, *, limiter: Any = None, attempts: int = 4, sleeps: list[float] | None = None
) -> MewsClient:
    recorded = sleeps if sleeps is not None else []

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    return MewsClient(
        CREDENTIALS,
        environment="http://mews.test",
        client_name="Attendandt tests 1.0",
        limiter=limiter or UnlimitedLimiter(),
        retry=RetryPolicy(max_attempts=attempts, backoff_initial=0.1, backoff_max=1.0, jitter=0),
        transport=httpx.MockTransport(script),
        sleep=sleep,
    )


def customer(i: int) -> dict[str, Any]:
    return {"Id": f"00000000-0000-0000-0000-{i:012d}", "LastName": f"Guest {i}"}


# -- request shape ---------------------------------------------------------------------------------


async def test_every_request_carries_auth_and_client_in_the_body() -> None:
    script = Script(ok({"NowUtc": "2026-01-01T00:00:00Z", "Enterprise": {"Id": "e"}}))
    async with make_client(script) as mews:
        config = await mews.get_configuration()
    assert config.now_utc == datetime(2026, 1, 1, tzinfo=UTC)
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == "http://mews.test/api/connector/v1/configuration/get"
    assert request.headers["Content-Type"] == "application/json"
    assert script.bodies[0] == {
        "ClientToken": "client-token-SECRET-1",
        "AccessToken": "access-token-SECRET-2",
        "Client": "Attendandt tests 1.0",
    }


async def test_language_and_culture_are_sent_together() -> None:
    script = Script(ok({}))
    mews = MewsClient(
        CREDENTIALS,
        environment="http://mews.test",
        limiter=UnlimitedLimiter(),
        language_code="en-GB",
        culture_code="en-GB",
        transport=httpx.MockTransport(script),
    )
    async with mews:
        await mews.get_configuration()
    assert script.bodies[0]["LanguageCode"] == "en-GB"
    assert script.bodies[0]["CultureCode"] == "en-GB"
    with pytest.raises(ValueError, match="together"):
        MewsClient(CREDENTIALS, language_code="en-GB")


async def test_paged_read_sends_limitation_and_follows_the_cursor() -> None:
    pages = [
        ok({"Customers": [customer(1), customer(2)], "Cursor": customer(2)["Id"]}),
        ok({"Customers": [customer(3), customer(4)], "Cursor": customer(4)["Id"]}),
        ok({"Customers": [customer(5)], "Cursor": customer(5)["Id"]}),
    ]
    script = Script(*pages)
    async with make_client(script) as mews:
        found = await mews.get_customers(
            CustomersGetAll(emails=["x@example.com"]), page_size=2
        ).collect()
    assert [c.last_name for c in found] == [f"Guest {i}" for i in range(1, 6)]
    assert [b["Limitation"] for b in script.bodies] == [
        {"Count": 2},
        {"Count": 2, "Cursor": customer(2)["Id"]},
        {"Count": 2, "Cursor": customer(4)["Id"]},
    ]
    assert all(r.url.path == "/api/connector/v1/customers/getAll" for r in script.requests)
    assert script.bodies[0]["Extent"] == {"Customers": True, "Addresses": False}


async def test_a_read_by_ids_stops_once_every_id_came_back() -> None:
    # A full page would normally mean "ask for the next one"; by ids, nothing more can come.
    script = Script(ok({"Customers": [customer(1), customer(2)], "Cursor": customer(2)["Id"]}))
    wanted = [customer(1)["Id"], customer(2)["Id"]]
    async with make_client(script) as mews:
        found = await mews.get_customers(
            CustomersGetAll(customer_ids=wanted), page_size=2
        ).collect()
    assert [c.id for c in found] == wanted
    assert len(script.requests) == 1


async def test_paging_stops_on_null_cursor_even_with_a_full_page() -> None:
    script = Script(ok({"Customers": [customer(1)], "Cursor": None}))
    async with make_client(script) as mews:
        pages = [p async for p in mews.get_customers(CustomersGetAll(), page_size=1).pages()]
    assert len(pages) == 1
    assert len(script.requests) == 1


async def test_empty_first_page_yields_nothing() -> None:
    script = Script(ok({"Customers": [], "Cursor": None}))
    async with make_client(script) as mews:
        assert await mews.get_customers(CustomersGetAll()).collect() == []


async def test_dated_reservation_path_and_split_windows_on_the_wire() -> None:
    script = Script(ok({"Reservations": [], "Cursor": None}))
    interval = TimeInterval(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 8, 1, tzinfo=UTC))
    async with make_client(script) as mews:
        await mews.get_reservations(ReservationsGetAll(updated_utc=interval)).collect()
    assert {r.url.path for r in script.requests} == {
        "/api/connector/v1/reservations/getAll/2023-06-06"
    }
    assert [b["UpdatedUtc"] for b in script.bodies] == [
        {"StartUtc": "2024-01-01T00:00:00Z", "EndUtc": "2024-04-01T00:00:00Z"},
        {"StartUtc": "2024-04-01T00:00:00Z", "EndUtc": "2024-07-01T00:00:00Z"},
        {"StartUtc": "2024-07-01T00:00:00Z", "EndUtc": "2024-08-01T00:00:00Z"},
    ]


async def test_colliding_windows_are_deduplicated_by_id() -> None:
    spanning = {"Id": "r-span", "State": "Confirmed"}
    script = Script(
        ok({"Reservations": [spanning, {"Id": "r-a"}], "Cursor": None}),
        ok({"Reservations": [spanning, {"Id": "r-b"}], "Cursor": None}),
    )
    interval = TimeInterval(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC))
    async with make_client(script) as mews:
        found = await mews.get_reservations(ReservationsGetAll(colliding_utc=interval)).collect()
    assert [r.id for r in found] == ["r-span", "r-a", "r-b"]
    assert len(script.requests) == 2


# -- companionships and service order notes (examples from the Mews reference pages) ---------

COMPANIONSHIP_EXAMPLE = {
    "Companionships": [
        {
            "Id": "72d4b117-1f84-44a3-1f84-8b2c0635ac60",
            "CustomerId": "35d4b117-4e60-44a3-9580-c582117eff98",
            "ReservationGroupId": "c704dff3-7811-4af7-a3a0-7b2b0635ac59",
            "ReservationId": "bfee2c44-1f84-4326-a862-5289598f6e2d",
        }
    ],
    "Customers": None,
    "Reservations": None,
    "ReservationGroups": None,
    "Cursor": "72d4b117-1f84-44a3-1f84-8b2c0635ac60",
}
NOTE_EXAMPLE = {
    "ServiceOrderNotes": [
        {
            "Id": "a06a225b-00f7-48c8-a463-af5c016768e9",
            "OrderId": "1dc0c6bf-2ce6-4a9f-af97-af5c01676720",
            "Text": "Shaken, not stirred.",
            "Type": "General",
            "CreatedUtc": "2022-11-29T21:48:32Z",
            "UpdatedUtc": "2022-11-30T12:36:37Z",
        }
    ],
    "Cursor": "a06a225b-00f7-48c8-a463-af5c016768e9",
}


async def test_companionships_by_reservation_ids_on_the_wire() -> None:
    script = Script(ok(COMPANIONSHIP_EXAMPLE))
    async with make_client(script) as mews:
        found = await mews.get_companionships(
            CompanionshipsGetAll(reservation_ids=["bfee2c44-1f84-4326-a862-5289598f6e2d"]),
            page_size=10,
        ).collect()
    (companionship,) = found
    assert companionship.customer_id == "35d4b117-4e60-44a3-9580-c582117eff98"
    assert companionship.reservation_id == "bfee2c44-1f84-4326-a862-5289598f6e2d"
    assert script.requests[0].url.path == "/api/connector/v1/companionships/getAll"
    body = script.bodies[0]
    # Extent is required by Mews: sent whole, related collections off (fetched by id).
    assert body["Extent"] == {"Reservations": False, "ReservationGroups": False, "Customers": False}
    assert body["ReservationIds"] == ["bfee2c44-1f84-4326-a862-5289598f6e2d"]
    assert body["Limitation"] == {"Count": 10}
    assert "CustomerIds" not in body


async def test_companionships_split_ids_per_1000_and_follow_the_cursor() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        ids = body["ReservationIds"]
        start = int(body["Limitation"].get("Cursor") or 0)
        # Two companions per reservation, two per page: a full page asks for the next one.
        rows = [
            {"Id": f"{rid}-c{k}", "CustomerId": f"cust-{rid}-{k}", "ReservationId": rid}
            for rid in ids
            for k in (1, 2)
        ][start : start + 1000]
        cursor = str(start + len(rows)) if rows else None
        return ok({"Companionships": rows, "Cursor": cursor})

    script = Script(answer)
    ids = [f"r{i:04d}" for i in range(1500)]
    async with make_client(script) as mews:
        found = await mews.get_companionships(CompanionshipsGetAll(reservation_ids=ids)).collect()
    assert len(found) == 3000
    sent = [(len(b["ReservationIds"]), b["Limitation"].get("Cursor")) for b in script.bodies]
    # 1000 ids (2000 rows: pages at 0 and 1000, then an empty one), then 500 ids (1000 rows).
    assert sent == [(1000, None), (1000, "1000"), (1000, "2000"), (500, None), (500, "1000")]


async def test_service_order_notes_by_reservation_ids_on_the_wire() -> None:
    script = Script(ok(NOTE_EXAMPLE))
    async with make_client(script) as mews:
        found = await mews.get_service_order_notes(
            ServiceOrderNotesGetAll(
                service_order_ids=["1dc0c6bf-2ce6-4a9f-af97-af5c01676720"],
                types=list(ServiceOrderNoteType.ALL),
            ),
            page_size=100,
        ).collect()
    (note,) = found
    assert note.order_id == "1dc0c6bf-2ce6-4a9f-af97-af5c01676720"
    assert note.text == "Shaken, not stirred."
    assert note.type == ServiceOrderNoteType.GENERAL
    assert note.updated_utc == datetime(2022, 11, 30, 12, 36, 37, tzinfo=UTC)
    assert script.requests[0].url.path == "/api/connector/v1/serviceOrderNotes/getAll"
    body = script.bodies[0]
    assert body["ServiceOrderIds"] == ["1dc0c6bf-2ce6-4a9f-af97-af5c01676720"]
    assert body["Types"] == ["General", "ChannelManager", "SpecialRequest"]
    assert body["Limitation"] == {"Count": 100}


async def test_service_order_notes_split_ids_per_1000() -> None:
    script = Script(ok({"ServiceOrderNotes": [], "Cursor": None}))
    ids = [f"r{i:04d}" for i in range(2001)]
    async with make_client(script) as mews:
        await mews.get_service_order_notes(ServiceOrderNotesGetAll(service_order_ids=ids)).collect()
    assert [len(b["ServiceOrderIds"]) for b in script.bodies] == [1000, 1000, 1]
    assert [i for b in script.bodies for i in b["ServiceOrderIds"]] == ids


# -- resource categories and their assignments (examples from the Mews reference page) -------

CATEGORY_EXAMPLE = {
    "ResourceCategories": [
        {
            "Id": "5c0804f9-d03a-4b13-a57d-b00300781a41",
            "EnterpriseId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "ServiceId": "9b3a6c54-63aa-4383-b50e-b0030078184b",
            "IsActive": True,
            "Type": "Bed",
            "Names": {"en-US": "Bed 1"},
            "ShortNames": {"en-US": "Bed 1"},
            "Descriptions": {},
            "Ordering": 2,
            "Capacity": 1,
            "ExtraCapacity": 0,
            "ExternalIdentifier": None,
        }
    ],
    "Cursor": "5c0804f9-d03a-4b13-a57d-b00300781a41",
}
ASSIGNMENT_EXAMPLE = {
    "ResourceCategoryAssignments": [
        {
            "Id": "fb69fc51-c4e9-4ef6-874a-24bcfe74a894",
            "ResourceId": "e5a34a69-d35e-4e85-a645-a9bc4ee3a80f",
            "CategoryId": "5c0804f9-d03a-4b13-a57d-b00300781a41",
            "IsActive": True,
            "CreatedUtc": "2023-10-01T11:48:57Z",
            "UpdatedUtc": "2023-10-28T11:48:57Z",
        }
    ],
    "Cursor": "fb69fc51-c4e9-4ef6-874a-24bcfe74a894",
}


async def test_resource_categories_by_service_ids_on_the_wire() -> None:
    script = Script(ok(CATEGORY_EXAMPLE))
    async with make_client(script) as mews:
        found = await mews.get_resource_categories(
            ResourceCategoriesGetAll(
                service_ids=["9b3a6c54-63aa-4383-b50e-b0030078184b"], activity_states=["Active"]
            ),
            page_size=10,
        ).collect()
    (category,) = found
    assert (category.names, category.type, category.capacity) == ({"en-US": "Bed 1"}, "Bed", 1)
    assert script.requests[0].url.path == "/api/connector/v1/resourceCategories/getAll"
    body = script.bodies[0]
    assert body["ServiceIds"] == ["9b3a6c54-63aa-4383-b50e-b0030078184b"]
    assert body["ActivityStates"] == ["Active"]
    assert body["Limitation"] == {"Count": 10}
    assert "ResourceCategoryIds" not in body
    assert "UpdatedUtc" not in body


async def test_resource_category_assignments_on_the_wire() -> None:
    script = Script(ok(ASSIGNMENT_EXAMPLE))
    async with make_client(script) as mews:
        found = await mews.get_resource_category_assignments(
            ResourceCategoryAssignmentsGetAll(
                resource_category_ids=["5c0804f9-d03a-4b13-a57d-b00300781a41"],
                resource_ids=["e5a34a69-d35e-4e85-a645-a9bc4ee3a80f"],
            ),
            page_size=10,
        ).collect()
    (assignment,) = found
    assert assignment.resource_id == "e5a34a69-d35e-4e85-a645-a9bc4ee3a80f"
    assert assignment.category_id == "5c0804f9-d03a-4b13-a57d-b00300781a41"
    assert assignment.is_active is True
    assert assignment.updated_utc == datetime(2023, 10, 28, 11, 48, 57, tzinfo=UTC)
    assert script.requests[0].url.path == "/api/connector/v1/resourceCategoryAssignments/getAll"
    body = script.bodies[0]
    assert body["ResourceCategoryIds"] == ["5c0804f9-d03a-4b13-a57d-b00300781a41"]
    assert body["ResourceIds"] == ["e5a34a69-d35e-4e85-a645-a9bc4ee3a80f"]
    assert body["Limitation"] == {"Count": 10}
    assert "ResourceCategoryAssignmentIds" not in body


async def test_resource_category_assignments_split_both_id_lists_per_1000() -> None:
    script = Script(ok({"ResourceCategoryAssignments": [], "Cursor": None}))
    categories = [f"c{i:04d}" for i in range(1001)]
    rooms = [f"r{i:04d}" for i in range(1500)]
    request = ResourceCategoryAssignmentsGetAll(
        resource_category_ids=categories, resource_ids=rooms
    )
    async with make_client(script) as mews:
        await mews.get_resource_category_assignments(request).collect()
    sent = [(len(b["ResourceCategoryIds"]), len(b["ResourceIds"])) for b in script.bodies]
    # Filters combine with AND: every category chunk with every room chunk, each pair once.
    assert sorted(sent) == [(1, 500), (1, 1000), (1000, 500), (1000, 1000)]


async def test_an_operation_the_token_may_not_use_is_a_typed_error() -> None:
    script = Script(error(401, {"Message": "Operation not permitted for the integration."}))
    async with make_client(script) as mews:
        with pytest.raises(MewsUnauthorized):
            await mews.get_companionships(CompanionshipsGetAll(reservation_ids=["r"])).collect()
    assert len(script.requests) == 1


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [
        (400, MewsBadRequest),
        (401, MewsUnauthorized),
        (403, MewsForbidden),
        (404, MewsNotFound),
        (409, MewsConflict),
        (413, MewsApiError),
        (418, MewsApiError),
    ],
)
async def test_error_statuses_map_to_typed_exceptions_without_retry(
    status: int, exc_type: type[MewsApiError]
) -> None:
    script = Script(
        httpx.Response(
            status,
            json={"Message": "Invalid CustomerIds.", "RequestId": "body-id", "Details": "trace"},
            headers={"Request-Id": "header-id"},
        )
    )
    async with make_client(script) as mews:
        with pytest.raises(exc_type) as caught:
            await mews.get_configuration()
    assert type(caught.value) is exc_type or exc_type is MewsApiError
    assert caught.value.status == status
    assert caught.value.message == "Invalid CustomerIds."
    assert caught.value.request_id == "body-id"
    assert caught.value.details == "trace"
    assert caught.value.operation == "configuration/get"
    assert len(script.requests) == 1


async def test_request_id_falls_back_to_header_and_message_to_text() -> None:
    script = Script(httpx.Response(400, text="Invalid JSON", headers={"Request-Id": "hdr-7"}))
    async with make_client(script) as mews:
        with pytest.raises(MewsBadRequest) as caught:
            await mews.get_configuration()
    assert caught.value.request_id == "hdr-7"
    assert caught.value.message == "Invalid JSON"
    assert "hdr-7" in str(caught.value)


async def test_undecodable_success_body_is_a_decode_error() -> None:
    script = Script(ok({"Customers": [{"NoId": True}], "Cursor": None}))
    async with make_client(script) as mews:
        with pytest.raises(MewsDecodeError):
            await mews.get_customers(CustomersGetAll()).collect()


# -- read retries ---------------------------------------------------------------------------------


async def test_read_retries_429_waiting_for_retry_after() -> None:
    limiter = RecordingLimiter()
    sleeps: list[float] = []
    script = Script(error(429, {"Message": "Too many"}, retry_after="3"), ok({}))
    async with make_client(script, limiter=limiter, sleeps=sleeps) as mews:
        await mews.get_configuration()
    assert len(script.requests) == 2
    assert sleeps == [3.0]
    assert limiter.limited == [3.0]  # every holder of the bucket is paused
    assert limiter.acquired == [False, False]  # each attempt takes a token


async def test_read_retries_429_without_retry_after_with_backoff() -> None:
    limiter = RecordingLimiter()
    sleeps: list[float] = []
    script = Script(error(429), error(429), ok({}))
    async with make_client(script, limiter=limiter, sleeps=sleeps) as mews:
        await mews.get_configuration()
    assert limiter.limited == [None, None]
    assert sleeps == [pytest.approx(0.1), pytest.approx(0.2)]  # exponential, jitter 0 here


async def test_read_gives_up_after_max_attempts_and_raises_the_last_error() -> None:
    sleeps: list[float] = []
    script = Script(error(503, {"Message": "down", "RequestId": "r-5"}))
    async with make_client(script, attempts=3, sleeps=sleeps) as mews:
        with pytest.raises(MewsServerError) as caught:
            await mews.get_configuration()
    assert len(script.requests) == 3
    assert len(sleeps) == 2
    assert caught.value.request_id == "r-5"


async def test_read_does_not_wait_for_an_excessive_retry_after() -> None:
    script = Script(error(429, retry_after="3600"))
    async with make_client(script) as mews:
        with pytest.raises(MewsRateLimited) as caught:
            await mews.get_configuration()
    assert caught.value.retry_after == 3600.0
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ConnectError("refused"),
    ],
)
async def test_read_retries_transport_failures(failure: Exception) -> None:
    script = Script(failure, ok({}))
    async with make_client(script) as mews:
        await mews.get_configuration()
    assert len(script.requests) == 2


async def test_read_transport_failure_after_retries_is_typed() -> None:
    script = Script(httpx.ReadError("reset"))
    async with make_client(script, attempts=2) as mews:
        with pytest.raises(MewsTransportError):
            await mews.get_configuration()


async def test_timeout_408_shrinks_the_page_after_retries() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        count = json.loads(request.content)["Limitation"]["Count"]
        if count > 250:
            return error(408, {"Message": "Request timeout"})
        return ok({"Customers": [customer(1)], "Cursor": customer(1)["Id"]})

    script = Script(answer)
    async with make_client(script, attempts=2) as mews:
        found = await mews.get_customers(CustomersGetAll(), page_size=1000).collect()
    assert len(found) == 1
    counts = [b["Limitation"]["Count"] for b in script.bodies]
    assert counts == [1000, 1000, 500, 500, 250]


# -- writes ---------------------------------------------------------------------------------------


def order() -> OrdersAdd:
    return OrdersAdd(service_id="s", account_id="a")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ReadTimeout("no answer in time"),
        httpx.RemoteProtocolError("connection dropped"),
        httpx.WriteError("broken pipe"),
        error(500, {"Message": "boom", "RequestId": "w-500"}),
        error(503),
        error(408),
    ],
)
async def test_write_with_unknown_outcome_is_never_retried(
    answer: httpx.Response | Exception,
) -> None:
    limiter = RecordingLimiter()
    script = Script(answer)
    async with make_client(script, limiter=limiter) as mews:
        with pytest.raises(MewsOutcomeUnknown) as caught:
            await mews.add_order(order())
    assert len(script.requests) == 1
    assert limiter.acquired == [True]
    assert caught.value.cause is not None
    if isinstance(answer, httpx.Response) and answer.status_code == 500:
        assert caught.value.status == 500
        assert caught.value.request_id == "w-500"


@pytest.mark.parametrize(
    ("answer", "exc_type"),
    [
        (httpx.ConnectError("refused"), MewsConnectionError),
        (httpx.ConnectTimeout("connect"), MewsConnectionError),
        (httpx.PoolTimeout("pool"), MewsConnectionError),
        (error(400), MewsBadRequest),
        (error(403), MewsForbidden),
        (error(409), MewsConflict),
        (error(429, retry_after="2"), MewsRateLimited),
    ],
)
async def test_write_certainly_not_applied_raises_the_ordinary_error(
    answer: httpx.Response | Exception, exc_type: type[Exception]
) -> None:
    limiter = RecordingLimiter()
    script = Script(answer)
    async with make_client(script, limiter=limiter) as mews:
        with pytest.raises(exc_type) as caught:
            await mews.add_customer(CustomersAdd(last_name="X", overwrite_existing=False))
    assert not isinstance(caught.value, MewsOutcomeUnknown)
    assert len(script.requests) == 1
    if exc_type is MewsRateLimited:
        assert limiter.limited == [2.0]


async def test_write_success_with_undecodable_body_is_outcome_unknown() -> None:
    script = Script(ok({"Unexpected": True}))
    async with make_client(script) as mews:
        with pytest.raises(MewsOutcomeUnknown):
            await mews.add_order(order())


async def test_write_bodies_and_results() -> None:
    script = Script(
        ok({"OrderId": "o-1"}),
        ok({"Id": "c-1", "LastName": "Smith", "Email": "s@example.com"}),
    )
    async with make_client(script) as mews:
        result = await mews.add_order(order())
        updated = await mews.update_customer(
            CustomersUpdate(customer_id="c-1", email="s@example.com")
        )
    assert result.order_id == "o-1"
    assert updated.email == "s@example.com"
    assert [r.url.path for r in script.requests] == [
        "/api/connector/v1/orders/add",
        "/api/connector/v1/customers/update",
    ]
    assert script.bodies[0]["ServiceId"] == "s"
    assert script.bodies[1] == {
        "ClientToken": "client-token-SECRET-1",
        "AccessToken": "access-token-SECRET-2",
        "Client": "Attendandt tests 1.0",
        "CustomerId": "c-1",
        "Email": "s@example.com",
    }


# -- secrets, environments, helpers ---------------------------------------------------------------


async def test_tokens_never_reach_logs_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(
        error(500, {"Message": "boom", "RequestId": "log-me"}),
        httpx.ReadTimeout("slow"),
        ok({}),
    )
    async with make_client(script) as mews:
        await mews.get_configuration()
        with pytest.raises(MewsOutcomeUnknown):
            await mews.add_order(order())
        text = caplog.text + repr(mews) + repr(CREDENTIALS) + repr(DemoTokens.GROSS_1)
    assert "log-me" in caplog.text  # the Request-Id is logged on errors
    assert "SECRET" not in text
    assert DemoTokens.GROSS_1.access_token not in text


def test_environments_by_name_and_custom_url() -> None:
    assert resolve_environment("demo") is DEMO
    assert resolve_environment("Production") is PRODUCTION
    assert DEMO.base_url == "https://api.mews-demo.com"
    assert PRODUCTION.base_url == "https://api.mews.com"
    custom = resolve_environment("http://127.0.0.1:8123/")
    assert custom.base_url == "http://127.0.0.1:8123"
    with pytest.raises(ValueError, match="unknown"):
        resolve_environment("staging")


def test_demo_tokens_by_name() -> None:
    assert DemoTokens.named("gross_1") is DemoTokens.GROSS_1
    assert DemoTokens.GROSS_1.client_token == DemoTokens.NET_1.client_token
    assert DemoTokens.GROSS_1.access_token != DemoTokens.NET_1.access_token
    assert len(DemoTokens.names()) == 8
    with pytest.raises(KeyError):
        DemoTokens.named("gross_9")


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


async def test_default_limiter_is_a_local_bucket_and_timeout_retry_is_typed() -> None:
    from attendandt.mews import LocalTokenBucket

    script = Script(error(408))
    mews = MewsClient(
        CREDENTIALS,
        environment="http://mews.test",
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(script),
    )
    assert isinstance(mews.limiter, LocalTokenBucket)
    async with mews:
        with pytest.raises(MewsTimeout):
            await mews.get_configuration()
