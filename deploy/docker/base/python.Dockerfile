# A stand-in for python:3.11-slim-bookworm, made from Debian's own packages, for machines that
# reach Debian's and PyPI's mirrors but no container registry (deploy/tests/test-deploy.sh
# builds it only when the official image cannot be pulled). The services' Dockerfiles take it
# through their PYTHON_IMAGE build argument.
#
# DEBIAN_IMAGE is a Debian bookworm root file system imported into the engine (debootstrap
# --variant=minbase, then docker import). The build context holds `build-ca.crt`, the build
# machine's CA bundle: the package mirrors may be reached through a TLS-inspecting proxy that
# only the build machine trusts.
ARG DEBIAN_IMAGE=attendandt-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY build-ca.crt /usr/local/share/attendandt/build-ca.crt
ENV SSL_CERT_FILE=/usr/local/share/attendandt/build-ca.crt \
    PIP_CERT=/usr/local/share/attendandt/build-ca.crt \
    LANG=C.UTF-8
# Same paths as the official image: uv and the venvs look for /usr/local/bin/python3.11.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       python3.11 python3.11-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/bin/python3.11 /usr/local/bin/python3.11 \
    && ln -s /usr/bin/python3.11 /usr/local/bin/python3 \
    && ln -s /usr/bin/python3.11 /usr/local/bin/python
CMD ["python3"]
