# A stand-in for ghcr.io/astral-sh/uv:<version>: the same single file, /uv, installed from
# PyPI. The services' Dockerfiles only copy /uv out of it (UV_IMAGE build argument).
ARG PYTHON_IMAGE=attendandt-local/python:3.11
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
RUN python3.11 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}"

FROM scratch
COPY --from=build /opt/uv/bin/uv /uv
