"""One realistic example of every payload: for round-trip tests, docs and other packages' tests."""

from datetime import UTC, date, datetime
from decimal import Decimal

from attendandt.contracts.alerts import SyncAlert
from attendandt.contracts.base import Payload, RpcError
from attendandt.contracts.bills import EXAMPLE_BILL
from attendandt.contracts.commands import (
    CancellationMethod,
    EditFieldOutcome,
    RecordChargeCancellation,
    RecordChargeInMews,
    RecordChargeResult,
    RecordGuestEditResult,
    RecordStayNoteResult,
    UpsertCatalogue,
    UpsertCompany,
    UpsertGuest,
    UpsertProperty,
    UpsertRoom,
    UpsertStay,
    UpsertStayBill,
    UpsertUser,
    UpsertVendor,
)
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.erasure import EraseGuest, ErasureReceipt, GuestErased
from attendandt.contracts.events import (
    BookingEvent,
    ChargeEvent,
    GuestEvent,
    RestrictedGuestEvent,
    StayEvent,
    UserEvent,
    VendorEvent,
)
from attendandt.contracts.mews import ChangeSource, MewsChange, MewsEntity
from attendandt.contracts.outbound import (
    CancelCharge,
    ChargeLine,
    CustomerFieldChange,
    PostCharge,
    UpdateCustomer,
    WriteStayNote,
)
from attendandt.contracts.privacy import public_guest, public_stay, public_user, restricted_guest
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    CatalogueProduct,
    CatalogueService,
    ChargeSnapshot,
    ChargeState,
    CompanySnapshot,
    GuestSnapshot,
    PropertySnapshot,
    RoomSnapshot,
    StayNote,
    StaySnapshot,
    StayState,
    UserRole,
    UserSnapshot,
    VendorSnapshot,
)

ENT = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
GUEST = GuestSnapshot(
    mews_id="35d4b117-4e60-44a3-9580-c582117eff98",
    mews_updated_utc=NOW,
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+44 20 7946 0000",
    language_code="en-GB",
    nationality_code="GB",
    birth_date=date(1815, 12, 10),
    classifications=("VeryImportant",),
)
STAY = StaySnapshot(
    mews_id="bfee2c44-1f84-4326-a862-5289598f6e2d",
    mews_updated_utc=NOW,
    number="52",
    state=StayState.STARTED,
    mews_state="Started",
    scheduled_start_utc=NOW,
    scheduled_end_utc=NOW,
    resource_name="101",
    owner_mews_id=GUEST.mews_id,
    companion_mews_ids=(GUEST.mews_id,),
    notes=(
        StayNote(
            mews_id="a06a225b-00f7-48c8-a463-af5c016768e9",
            text="Late arrival, about 23:00",
            type="General",
            mews_updated_utc=NOW,
        ),
    ),
)
ROOM = RoomSnapshot(
    mews_id="5ee074b1-6c86-48e8-915f-c7aa4702086f",
    mews_updated_utc=NOW,
    name="101",
    state="Inspected",
    is_active=True,
)
VENDOR = VendorSnapshot(vendor_id="v-1", name="Lagoon Spa", category="spa")
COMPANY = CompanySnapshot(
    mews_id="a58ff7cb-77e3-495a-bd61-aecf00a3f19d", mews_updated_utc=NOW, name="Lagoon Spa s.r.o."
)
BOOKING = BookingSnapshot(
    booking_id="b-1",
    vendor_id="v-1",
    offering_id="o-1",
    guest_id="g-1",
    stay_id="s-1",
    quantity=2,
    state=BookingState.CONFIRMED,
)
CHARGE = ChargeSnapshot(
    charge_id="c-1",
    vendor_id="v-1",
    guest_id="g-1",
    description="Massage 60 min",
    quantity=1,
    unit_amount=Decimal("85.50"),
    currency="EUR",
    state=ChargeState.POSTED,
    mews_order_id="o-123",
)
PROPERTY = PropertySnapshot(
    enterprise_id=ENT,
    name="Connector API Hotel (Gross Pricing)",
    time_zone="Europe/London",
    default_currency="GBP",
    currencies=("GBP", "EUR", "USD"),
    pricing="gross",
    default_language_code="en-GB",
    address_line1="1 Sample Street",
    city="London",
    postal_code="EC1A 1AA",
    country_code="GB",
    mews_updated_utc=NOW,
)
SPA = CatalogueService(mews_id="svc-spa", name="Spa", kind="additional", is_active=True)
MASSAGE = CatalogueProduct(
    mews_id="prod-massage",
    service_mews_id=SPA.mews_id,
    name="Massage 60 min",
    is_active=True,
    unit_amount=Decimal("80.00"),
    currency="GBP",
    accounting_category_mews_id="acc-spa",
)
USER = UserSnapshot(
    user_id="u-1", email="fd@hotel.example", name="Front Desk", role=UserRole.FRONT_DESK
)

EXAMPLES: list[Payload] = [
    MewsChange(
        enterprise_id=ENT,
        entity=MewsEntity.RESERVATION,
        mews_id=STAY.mews_id,
        source=ChangeSource.WEBSOCKET,
        observed_at=NOW,
        observed_state="Started",
    ),
    UpsertGuest(command_id="cmd-1", enterprise_id=ENT, issued_at=NOW, guest=GUEST),
    UpsertStay(command_id="cmd-2", enterprise_id=ENT, issued_at=NOW, stay=STAY),
    UpsertRoom(command_id="cmd-8", enterprise_id=ENT, issued_at=NOW, room=ROOM),
    UpsertStayBill(command_id="cmd-bill-1", enterprise_id=ENT, issued_at=NOW, bill=EXAMPLE_BILL),
    UpsertVendor(command_id="cmd-3", enterprise_id=ENT, issued_at=NOW, vendor=VENDOR),
    UpsertCompany(command_id="cmd-company-1", enterprise_id=ENT, issued_at=NOW, company=COMPANY),
    UpsertUser(
        command_id="cmd-4",
        enterprise_id=ENT,
        issued_at=NOW,
        email="v@spa.example",
        name="Spa Desk",
        role=UserRole.VENDOR,
        vendor_id="v-1",
    ),
    RecordChargeCancellation(
        command_id="cmd-10",
        enterprise_id=ENT,
        issued_at=NOW,
        charge_id="c-1",
        cancelled=True,
        method=CancellationMethod.ORDER_ITEMS_CANCELLED,
        order_item_ids=("i-1",),
    ),
    RecordChargeInMews(
        command_id="cmd-11",
        enterprise_id=ENT,
        issued_at=NOW,
        charge_id="c-1",
        state="closed",
        order_item_ids=("i-1",),
        quantity=2,
        amount=Decimal("171.00"),
        currency="GBP",
        rebated_amount=Decimal("20.00"),
        bill_closed=True,
        mews_updated_utc=NOW,
    ),
    RecordChargeResult(
        command_id="cmd-5",
        enterprise_id=ENT,
        issued_at=NOW,
        charge_id="c-1",
        posted=True,
        mews_order_id="o-123",
    ),
    UpsertProperty(command_id="cmd-8", enterprise_id=ENT, issued_at=NOW, property=PROPERTY),
    UpsertCatalogue(
        command_id="cmd-9",
        enterprise_id=ENT,
        issued_at=NOW,
        property=PROPERTY,
        services=(SPA,),
        products=(MASSAGE,),
        mews_updated_utc=NOW,
    ),
    GuestEvent(
        event_id="e-1",
        enterprise_id=ENT,
        occurred_at=NOW,
        event="updated",
        guest_id="g-1",
        guest=public_guest(GUEST),
        source="attendandt",
        changed_fields=("phone",),
        changed_by="u-frontdesk",
        edit_id="e-1",
    ),
    RestrictedGuestEvent(
        event_id="restricted:e-1",
        enterprise_id=ENT,
        occurred_at=NOW,
        event="updated",
        guest_id="g-1",
        guest=restricted_guest("g-1", GUEST),
        source="attendandt",
        changed_fields=("phone",),
        changed_by="u-frontdesk",
        edit_id="e-1",
    ),
    StayEvent(
        event_id="e-2",
        enterprise_id=ENT,
        occurred_at=NOW,
        event="checked_in",
        stay_id="s-1",
        stay=public_stay(STAY),
        guest_ids=("g-1",),
    ),
    VendorEvent(event_id="e-3", enterprise_id=ENT, occurred_at=NOW, event="created", vendor=VENDOR),
    BookingEvent(
        event_id="e-4", enterprise_id=ENT, occurred_at=NOW, event="confirmed", booking=BOOKING
    ),
    ChargeEvent(event_id="e-5", enterprise_id=ENT, occurred_at=NOW, event="posted", charge=CHARGE),
    UserEvent(
        event_id="e-6", enterprise_id=ENT, occurred_at=NOW, event="created", user=public_user(USER)
    ),
    PostCharge(
        command_id="cmd-6",
        enterprise_id=ENT,
        charge_id="c-1",
        reference="attendandt:c-1",
        account_id=GUEST.mews_id,
        service_id="svc-1",
        linked_reservation_id=STAY.mews_id,
        lines=(
            ChargeLine(
                name="Massage",
                unit_count=1,
                unit_amount=Decimal("85.50"),
                currency="EUR",
                tax_codes=("UK-S",),
            ),
        ),
        requested_at=NOW,
    ),
    CancelCharge(
        command_id="cmd-11",
        enterprise_id=ENT,
        charge_id="c-1",
        reference="attendandt:c-1",
        account_id=GUEST.mews_id,
        service_id="svc-1",
        mews_order_id="o-123",
        linked_reservation_id=STAY.mews_id,
        requested_at=NOW,
    ),
    UpdateCustomer(
        command_id="cmd-7",
        enterprise_id=ENT,
        customer_id=GUEST.mews_id,
        email="new@example.com",
        requested_at=NOW,
    ),
    UpdateCustomer(
        command_id="guest-edit:e-1:1",
        enterprise_id=ENT,
        customer_id=GUEST.mews_id,
        requested_at=NOW,
        edit_id="e-1",
        edit_round=1,
        changes=(
            CustomerFieldChange(field="phone", value="+44 20 7946 0000", base="+44 20 7946 0958"),
            CustomerFieldChange(field="classifications", value=("Important",), base=()),
        ),
    ),
    RecordGuestEditResult(
        command_id="guest-edit-result:guest-edit:e-1:1",
        enterprise_id=ENT,
        issued_at=NOW,
        edit_id="e-1",
        edit_round=1,
        customer_mews_id=GUEST.mews_id,
        outcomes=(
            EditFieldOutcome(field="phone", outcome="applied", mews_value="+44 20 7946 0000"),
            EditFieldOutcome(field="classifications", outcome="conflict", mews_value=("Media",)),
        ),
        written=True,
        mews_updated_utc=NOW,
    ),
    WriteStayNote(
        command_id="stay-note:w-1",
        enterprise_id=ENT,
        write_id="w-1",
        reservation_id=STAY.mews_id,
        text="Late arrival, around 23:00",
        requested_at=NOW,
    ),
    RecordStayNoteResult(
        command_id="stay-note-result:stay-note:w-1",
        enterprise_id=ENT,
        issued_at=NOW,
        write_id="w-1",
        reservation_mews_id=STAY.mews_id,
        outcome="applied",
        note_mews_id="n-1",
        mews_text="Late arrival, around 23:00",
        mews_updated_utc=NOW,
    ),
    DeadLetter(
        service="guests",
        consumer="guests-commands",
        subject="cmd.v1.guests.upsert_guest",
        data=b"\x00not json",
        headers={"Nats-Msg-Id": "x"},
        reason="cannot decode: invalid JSON",
        error_type="DecodeError",
        failed_at=NOW,
    ),
    RpcError(status=404, title="Not found", detail="no guest g-404"),
    EraseGuest(
        command_id="erase:r-1:vendors",
        enterprise_id=ENT,
        issued_at=NOW,
        request_id="r-1",
        guest_id="g-1",
        customer_mews_id=GUEST.mews_id,
        pseudonym="Erased guest r-1",
    ),
    ErasureReceipt(
        command_id="erasure-receipt:r-1:vendors",
        enterprise_id=ENT,
        issued_at=NOW,
        request_id="r-1",
        part="vendors",
        removed={"booking_notes": 1},
        pseudonymised={"bookings": 1, "charges": 2},
        done_at=NOW,
    ),
    GuestErased(
        event_id="guest-erased:r-1",
        enterprise_id=ENT,
        occurred_at=NOW,
        event="erased",
        guest_id="g-1",
        guest=GuestSnapshot(
            mews_id=GUEST.mews_id,
            mews_updated_utc=NOW,
            last_name="Erased guest r-1",
            is_active=False,
        ),
        request_id="r-1",
    ),
    SyncAlert(
        event_id="sync-alert:1",
        enterprise_id=ENT,
        occurred_at=NOW,
        event="alert",
        state="raised",
        reasons=("silence",),
        details=("no live change since 10:00 UTC, while Mews reports a change at 10:40 UTC",),
        raised_at=NOW,
    ),
]
