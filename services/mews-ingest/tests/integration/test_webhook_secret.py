"""The webhook secret: taken from `?Token=` as Mews sends it, compared in constant time, never
logged, and a wrong one costs nothing (401, no publish, no dead letter). Dead letters of the
edge keep no token, and `attendandt dlq` shows none. Real nats-server, the simulator."""

import io
import json
import logging
import uuid
from collections.abc import Iterator

import httpx
import msgspec
import pytest
from ingest_support import stream_changes, wait_for
from nats.js import JetStreamContext

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.mews import ChangeSource
from attendandt.mews_ingest.webhooks import MAX_BODY
from attendandt.ops.cli import build_parser
from attendandt.platform.logging import JsonFormatter, ReadableFormatter
from attendandt.testing.nats_accounts import nats_env

EDGE_LETTERS = "deadletter.v1.mews-ingest.edge"
#: The HTTP client this test posts with stands in for Mews: its own logs are the sender's,
#: not ours (the simulator quiets them for its deliveries).
SENDER_LOGGERS = frozenset({"httpx", "httpcore"})


def _general(enterprise_id: str, customer_id: str) -> bytes:
    return json.dumps(
        {
            "EnterpriseId": enterprise_id,
            "IntegrationId": str(uuid.uuid4()),
            "Events": [{"Discriminator": "CustomerUpdated", "Value": {"Id": customer_id}}],
        }
    ).encode()


async def _letters(js: JetStreamContext) -> int:
    return int((await js.stream_info("DEAD_LETTERS")).state.messages)


async def _webhook_ids(js: JetStreamContext) -> set[str]:
    return {c.mews_id for c in await stream_changes(js) if c.source is ChangeSource.WEBHOOK}


@pytest.fixture
def logged() -> Iterator[tuple[list[logging.LogRecord], io.StringIO]]:
    """Every record any logger writes during the test (raw, before any masking), and the
    same records as the services print them (JSON lines and readable lines)."""
    records: list[logging.LogRecord] = []
    printed = io.StringIO()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name.split(".")[0] in SENDER_LOGGERS:
                return
            records.append(record)
            printed.write(JsonFormatter("mews-ingest").format(record) + "\n")
            printed.write(ReadableFormatter("mews-ingest").format(record) + "\n")

    root = logging.getLogger()
    handler, level = Keep(level=logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records, printed
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_wrong_or_missing_secret_is_401_with_no_publish_and_no_dead_letter(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    ingest = await start_ingest()
    secret = ingest.app.settings.webhook_secret
    refused_id, accepted_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = _general(mews_sim.gross.id, refused_id)
    letters = await _letters(jetstream)
    port = ingest.app.settings.http_port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for params in (
            {},
            {"Token": ""},
            {"Token": "guess"},
            {"Token": secret + "x"},
            {"Token": secret[:-1]},
            {"Token": [secret, "guess"]},  # two tokens: which one counts? neither
            {"Secret": secret},
        ):
            wrong = await http.post("/webhooks/mews", params=params, content=body)
            assert wrong.status_code == 401, params
            assert wrong.headers["content-type"].startswith("application/problem+json")
            assert wrong.json()["status"] == 401
            assert wrong.json()["detail"] == "missing or wrong webhook token"
        # The secret in the path, the old form, is no longer a way in.
        old_form = await http.post(f"/webhooks/mews/{secret}", content=body)
        assert old_form.status_code == 404
        # The right secret, as Mews spells the parameter and in lower case.
        for name in ("Token", "token"):
            right = await http.post(
                "/webhooks/mews",
                params={name: secret},
                content=_general(mews_sim.gross.id, accepted_id),
            )
            assert right.status_code == 202, right.text
            assert right.json()["accepted"] == 1

    stored = await wait_for(lambda: _webhook_ids(jetstream), what="the accepted delivery")
    assert accepted_id in stored
    # Refused deliveries were answered before any publish: had one been published, it
    # would be in the stream before the accepted one.
    assert refused_id not in stored
    assert await _letters(jetstream) == letters


async def test_the_secret_never_reaches_a_log_line_nor_the_path(
    mews_sim, jetstream: JetStreamContext, start_ingest, logged
) -> None:
    records, printed = logged
    secret = f"hook-{uuid.uuid4().hex}"
    ingest = await start_ingest(webhook_secret=secret)
    port = ingest.app.settings.http_port

    # A delivery the simulator makes, as Mews would (the secret in `?Token=`).
    customer = mews_sim.control.add_customer(LastName="Logman")
    await wait_for(
        lambda: (
            customer["Id"] in {r.__dict__.get("mews_id") for r in records}
            or any(r.name.endswith(".access") and r.__dict__.get("status") == 202 for r in records)
        ),
        what="the simulator's delivery in the access log",
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (
            await http.post("/webhooks/mews", params={"Token": secret + "1"})
        ).status_code == 401
        malformed = await http.post("/webhooks/mews", params={"Token": secret}, content=b"{no")
        assert malformed.status_code == 400
        gone = await http.post(f"/webhooks/mews/{secret}", content=b"{}")
        assert gone.status_code == 404

    access = [r for r in records if r.name == "attendandt.mews_ingest.access"]
    assert {(r.__dict__["path"], r.__dict__["status"]) for r in access} >= {
        ("/webhooks/mews", 202),  # the simulator's
        ("/webhooks/mews", 401),
        ("/webhooks/mews", 400),
        ("(other path)", 404),  # the old form's path, secret and all, is not written
    }
    # Not even the raw records carry it: nothing relies on the formatters' masking.
    for record in records:
        raw = record.getMessage() + repr(record.__dict__)
        assert secret not in raw, record.name
    assert secret not in printed.getvalue()
    assert "webhook refused: missing or wrong token" in printed.getvalue()


async def test_a_dead_lettered_integration_webhook_keeps_no_token(
    mews_sim,
    jetstream: JetStreamContext,
    start_ingest,
    nats_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ingest = await start_ingest()
    secret = ingest.app.settings.webhook_secret
    access_token = f"integration-access-{uuid.uuid4().hex}"
    api_key = f"integration-key-{uuid.uuid4().hex}"
    # An Integration Webhook whose Action is not a string: malformed, so dead-lettered whole.
    body = json.dumps(
        {
            "Action": 7,
            "Data": {
                "Enterprise": {"Id": mews_sim.gross.id, "Name": "Lagoon Hotel"},
                "AccessToken": access_token,
                "Integration": {"Id": str(uuid.uuid4()), "Name": "Attendandt", "ApiKey": api_key},
            },
        }
    ).encode()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ingest.app.settings.http_port}") as h:
        bad = await h.post("/webhooks/mews", params={"Token": secret}, content=body)
        assert bad.status_code == 400
        assert access_token not in bad.text

    stored = await jetstream.get_last_msg("DEAD_LETTERS", EDGE_LETTERS)
    letter = msgspec.json.decode(stored.data, type=DeadLetter)
    assert access_token.encode() not in stored.data
    assert api_key.encode() not in stored.data
    assert secret.encode() not in stored.data
    kept = json.loads(letter.data)
    assert kept["Data"]["AccessToken"] == "***"
    assert kept["Data"]["Integration"]["ApiKey"] == "***"
    assert kept["Data"]["Enterprise"]["Name"] == "Lagoon Hotel"  # the rest stays readable
    assert kept["Action"] == 7
    assert letter.redacted is True
    assert "Action" in letter.reason

    # What an operator sees: `attendandt dlq show SEQ`, `dlq list`, and no requeue of it.
    for name, value in nats_env(nats_url).items():
        monkeypatch.setenv(name, value)

    async def attendandt(*argv: str) -> tuple[int, str]:
        args = build_parser().parse_args(list(argv))
        code = await args.handler(args)
        return code, capsys.readouterr().out

    code, shown = await attendandt("dlq", "show", str(stored.seq))
    assert code == 0
    assert access_token not in shown
    assert api_key not in shown
    assert '"AccessToken": "***"' in shown
    assert "Lagoon Hotel" in shown
    code, listed = await attendandt("dlq", "list", "--service", "mews-ingest")
    assert code == 0
    assert access_token not in listed
    code, requeued = await attendandt("dlq", "requeue", str(stored.seq))
    assert code == 1
    assert "not requeued" in requeued

    # A body too big to parse is truncated JSON: its token is masked by pattern.
    huge = (
        b'{"Action": "IntegrationCreated", "Data": {"AccessToken": "'
        + access_token.encode()
        + b'", "Padding": "'
        + b"x" * MAX_BODY
        + b'"}}'
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ingest.app.settings.http_port}") as h:
        too_big = await h.post("/webhooks/mews", params={"Token": secret}, content=huge)
        assert too_big.status_code == 413
    stored = await jetstream.get_last_msg("DEAD_LETTERS", EDGE_LETTERS)
    assert access_token.encode() not in stored.data
    letter = msgspec.json.decode(stored.data, type=DeadLetter)
    assert letter.data.startswith(b'{"Action": "IntegrationCreated", "Data": {"AccessToken": "***"')
    code, shown = await attendandt("dlq", "show", str(stored.seq))
    assert code == 0
    assert access_token not in shown
