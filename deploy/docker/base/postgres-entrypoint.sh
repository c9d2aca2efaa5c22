#!/bin/sh
# The parts of the official postgres image's entrypoint that compose relies on.
set -eu
: "${POSTGRES_USER:=postgres}"

if [ "$(id -u)" = 0 ]; then
    # The volume arrives owned by root; postgres refuses to run as root.
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres: POSTGRES_PASSWORD is not set; set it (compose passes it)" >&2
        exit 1
    fi
    password_file="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
    initdb --username="$POSTGRES_USER" --pwfile="$password_file" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    # Socket only while the init scripts run, so healthchecks over TCP wait for the real start.
    pg_ctl --wait --silent -o "-c listen_addresses=''" start
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sql) echo "postgres: running $script"
                   psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
                        --quiet -f "$script" ;;
            *) echo "postgres: ignoring $script" ;;
        esac
    done
    pg_ctl --wait --silent -m fast stop
fi

[ "$1" = postgres ] && shift && set -- postgres -c listen_addresses='*' "$@"
exec "$@"
