# A stand-in for postgres:16-bookworm: Debian bookworm's PostgreSQL (15; the services need no
# 16 feature) with an entrypoint that honours what compose uses of the official one:
# POSTGRES_USER, POSTGRES_PASSWORD, /docker-entrypoint-initdb.d/*.sql on an empty volume,
# and the data in /var/lib/postgresql/data.
ARG DEBIAN_IMAGE=attendandt-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data
COPY --chmod=0755 postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
