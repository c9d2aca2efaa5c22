"""NatsSettings: a process's NATS user, TLS and inbox prefix from the environment."""

from __future__ import annotations

import ssl

import pytest

from attendandt.platform.messaging import connect_options
from attendandt.platform.settings import NatsSettings, SettingsError


def test_user_password_and_tls_from_the_environment() -> None:
    settings = NatsSettings.from_env(
        {"NATS_URL": "tls://nats:4222", "NATS_USER": "guests", "NATS_PASSWORD": "s3cret"}
    )
    assert "s3cret" not in repr(settings)
    options = connect_options(settings)
    assert options["user"] == "guests"
    assert options["password"] == "s3cret"
    # Its own inbox: the only one its permissions let it read.
    assert options["inbox_prefix"] == "_INBOX_guests"
    assert isinstance(options["tls"], ssl.SSLContext)


def test_without_a_user_the_client_is_anonymous_with_the_default_inbox() -> None:
    settings = NatsSettings.from_env({"NATS_URL": "nats://127.0.0.1:4222"})
    assert connect_options(settings) == {"inbox_prefix": "_INBOX"}


def test_a_cluster_is_a_comma_separated_list_of_its_servers() -> None:
    settings = NatsSettings.from_env(
        {"NATS_URL": "tls://nats-0:4222, tls://nats-1:4222,tls://nats-2:4222,"}
    )
    assert settings.servers == ["tls://nats-0:4222", "tls://nats-1:4222", "tls://nats-2:4222"]
    assert isinstance(settings.ssl_context(), ssl.SSLContext)
    assert NatsSettings.from_env({"NATS_URL": "nats://127.0.0.1:4222"}).servers == [
        "nats://127.0.0.1:4222"
    ]


async def test_the_client_connects_through_the_list_when_a_server_is_gone(nats_url: str) -> None:
    """The first server of the list answers nothing: the client takes the next one."""
    from attendandt.platform.messaging import connect
    from attendandt.testing.processes import free_port

    gone = f"nats://127.0.0.1:{free_port()}"
    client = await connect(NatsSettings(url=f"{gone},{nats_url}"), "settings-test")
    try:
        assert client.is_connected
        assert client.connected_url is not None
        assert f"{client.connected_url.hostname}:{client.connected_url.port}" in nats_url
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NATS_USER": "guests"}, "go together"),
        ({"NATS_PASSWORD": "x"}, "go together"),
        ({"NATS_URL": "nats://guests:pw@nats:4222"}, "must not carry credentials"),
        ({"NATS_URL": "nats://a:4222,nats://guests:pw@b:4222"}, "must not carry credentials"),
        ({"NATS_URL": " , "}, "names no server"),
    ],
)
def test_incomplete_or_leaky_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        NatsSettings.from_env(env)
    assert "pw@" not in str(refused.value)
