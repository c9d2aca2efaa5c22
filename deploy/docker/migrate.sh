#!/bin/sh
# attendandt-migrate: the one-shot migration job (compose `migrate`, Kubernetes Job).
#
# `attendandt migrate --admin-url` provisions each service's role and schema, then migrates
# each schema logged in as its role, with no password in that URL (provision() never sets
# one; deploy/postgres/init.sql does). The role passwords reach the Postgres driver through
# a password file written here from the environment:
#   GUESTS_DB_PASSWORD, VENDORS_DB_PASSWORD, USERS_DB_PASSWORD, PUBLISHER_DB_PASSWORD.
# Without --admin-url in the environment (DATABASE_ADMIN_URL unset) it migrates each
# service with its own URL instead: <SERVICE>_DATABASE_URL, as used on managed Postgres where
# the cluster holds no superuser credentials.
set -eu

# Streams and KV buckets first: only the ops NATS user (`attendandt`) may create or change
# them; the services only verify them at start (attendandt.contracts.permissions).
# NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TLS_CA_FILE.
if [ -n "${NATS_USER:-}" ]; then
    attendandt nats ensure-streams
fi

if [ -n "${DATABASE_ADMIN_URL:-}" ]; then
    umask 077
    PGPASSFILE="$(mktemp)"
    export PGPASSFILE
    for pair in guests:GUESTS_DB_PASSWORD vendors:VENDORS_DB_PASSWORD \
                users:USERS_DB_PASSWORD publisher:PUBLISHER_DB_PASSWORD; do
        role="${pair%%:*}"
        eval "password=\${${pair#*:}:-}"
        # pgpass format: host:port:database:user:password (passwords must be URL-safe anyway).
        [ -n "$password" ] && printf '*:*:*:%s:%s\n' "$role" "$password" >> "$PGPASSFILE"
    done
    exec attendandt migrate --admin-url "$DATABASE_ADMIN_URL" "$@"
fi

status=0
for pair in guests:GUESTS_DATABASE_URL vendors:VENDORS_DATABASE_URL \
            users:USERS_DATABASE_URL mews-publisher:PUBLISHER_DATABASE_URL; do
    service="${pair%%:*}"
    eval "url=\${${pair#*:}:-}"
    if [ -z "$url" ]; then
        echo "attendandt-migrate: ${pair#*:} is not set; skipping $service" >&2
        continue
    fi
    attendandt migrate --service "$service" --database-url "$url" || status=$?
done
exit "$status"
