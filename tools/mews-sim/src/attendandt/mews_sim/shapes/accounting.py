"""Bills, order items, payments and product service orders in the Mews wire shape."""

from __future__ import annotations

from attendandt.mews_sim.shapes.common import CONNECTOR_PROFILE_ID, Entity


def bill(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    number: str | None,
    created: str,
    state: str = "Open",
    name: str | None = None,
    associated_account_ids: list[str] | None = None,
    issued: str | None = None,
    updated: str | None = None,
) -> Entity:
    return {
        "Id": id,
        "Name": name,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "CustomerId": account_id if account_type == "Customer" else None,
        "CompanyId": account_id if account_type == "Company" else None,
        "AssociatedAccountIds": associated_account_ids or [],
        "CounterId": None,
        "State": state,
        "Type": "Receipt",
        "Number": number,
        "VariableSymbol": None,
        "CreatedUtc": created,
        "IssuedUtc": issued,
        "TaxedUtc": None,
        "PaidUtc": None,
        "DueUtc": None,
        "LastReminderDateUtc": None,
        "UpdatedUtc": updated or created,
        "PurchaseOrderNumber": None,
        "Notes": None,
        "Options": {
            "DisplayCustomer": True,
            "DisplayTaxation": True,
            "TrackReceivable": True,
            "DisplayCid": False,
            "Rebated": False,
        },
        "Revenue": [],
        "Payments": [],
        "OrderItems": [],
        "PaymentItems": [],
        "AssigneeData": None,
        "OwnerData": None,
        "CompanyDetails": None,
        "AssociatedAccountData": [],
        "EnterpriseData": {
            "AdditionalTaxIdentifier": None,
            "CompanyName": None,
            "BankAccount": None,
            "BankName": None,
            "Iban": None,
            "Bic": None,
        },
        "CorrectionState": "Bill",
        "CorrectionType": None,
        "CorrectedBillId": None,
    }


def bill_account_data(account: Entity, account_type: str) -> Entity:
    """`OwnerData` / associated account data of a bill from a customer or company."""
    addr = account.get("Address") or {}
    bill_address = {
        "Line1": addr.get("Line1"),
        "Line2": addr.get("Line2"),
        "City": addr.get("City"),
        "PostalCode": addr.get("PostalCode"),
        "SubdivisionCode": addr.get("CountrySubdivisionCode"),
        "CountryCode": addr.get("CountryCode"),
    }
    if account_type == "Company":
        return {
            "Discriminator": "BillCompanyData",
            "Value": {
                "Id": account["Id"],
                "Address": bill_address,
                "LegalIdentifiers": {
                    "TaxIdentifier": account.get("TaxIdentifier"),
                    "CityOfRegistration": None,
                },
                "BillingCode": account.get("BillingCode"),
                "Name": account["Name"],
                "FiscalIdentifier": account.get("Identifier"),
                "AdditionalTaxIdentifier": account.get("AdditionalTaxIdentifier"),
                "DUNS": account.get("DunsNumber"),
                "Telephone": account.get("Telephone"),
                "TaxIdentifier": account.get("TaxIdentifier"),
                "InvoicingEmail": account.get("InvoicingEmail"),
                "Department": account.get("Department"),
            },
        }
    return {
        "Discriminator": "BillCustomerData",
        "Value": {
            "Id": account["Id"],
            "Address": bill_address,
            "LegalIdentifiers": {
                "TaxIdentifier": account.get("TaxIdentificationNumber"),
                "CityOfRegistration": None,
            },
            "BillingCode": account.get("BillingCode"),
            "LastName": account.get("LastName"),
            "FirstName": account.get("FirstName"),
            "SecondLastName": account.get("SecondLastName"),
            "TitleName": account.get("Title"),
        },
    }


def order_item(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    service_id: str,
    order_id: str,
    bill_id: str | None,
    accounting_category_id: str | None,
    billing_name: str | None,
    external_identifier: str | None,
    unit_count: int,
    unit_amount: Entity,
    amount: Entity,
    revenue_type: str,
    item_type: str,
    created: str,
    consumed: str,
    notes: str | None,
    product_id: str | None,
) -> Entity:
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "Notes": notes,
        "ServiceId": service_id,
        "ServiceOrderId": order_id,
        "BillId": bill_id,
        "AccountingCategoryId": accounting_category_id,
        "BillingName": billing_name,
        "ExternalIdentifier": external_identifier,
        "UnitCount": unit_count,
        "UnitAmount": unit_amount,
        "Amount": amount,
        "OriginalAmount": amount,
        "RevenueType": revenue_type,
        "CreatorProfileId": CONNECTOR_PROFILE_ID,
        "UpdaterProfileId": CONNECTOR_PROFILE_ID,
        "CreatedUtc": created,
        "UpdatedUtc": created,
        "ConsumedUtc": consumed,
        "CanceledUtc": None,
        "ClosedUtc": None,
        "StartUtc": consumed,
        "ClaimedUtc": None,
        "AccountingState": "Open",
        "Type": item_type,
        "Options": {"CanceledWithReservation": False},
        "Data": (
            {
                "Discriminator": "Product",
                "Rebate": None,
                "Product": {"ProductId": product_id, "AgeCategoryId": None},
            }
            if product_id
            else None
        ),
    }


def payment(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    bill_id: str | None,
    reservation_id: str | None,
    amount: Entity,
    payment_type: str,
    created: str,
    notes: str | None = None,
) -> Entity:
    """A `Payment` of `payments/getAll`: its amount is negative (money received offsets the
    bill's items), charged at once, open until its bill closes."""
    data: Entity | None = None
    if payment_type == "AlternativePayment":
        data = {
            "Discriminator": "Alternative",
            "CreditCard": None,
            "Invoice": None,
            "External": None,
            "Ghost": None,
            "Alternative": {"Type": "WireTransfer"},
        }
    elif payment_type == "ExternalPayment":
        data = {
            "Discriminator": "External",
            "CreditCard": None,
            "Invoice": None,
            "External": {"Type": "Unspecified", "ExternalIdentifier": None},
            "Ghost": None,
            "Alternative": None,
        }
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "PaymentRequestId": None,
        "BillId": bill_id,
        "ReservationId": reservation_id,
        "AccountingCategoryId": None,
        "Amount": amount,
        "OriginalAmount": amount,
        "Notes": notes,
        "SettlementId": None,
        "ConsumedUtc": created,
        "ClosedUtc": None,
        "ChargedUtc": created,
        "CreatedUtc": created,
        "UpdatedUtc": created,
        "SettlementUtc": None,
        "AccountingState": "Open",
        "State": "Charged",
        "Identifier": "",
        "Type": payment_type,
        "Kind": "Payment",
        "Data": data,
        "PaymentOrigin": "System",
    }


def product_service_order(order: Entity, number: str) -> Entity:
    """A product service order (`productServiceOrders/getAll`) from a stored order."""
    return {
        "Id": order["Id"],
        "ServiceId": order["ServiceId"],
        "AccountId": order["AccountId"],
        "AccountType": order["AccountType"],
        "CreatorProfileId": CONNECTOR_PROFILE_ID,
        "UpdaterProfileId": CONNECTOR_PROFILE_ID,
        "BookerId": None,
        "Number": number,
        "State": order["State"],
        "Origin": "Connector",
        "CommanderOrigin": None,
        "OriginDetails": None,
        "CreatedUtc": order["CreatedUtc"],
        "UpdatedUtc": order["UpdatedUtc"],
        "CancelledUtc": None,
        "VoucherId": None,
        "BusinessSegmentId": None,
        "LinkedReservationId": order.get("LinkedReservationId"),
        "Options": {
            "OwnerCheckedIn": False,
            "AllCompanionsCheckedIn": False,
            "AnyCompanionCheckedIn": False,
            "ConnectorCheckIn": False,
        },
    }
