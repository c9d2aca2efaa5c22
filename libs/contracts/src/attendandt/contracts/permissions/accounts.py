"""The nats-server `accounts { ... }` block: every service user and hotel system with its allow
lists."""

from __future__ import annotations

from collections.abc import Iterable

from attendandt.contracts.permissions.allow import Allow, allow_lists, hotel_allow_lists
from attendandt.contracts.permissions.passwords import password_variable
from attendandt.contracts.permissions.principals import (
    EXAMPLE_HOTEL_SYSTEMS,
    HOTEL_ACCOUNT,
    HOTEL_JS_PREFIX,
    RESTRICTED_STREAM,
    SERVICES_ACCOUNT,
    HotelSystem,
)
from attendandt.contracts.permissions.service_users import USERS
from attendandt.contracts.streams import ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED


def _quoted(items: Iterable[str], indent: str) -> str:
    return "\n".join(f'{indent}"{item}"' for item in items)


def _user_block(name: str, allow: Allow, comment: str, indent: str, *, hotel: bool = False) -> str:
    lines = [
        f"{indent}# {comment}",
        f"{indent}{{",
        f'{indent}  user: "{name}"',
        f"{indent}  password: ${password_variable(name, hotel=hotel)}",
        f"{indent}  permissions: {{",
        f"{indent}    publish: {{ allow: [",
        _quoted(allow.publish, indent + "      "),
        f"{indent}    ] }}",
        f"{indent}    subscribe: {{ allow: [",
        _quoted(allow.subscribe, indent + "      "),
        f"{indent}    ] }}",
    ]
    if allow.allow_responses:
        lines.append(f"{indent}    allow_responses: {{ max: 1 }}")
    lines += [f"{indent}  }}", f"{indent}}}"]
    return "\n".join(lines)


def _pull_api(stream: str) -> list[tuple[str, str, str]]:
    """(what, exported subject, imported as) for the pull API of one stream's consumers."""
    return [
        (
            "pull",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.*",
            f"{HOTEL_JS_PREFIX}.CONSUMER.MSG.NEXT.{stream}.*",
        ),
        (
            "info",
            f"$JS.API.CONSUMER.INFO.{stream}.*",
            f"{HOTEL_JS_PREFIX}.CONSUMER.INFO.{stream}.*",
        ),
    ]


def render_accounts(hotel_systems: Iterable[HotelSystem] = EXAMPLE_HOTEL_SYSTEMS) -> str:
    """The nats-server `accounts { ... }` block (no `no_auth_user`: anonymous is refused).

    Passwords are `$NATS_<USER>_PASSWORD` variables read from the server's environment, so
    the text holds no secret and is the same in every environment."""
    systems = tuple(hotel_systems)
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise ValueError(f"hotel systems named twice: {names}")
    clash = set(names) & {u.name for u in USERS}
    if clash:
        raise ValueError(f"hotel systems named like a service: {sorted(clash)}")
    granted = [s.name for s in systems if s.restricted]
    exports: list[str] = []
    imports: list[str] = []
    for stream, subjects, to in (
        (ATTENDANDT_EVENTS.name, ATTENDANDT_EVENTS.subjects, [*names]),
        (RESTRICTED_STREAM, ATTENDANDT_RESTRICTED.subjects, granted),
    ):
        if not to:
            continue
        for subject in subjects:
            exports.append(f'      {{ stream: "{subject}", accounts: [{HOTEL_ACCOUNT}] }}')
            source = f'account: {SERVICES_ACCOUNT}, subject: "{subject}"'
            imports.append(f"      {{ stream: {{ {source} }} }}")
        for kind, exported, imported in _pull_api(stream):
            response = ", response_type: stream" if kind == "pull" else ""
            exports.append(
                f'      {{ service: "{exported}"{response}, accounts: [{HOTEL_ACCOUNT}] }}'
            )
            imports.append(
                f'      {{ service: {{ account: {SERVICES_ACCOUNT}, subject: "{exported}" }}, '
                f'to: "{imported}" }}'
            )
        ack = f"$JS.ACK.{stream}.>"
        exports.append(f'      {{ service: "{ack}", accounts: [{HOTEL_ACCOUNT}] }}')
        imports.append(f'      {{ service: {{ account: {SERVICES_ACCOUNT}, subject: "{ack}" }} }}')
    service_users = "\n".join(
        _user_block(u.name, allow_lists(u), u.description, "      ") for u in USERS
    )
    hotel_users = "\n".join(
        _user_block(
            s.name,
            hotel_allow_lists(s),
            "hotel system" + (", granted guest contact data" if s.restricted else ""),
            "      ",
            hotel=True,
        )
        for s in systems
    )
    parts = [
        "# GENERATED from libs/contracts (attendandt.contracts.permissions): do not edit.",
        "# Regenerate: uv run attendandt nats accounts [--hotel-system NAME[:restricted] ...]",
        "# Passwords are read from the server's environment ($NATS_<USER>_PASSWORD).",
        "accounts {",
        f"  {SERVICES_ACCOUNT} {{",
        "    jetstream: enabled",
        "    users: [",
        service_users,
        "    ]",
    ]
    if exports:
        parts += ["    exports: [", *exports, "    ]"]
    parts += ["  }"]
    if systems:
        parts += [
            f"  {HOTEL_ACCOUNT} {{",
            "    # No JetStream of its own: nothing a hotel system does can use storage here.",
            "    imports: [",
            *imports,
            "    ]",
            "    users: [",
            hotel_users,
            "    ]",
            "  }",
        ]
    parts += ["}", ""]
    return "\n".join(parts)
