"""Structured logging: JSON lines in production, readable lines in development.

Secrets never reach the output: values under secret-looking keys are replaced, and token-,
password- and bearer-shaped text inside messages is masked, whatever logged it.

This module is the one definition of what is secret: dead letters (`redact_body`) and the
command-line tools use the same functions before they store or print anything.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|cookie|api_?key", re.I)
_SECRET_TEXT = [
    # Mews ClientToken / AccessToken shape: 32 hex, dash, 31+ hex.
    (re.compile(r"\b[0-9A-F]{32}-[0-9A-F]{20,40}\b"), "***"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***"),
    (
        re.compile(
            r"(?i)((?:access|client|refresh)?_?token|password|secret|api_?key)"
            r"([\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}]+)"
        ),
        r"\1\2***",
    ),
    (re.compile(r"(://[^:/\s]+:)[^@/\s]+@"), r"\1***@"),
]  # fmt: skip
REDACTED = "***"

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def redact_value(key: str, value: Any) -> Any:
    """`value` (found under `key`) with secrets masked, recursively through dicts and lists.
    Under a secret-looking key everything goes but a flag or a null (`has_password: true`
    tells nothing)."""
    if _SECRET_KEY.search(key) and not isinstance(value, bool | None):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(key, v) for v in value]
    return value


def redact_body(data: bytes) -> bytes:
    """`data` with its secrets masked: a JSON body has every value under a secret-looking key
    replaced (at any depth) and token-shaped text masked; other text is masked by pattern
    (a truncated JSON body too); bytes that are not UTF-8 are returned as they are."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return data
    try:
        parsed = json.loads(text)
        redacted = redact_value("", parsed)
    except (ValueError, RecursionError):
        # Not JSON, or nested deeper than Python recurses (a hostile body): masked as text.
        masked = redact_text(text)
        return data if masked == text else masked.encode()
    if redacted == parsed:
        return data  # nothing secret: the original bytes, so a requeue sends them unchanged
    # Key order and non-ASCII text as they arrived: only the secret values change.
    return json.dumps(redacted, ensure_ascii=False).encode()


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
    return {k: redact_value(k, v) for k, v in extra.items()}


def _trace_ids() -> dict[str, str]:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": redact_text(record.getMessage()),
            **_trace_ids(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class ReadableFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{when} {record.levelname:<7} {record.name}: {redact_text(record.getMessage())}"
        if fields:
            line += f"  {fields}"
        if record.exc_info:
            line += "\n" + redact_text(self.formatException(record.exc_info))
        return line


def configure_logging(service: str, *, level: str = "INFO", json_lines: bool = False) -> None:
    """Set up the root logger once per process (calling it again replaces the handler)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if json_lines else ReadableFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The libraries' INFO lines repeat every request or reconnect attempt.
    for noisy in ("nats", "httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
