"""Who may publish and subscribe to what on NATS: one user per process, derived from contracts.

Each NATS user is described by what it does in terms of the contracts (the subjects it
produces, the durable consumers it pulls from, the request-reply services it answers or
calls, the KV buckets it reads or writes), and `allow_lists()` turns that into the
nats-server `publish` / `subscribe` allow lists, JetStream API subjects included.
`render_accounts()` writes the nats-server `accounts { ... }` block from it; that one text is
the config of `make run`, of docker-compose and of Kubernetes
(`deploy/k8s/base/nats/accounts.conf` is generated: `attendandt nats accounts`), and the
tests start a real nats-server with it.

Why these rules:

- Commands that change users (`cmd.v1.users.>`): no service produces them today (users are
  made through the users service's request-reply API, by the gateway or `attendandt`), so
  only the ops command may publish them (to requeue a dead letter). A compromised ingest or
  gateway cannot make anyone an admin by publishing one.
- Request-reply (`rpc.v1.<service>.>`) is published only by the gateway and the ops
  command: the `Attendandt-Caller` header (contracts.caller) is trusted because nobody
  else can put a request there.
- Replies: each user reads only its own inbox (`_INBOX_<user>.>`, clients set that inbox
  prefix), so nobody reads another's replies (sign-in answers carry tokens); a service that
  answers requests may publish one reply to the reply subject of a request it received
  (`allow_responses`), never to an inbox it chose.
- Streams are created and changed only by the ops command (`attendandt dev`, the migration
  job); services may read stream info (so `ensure_streams` verifies them at start) and
  manage only their own durable consumers: a client allowed to create any consumer could
  aim a push consumer's `deliver_subject` at a command subject and have the server publish
  there for it.
- Hotel systems live in their own account and import only the public events and the pull
  API of the consumer the operator created for them (see `HotelSystem`).

What subject permissions cannot express: the config inside a consumer-create request. A
service may create its own durables (name and filter fixed by the API subject), so a
compromised service could make one of them a push consumer whose `deliver_subject` is
another subject of the account; it would deliver only messages of its own filter (which that
service may read anyway). Closing that needs the consumers created by the ops command, as
for hotel systems, and the services binding to them.
"""

from __future__ import annotations

from attendandt.contracts.permissions.accounts import render_accounts
from attendandt.contracts.permissions.allow import Allow, allow_lists, hotel_allow_lists
from attendandt.contracts.permissions.passwords import (
    Credentials,
    new_password,
    password_variable,
    password_variables,
    service_env,
    usable_password,
)
from attendandt.contracts.permissions.principals import (
    EXAMPLE_HOTEL_SYSTEMS,
    HOTEL_ACCOUNT,
    HOTEL_JS_PREFIX,
    OPS,
    RESTRICTED_STREAM,
    RESTRICTED_SUBJECTS,
    SERVICES_ACCOUNT,
    Consumer,
    HotelSystem,
    NatsUser,
    inbox_prefix,
    parse_hotel_system,
)
from attendandt.contracts.permissions.service_users import (
    IMPORT_TARGETS,
    OPERATOR_ONLY,
    RPC_SERVICES,
    USERS,
    user,
)

__all__ = [
    "EXAMPLE_HOTEL_SYSTEMS",
    "HOTEL_ACCOUNT",
    "HOTEL_JS_PREFIX",
    "IMPORT_TARGETS",
    "OPERATOR_ONLY",
    "OPS",
    "RESTRICTED_STREAM",
    "RESTRICTED_SUBJECTS",
    "RPC_SERVICES",
    "SERVICES_ACCOUNT",
    "USERS",
    "Allow",
    "Consumer",
    "Credentials",
    "HotelSystem",
    "NatsUser",
    "allow_lists",
    "hotel_allow_lists",
    "inbox_prefix",
    "new_password",
    "parse_hotel_system",
    "password_variable",
    "password_variables",
    "render_accounts",
    "service_env",
    "usable_password",
    "user",
]
