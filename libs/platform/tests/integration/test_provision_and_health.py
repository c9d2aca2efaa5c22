import asyncpg
import httpx
import pytest

from attendandt.platform.health import HealthServer
from attendandt.platform.provision import provision, role_url


async def test_a_service_role_cannot_touch_another_services_schema(database_url: str) -> None:
    assert await provision(database_url, schema="guests", role="guests_svc", password=None)
    await provision(database_url, schema="vendors", role="vendors_svc", password=None)
    again = await provision(database_url, schema="guests", role="guests_svc", password=None)
    assert "created role guests_svc" not in again  # idempotent

    guests = await asyncpg.connect(role_url(database_url, "guests_svc"))
    vendors = await asyncpg.connect(role_url(database_url, "vendors_svc"))
    try:
        await guests.execute(
            "create table guests.guest (id int); insert into guests.guest values (1)"
        )
        assert await guests.fetchval("select count(*) from guests.guest") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.fetchval("select count(*) from guests.guest")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.execute("create table guests.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.execute("create table public.anywhere (id int)")
    finally:
        await guests.close()
        await vendors.close()


async def test_health_and_readiness() -> None:
    ready = {"nats": True, "database": True}

    async def check() -> dict[str, bool]:
        return dict(ready)

    server = HealthServer(check)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).json() == {
                "status": "ready",
                "nats": True,
                "database": True,
            }
            ready["database"] = False
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["database"] is False
            assert (await client.get("/nope")).status_code == 404
    finally:
        await server.stop()
