"""Both kinds of access token, and what is refused: expired, forged, for another audience or
issuer, unsigned, HS/RS key confusion, unknown and deactivated users. Plus the legacy
sign-in, refresh rotation and sign-out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from gateway_testkit import PRINCIPALS, FakeServices, Running, gateway_settings, serve
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.events import USER_EVENT
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
from attendandt.gateway.auth import JwksKeys, TokenVerifier
from attendandt.gateway.settings import GATEWAY_ISSUER, ExternalJwtSettings

SUPABASE_SECRET = "supabase-project-jwt-secret-" + "s" * 32
ISSUER = "https://project.supabase.co/auth/v1"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
ME = "/api/v1/auth/me"


def _jwks() -> dict[str, Any]:
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key()))
    return {
        "keys": [
            {**rsa_jwk, "kid": "rsa-1", "use": "sig", "alg": "RS256"},
            {**ec_jwk, "kid": "ec-1", "use": "sig", "alg": "ES256"},
        ]
    }


def _jwks_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=_jwks()))
    )


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "sub": "supa-manager",
        "aud": "authenticated",
        "iss": ISSUER,
        "iat": now,
        "exp": now + 300,
        "role": "authenticated",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    """A token PyJWT would refuse to make: `alg: none`, or HS256 keyed with a public key."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if key is None:
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _verifier(*, secret: str | None = SUPABASE_SECRET, jwks: bool = True) -> TokenVerifier:
    external = ExternalJwtSettings(
        hs256_secret=secret,
        jwks_url="https://project.supabase.co/auth/v1/.well-known/jwks.json" if jwks else None,
        issuer=ISSUER,
        audience="authenticated",
        leeway_s=0,
    )
    keys = JwksKeys(external.jwks_url or "", 600, http=_jwks_client()) if jwks else None
    return TokenVerifier("test-signing-key-" + "k" * 32, external, jwks=keys)


@pytest.fixture
async def external_gateway(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    services.subjects["supa-manager"] = PRINCIPALS[UserRole.MANAGER]
    async with serve(create_app(gateway_settings(nats_url), verifier=_verifier())) as running:
        yield running


async def _me(running: Running, token: str) -> httpx.Response:
    return await running.client.get(ME, headers={"Authorization": f"Bearer {token}"})


async def test_supabase_tokens_hs256_rs256_es256(external_gateway: Running) -> None:
    tokens = [
        jwt.encode(claims(), SUPABASE_SECRET, algorithm="HS256"),
        jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"}),
        jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"}),
    ]
    for token in tokens:
        response = await _me(external_gateway, token)
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "manager"
        assert "guests:read" in response.json()["permissions"]


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("expired", jwt.encode(claims(exp=int(time.time()) - 60), SUPABASE_SECRET)),
        ("bad signature", jwt.encode(claims(), "another-secret-" + "x" * 32)),
        ("wrong audience", jwt.encode(claims(aud="someone-else"), SUPABASE_SECRET)),
        ("wrong issuer", jwt.encode(claims(iss="https://evil.example"), SUPABASE_SECRET)),
        ("no exp", jwt.encode(claims(exp=None), SUPABASE_SECRET)),
        ("no sub", jwt.encode(claims(sub=None), SUPABASE_SECRET)),
        ("no aud", jwt.encode(claims(aud=None), SUPABASE_SECRET)),
        ("alg none", handmade({"alg": "none", "typ": "JWT"}, claims(), None)),
        ("alg None", handmade({"alg": "None", "typ": "JWT"}, claims(), None)),
        ("unknown kid", jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "x"})),
        ("RS384", jwt.encode(claims(), RSA_KEY, algorithm="RS384", headers={"kid": "rsa-1"})),
        ("garbage", "not.a.token"),
        (
            "own issuer, Supabase key",
            jwt.encode(claims(iss=GATEWAY_ISSUER, aud=GATEWAY_ISSUER), SUPABASE_SECRET),
        ),
        (
            "RS256 header on an EC key",
            jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "ec-1"}),
        ),
    ],
)
async def test_refused_tokens(external_gateway: Running, name: str, token: str) -> None:
    response = await _me(external_gateway, token)
    assert response.status_code == 401, name
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


async def test_hs_rs_key_confusion_is_refused(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> None:
    """A verifier for RS256 keys given an HS256 token whose HMAC key is the RSA public key."""
    await ensure_streams(jetstream)
    services.subjects["supa-manager"] = PRINCIPALS[UserRole.MANAGER]
    forged = handmade({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), RSA_PUBLIC_PEM)
    honest = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    async with serve(
        create_app(gateway_settings(nats_url), verifier=_verifier(secret=None))
    ) as running:
        assert (await _me(running, honest)).status_code == 200
        assert (await _me(running, forged)).status_code == 401
    # The same with a HS256 secret configured as well: the forged token meets the secret.
    async with serve(create_app(gateway_settings(nats_url), verifier=_verifier())) as running:
        assert (await _me(running, forged)).status_code == 401


async def test_unknown_and_deactivated_users_are_refused(
    external_gateway: Running, services: FakeServices
) -> None:
    unknown = jwt.encode(claims(sub="never-linked"), SUPABASE_SECRET)
    assert (await _me(external_gateway, unknown)).status_code == 401

    own_token = external_gateway.token(UserRole.FRONT_DESK)
    assert (await _me(external_gateway, own_token)).status_code == 200
    del services.principals[PRINCIPALS[UserRole.FRONT_DESK].user_id]  # deactivated
    response = await _me(external_gateway, own_token)
    assert response.status_code == 401
    assert "deactivated" in response.json()["detail"]


async def test_a_user_event_drops_the_cached_principal(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, services: FakeServices
) -> None:
    await ensure_streams(jetstream)
    settings = gateway_settings(nats_url, principal_cache_s=300.0)
    async with serve(create_app(settings)) as running:
        token = running.token(UserRole.FRONT_DESK)
        assert (await _me(running, token)).status_code == 200
        del services.principals["u-desk"]
        assert (await _me(running, token)).status_code == 200  # cached
        event = {"user": {"user_id": "u-desk", "name": "x", "role": "front_desk"}}
        await nats_client.publish(
            USER_EVENT.format(enterprise="portfolio", event="deactivated"),
            json.dumps(event).encode(),
        )
        await nats_client.flush()
        for _ in range(50):
            if (await _me(running, token)).status_code == 401:
                break
        assert (await _me(running, token)).status_code == 401


async def test_legacy_sign_in_refresh_and_sign_out(
    gateway: Running, services: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    login = "/api/v1/auth/login"
    wrong = await gateway.client.post(login, json={"email": "desk@hotel.example", "password": "no"})
    assert wrong.status_code == 401
    assert wrong.json()["title"] == "Unauthorized"

    signed_in = await gateway.client.post(
        login, json={"email": "desk@hotel.example", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 200
    pair = signed_in.json()
    assert pair["token_type"] == "Bearer"
    assert pair["refresh_token"] == "rt-1"
    assert pair["user"]["role"] == "front_desk"
    header = jwt.get_unverified_header(pair["access_token"])
    assert header["alg"] == "HS256"
    assert jwt.decode(pair["access_token"], options={"verify_signature": False})["iss"] == (
        GATEWAY_ISSUER
    )
    assert (await _me(gateway, pair["access_token"])).json()["user_id"] == "u-desk"

    refreshed = await gateway.client.post("/api/v1/auth/refresh", json={"refresh_token": "rt-1"})
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] == "rt-2"
    reused = await gateway.client.post("/api/v1/auth/refresh", json={"refresh_token": "spent"})
    assert reused.status_code == 401

    out = await gateway.client.post("/api/v1/auth/logout", json={"refresh_token": "rt-2"})
    assert out.status_code == 204
    assert [name for name, _ in services.calls if name.endswith("refresh_token")] == [
        "issue_refresh_token", "rotate_refresh_token", "rotate_refresh_token",
        "revoke_refresh_token",
    ]  # fmt: skip

    logged = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    for secret in ("correct horse battery", pair["access_token"], "rt-1", "rt-2"):
        assert secret not in logged
