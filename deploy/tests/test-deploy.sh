#!/usr/bin/env bash
# `make test-deploy`: the images built with the project's own Dockerfiles, the compose stack
# started with the simulator profile, and checked end to end (deploy/tests/test_compose_stack.py).
#
#   1. a Docker engine: the one that answers, or (root on Debian) docker.io installed and
#      dockerd started here;
#   2. base images: the official ones when they can be pulled, else local stand-ins built from
#      Debian's and PyPI's packages (deploy/docker/base);
#   3. every service image and the tools image, tagged attendandt/<name>:deploytest;
#   4. `compose up` as project attendandt-deploytest on free ports (a `make run` or another
#      stack on this machine is left alone), the checks, then `compose down -v`.
#
# Arguments go to pytest (e.g. -k restart -x). TEST_DEPLOY_KEEP=1 leaves the stack running after the checks (then: `docker-compose -p
# attendandt-deploytest down -v`).
set -euo pipefail
cd "$(dirname "$0")/../.."

PROJECT=attendandt-deploytest
export ATTENDANDT_TAG=deploytest
WORK="$(mktemp -d "${TMPDIR:-/tmp}/attendandt-deploy.XXXXXX")"
SERVICES=(mews-ingest sync guests vendors users mews-publisher gateway)

step() { printf '\n== %s  [%ds]\n' "$*" "$SECONDS"; }
fail() { printf 'test-deploy: %s\n' "$*" >&2; exit 1; }

# ---- 1. the engine ---------------------------------------------------------------------------
ensure_engine() {
    docker info >/dev/null 2>&1 && return
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        fail "no Docker engine answers. Start one (e.g. 'sudo systemctl start docker'), or run
this as root on Debian to have docker.io installed and started, then run make test-deploy again."
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
        echo "installing Debian's docker.io and docker-compose"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null
    fi
    echo "starting dockerd (log: $WORK/dockerd.log)"
    nohup dockerd >"$WORK/dockerd.log" 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    tail -n 20 "$WORK/dockerd.log" >&2
    fail "dockerd did not answer within 60 s (its log above)"
}

# A client that builds with BuildKit (the Dockerfiles use cache mounts): one with the buildx
# plugin, or a client older than 23, which has BuildKit built in (Debian's docker.io).
buildkit_client() {
    if docker buildx version >/dev/null 2>&1; then echo docker; return; fi
    local cli major
    for cli in $(type -ap docker) /usr/bin/docker; do
        major="$("$cli" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)" || true
        if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -lt 23 ]; then echo "$cli"; return; fi
    done
    fail "building needs BuildKit: install the docker buildx plugin"
}

compose_command() {
    if docker compose version >/dev/null 2>&1; then echo "docker compose"; return; fi
    command -v docker-compose >/dev/null 2>&1 && { echo docker-compose; return; }
    fail "neither 'docker compose' nor docker-compose is installed (Debian: apt-get install docker-compose)"
}

build() {  # build <dockerfile> <tag> <context> [args...]
    local file="$1" tag="$2" context="$3"
    shift 3
    echo "building $tag"
    DOCKER_BUILDKIT=1 "$BUILDER" build --network host --quiet --file "$file" --tag "$tag" "$@" \
        "$context" >/dev/null
}

# ---- 2. base images --------------------------------------------------------------------------
present_or_pulled() {
    docker image inspect "$1" >/dev/null 2>&1 || docker pull --quiet "$1" >/dev/null 2>&1
}

ensure_base_images() {
    export PYTHON_IMAGE="${PYTHON_IMAGE:-python:3.11-slim-bookworm}"
    export UV_IMAGE="${UV_IMAGE:-ghcr.io/astral-sh/uv:0.13}"
    export NATS_IMAGE="${NATS_IMAGE:-nats:2.11-alpine}"
    export POSTGRES_IMAGE="${POSTGRES_IMAGE:-postgres:16-bookworm}"
    export NODE_IMAGE="${NODE_IMAGE:-node:22-bookworm-slim}"
    if present_or_pulled "$PYTHON_IMAGE" && present_or_pulled "$UV_IMAGE" \
        && present_or_pulled "$NATS_IMAGE" && present_or_pulled "$POSTGRES_IMAGE" \
        && present_or_pulled "$NODE_IMAGE"; then
        echo "official base images: $PYTHON_IMAGE $UV_IMAGE $NATS_IMAGE $POSTGRES_IMAGE $NODE_IMAGE"
        return
    fi
    echo "the official base images cannot be pulled: building local ones (deploy/docker/base)"
    local debian=attendandt-local/debian:bookworm
    export PYTHON_IMAGE=attendandt-local/python:3.11 UV_IMAGE=attendandt-local/uv:0.13 \
        NATS_IMAGE=attendandt-local/nats:2.15 POSTGRES_IMAGE=attendandt-local/postgres:15 \
        NODE_IMAGE=attendandt-local/node:22
    if ! docker image inspect "$debian" >/dev/null 2>&1; then
        if ! command -v debootstrap >/dev/null 2>&1; then
            [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
                || fail "debootstrap is needed to make a Debian base image (apt-get install debootstrap)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
        fi
        echo "debootstrap: a minimal Debian bookworm root file system"
        debootstrap --variant=minbase bookworm "$WORK/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
            >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
        rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
        tar -C "$WORK/rootfs" -c . | docker import - "$debian" >/dev/null
        rm -rf "$WORK/rootfs"
    fi
    # The build context: the recipes and this machine's CA bundle (see python.Dockerfile).
    local context="$WORK/base"
    mkdir -p "$context"
    cp deploy/docker/base/* "$context/"
    cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$context/build-ca.crt"
    local pair
    for pair in python:"$PYTHON_IMAGE" uv:"$UV_IMAGE" nats:"$NATS_IMAGE" postgres:"$POSTGRES_IMAGE" \
        node:"$NODE_IMAGE"; do
        docker image inspect "${pair#*:}" >/dev/null 2>&1 && continue
        build "$context/${pair%%:*}.Dockerfile" "${pair#*:}" "$context" \
            --build-arg DEBIAN_IMAGE="$debian" --build-arg PYTHON_IMAGE="$PYTHON_IMAGE"
    done
}

# ---- 3. our images ---------------------------------------------------------------------------
build_images() {
    local args=(--build-arg PYTHON_IMAGE="$PYTHON_IMAGE" --build-arg UV_IMAGE="$UV_IMAGE"
        --build-arg NODE_IMAGE="$NODE_IMAGE")
    build deploy/docker/tools.Dockerfile "attendandt/tools:$ATTENDANDT_TAG" . "${args[@]}"
    local service
    for service in "${SERVICES[@]}"; do
        build deploy/docker/service.Dockerfile "attendandt/$service:$ATTENDANDT_TAG" . "${args[@]}" \
            --build-arg SERVICE="$service"
    done
}

# ---- 4. the stack ----------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

collect_logs() {
    $COMPOSE ps >&2 || true
    $COMPOSE logs --no-color --tail 40 >"$WORK/compose.log" 2>&1 || true
    echo "the stack's last log lines: $WORK/compose.log" >&2
    tail -n 120 "$WORK/compose.log" >&2 || true
}

stop_stack() {
    local status=$?
    [ "$status" = 0 ] || collect_logs
    if [ "${TEST_DEPLOY_KEEP:-}" = 1 ]; then
        echo "left running: $COMPOSE down -v"
    elif [ -n "${COMPOSE:-}" ]; then
        step "compose down"
        $COMPOSE down -v --remove-orphans >/dev/null 2>&1 || true
    fi
    exit "$status"
}

step "Docker engine"
ensure_engine
BUILDER="$(buildkit_client)"
COMPOSE_BIN="$(compose_command)"
echo "engine $(docker version --format '{{.Server.Version}}'), building with $BUILDER, compose: $COMPOSE_BIN"

step "base images"
ensure_base_images

step "service images"
build_images

step "compose up"
export GATEWAY_PORT="$(free_port)" INGEST_PORT="$(free_port)" NATS_PORT="$(free_port)" \
    NATS_MONITOR_PORT="$(free_port)" POSTGRES_PORT="$(free_port)" MEWS_SIM_PORT="$(free_port)"
COMPOSE="$COMPOSE_BIN --project-name $PROJECT --env-file deploy/compose/sim.env"
trap stop_stack EXIT
$COMPOSE down -v --remove-orphans >/dev/null 2>&1 || true  # a previous run's leftovers
$COMPOSE up --detach --no-build

step "end-to-end checks"
export TEST_DEPLOY_COMPOSE="$COMPOSE"
uv run --frozen pytest deploy/tests -p no:cacheprovider -v --timeout 900 "$@"
step "test-deploy passed"
