"""configuration/get, services, products and resource categories of both hotels, in the shape
the Mews documentation gives them."""

from __future__ import annotations

import pytest

ENTERPRISE_FIELDS = {
    "Id",
    "ChainId",
    "ChainName",
    "CreatedUtc",
    "UpdatedUtc",
    "Name",
    "ShortName",
    "TimeZoneIdentifier",
    "DefaultLanguageCode",
    "Pricing",
    "AddressId",
    "Address",
    "Currencies",
    "GroupNames",
    "Subscription",
    "IsPortfolio",
}


@pytest.mark.parametrize(
    ("hotel", "zone", "currency", "pricing", "language"),
    [
        ("gross", "Europe/London", "GBP", "Gross", "en-GB"),
        ("net", "America/New_York", "USD", "Net", "en-US"),
    ],
)
def test_configuration_names_the_hotel_its_zone_and_currency(
    api, mews_sim, hotel, zone, currency, pricing, language
) -> None:
    enterprise = getattr(mews_sim, hotel)
    answer = api("configuration/get", {}, token=enterprise.token).json()
    config = answer["Enterprise"]
    assert set(config) >= ENTERPRISE_FIELDS
    assert config["Id"] == enterprise.id
    assert config["Name"] == enterprise.name
    assert "SIM" in config["Name"]
    assert config["ShortName"] == enterprise.short_name
    assert 0 < len(config["ShortName"]) <= 11
    assert config["TimeZoneIdentifier"] == zone == enterprise.time_zone
    assert config["Pricing"] == pricing
    assert config["DefaultLanguageCode"] == language
    assert [c["Currency"] for c in config["Currencies"] if c["IsDefault"]] == [currency]
    assert all(set(c) == {"Currency", "IsDefault", "IsEnabled"} for c in config["Currencies"])
    assert config["Address"]["City"] in ("London", "Washington")
    assert config["UpdatedUtc"] <= answer["NowUtc"]
    assert mews_sim.gross.name != mews_sim.net.name


@pytest.mark.parametrize("hotel", ["gross", "net"])
def test_every_additional_service_has_products_spa_included(api, mews_sim, hotel) -> None:
    token = getattr(mews_sim, hotel).token
    services = api(
        "services/getAll", {"ServiceType": "Additional", "Limitation": {"Count": 100}}, token=token
    ).json()["Services"]
    names = {s["Names"]["en-US"]: s for s in services}
    assert {"Spa", "Restaurant", "Parking"} <= set(names)
    for service in services:
        assert service["Data"]["Discriminator"] == "Additional"
        products = api(
            "products/getAll",
            {"ServiceIds": [service["Id"]], "Limitation": {"Count": 100}},
            token=token,
        ).json()["Products"]
        assert products, f"{service['Name']} has no products"
        for product in products:
            assert product["ServiceId"] == service["Id"]
            assert product["IsActive"] is True
            assert isinstance(product["Names"], dict)
            assert product["Names"]["en-US"]
            assert product["Price"]["Currency"] == ("GBP" if hotel == "gross" else "USD")
            assert product["UpdatedUtc"] >= product["CreatedUtc"]
    spa = api(
        "products/getAll",
        {"ServiceIds": [names["Spa"]["Id"]], "Limitation": {"Count": 100}},
        token=token,
    ).json()["Products"]
    assert {p["Names"]["en-US"] for p in spa} >= {"Massage 60 min", "Sauna access"}
    assert all(p["Classifications"]["Wellness"] for p in spa)


def test_resource_categories_in_the_documented_shape(api) -> None:
    accommodation = "bd26d8db-86da-4f96-9efc-e5a4654a4a94"
    categories = api(
        "resourceCategories/getAll",
        {"ServiceIds": [accommodation], "Limitation": {"Count": 100}},
    ).json()["ResourceCategories"]
    assert {c["Names"]["en-GB"] for c in categories} >= {
        "Standard Double",
        "Twin",
        "Riverside Suite",
    }
    for category in categories:
        assert {
            "Id",
            "EnterpriseId",
            "ServiceId",
            "IsActive",
            "Type",
            "Classification",
            "Names",
            "ShortNames",
            "Descriptions",
            "Ordering",
            "Capacity",
            "ExtraCapacity",
            "ExternalIdentifier",
        } <= set(category)
        assert category["ServiceId"] == accommodation
        assert category["Type"] in ("Room", "Suite")
