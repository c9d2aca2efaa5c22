# The one image recipe for every service, told which by SERVICE:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=guests .
# Build from the repository root: the uv workspace (uv.lock, libs/) is the build context.
#
# Why one shared recipe and not seven: the services differ only by their distribution
# (attendandt-<name>) and module (attendandt.<name with _>); a copy per service would drift.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# uv's minor version matches the one that wrote uv.lock (workspace packages build with uv_build 0.13).
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13
# Builds the web app the gateway serves (the other images only mount its output, see below).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${UV_IMAGE} AS uv

# ---- web: the React app, built as `make web` does (npm ci from package-lock.json) ------------
FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

# ---- builder: resolve nothing, install exactly what uv.lock says --------------------------
FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<name> (a folder under services/)" >&2; exit 1; }
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# The whole workspace is copied (.dockerignore keeps caches and .venv out): uv needs every
# member's pyproject.toml to read the workspace, and the cache mount keeps rebuilds fast.
COPY . .
# --frozen: install from uv.lock as committed, fail instead of re-resolving.
# --no-editable: the venv holds real copies of the workspace packages, not links to /src.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "attendandt-${SERVICE}"

# ---- runtime: the venv on a slim Python, no build tools, no uv, not root ------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
RUN groupadd --system --gid 10001 attendandt \
    && useradd --system --uid 10001 --gid attendandt --no-create-home --home-dir /app attendandt
# Same path as in the builder: the venv's scripts carry absolute shebangs.
COPY --from=builder --chown=10001:10001 /app/.venv /app/.venv
# The gateway serves the web app from WEB_DIST (default web/dist, under /app). A bind mount,
# not a COPY: only the gateway's image gets a layer with the files.
RUN --mount=type=bind,from=web,source=/web/dist,target=/tmp/web-dist \
    if [ "${SERVICE}" = gateway ]; then mkdir -p /app/web && cp -r /tmp/web-dist /app/web/dist; fi
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ATTENDANDT_ENV=production \
    HEALTH_PORT=8080
# `attendandt-service [args]` runs `python -m attendandt.<module> [args]` (default: serve);
# written at build time because a Dockerfile cannot turn dashes into underscores.
RUN module="attendandt.$(echo "${SERVICE}" | tr - _)" \
    && printf '#!/bin/sh\n[ "$#" -eq 0 ] && set -- serve\nexec python -m %s "$@"\n' "$module" \
       > /usr/local/bin/attendandt-service \
    && chmod 0755 /usr/local/bin/attendandt-service
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# curl-free: the image's own Python asks /readyz; any error or non-2xx answer fails.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('HEALTH_PORT', '8080') + '/readyz', timeout=4)"]
# exec keeps Python as PID 1, so SIGTERM reaches the service and it drains.
CMD ["attendandt-service"]
