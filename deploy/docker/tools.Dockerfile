# The operations image: the `attendandt` command with every service's migrations, and the
# Mews simulator. Used by the one-shot `migrate` job (compose and Kubernetes) and by the
# compose `sim` profile. Not a service image: it holds all workspace packages.
#   docker build -f deploy/docker/tools.Dockerfile -t attendandt/tools .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY . .
# Every workspace package: `attendandt migrate` finds the services' migrations through their
# entry points, so they must be installed next to it.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --all-packages

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 attendandt \
    && useradd --system --uid 10001 --gid attendandt --no-create-home --home-dir /app attendandt
COPY --from=builder --chown=10001:10001 /app/.venv /app/.venv
COPY --chmod=0755 deploy/docker/migrate.sh /usr/local/bin/attendandt-migrate
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ATTENDANDT_ENV=production
WORKDIR /app
USER 10001:10001
CMD ["attendandt", "--help"]
