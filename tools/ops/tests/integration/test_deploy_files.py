"""The deployment files are valid, complete and consistent, checked offline.

No Docker engine and no network:

- docker-compose.yml is validated against the Compose Specification JSON schema committed at
  deploy/compose/compose-spec.schema.json (with `jsonschema`), plus the references the
  schema cannot see (depends_on targets, volumes, files, env files).
- deploy/k8s overlays are rendered by the small Kustomize renderer below (resources,
  namespace, images, strategic-merge patches, generators without name hashes: the overlays
  use nothing else, and a test fails if one starts to) and every object is validated with
  `kubernetes-validate` against the bundled Kubernetes OpenAPI schemas, strictly.
- The NATS configurations are parsed by the real nats-server (`-t`), and the hotel-systems
  permissions are exercised against a real server started from them.
- deploy/postgres/init.sql is run (twice) with psql against the session's real Postgres.
- The one service Dockerfile is checked for its stages, user and health check.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import kubernetes_validate
import nats
import pytest
import yaml
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from attendandt.contracts import permissions
from attendandt.ops.nats_accounts import make_certificates
from attendandt.testing.processes import free_port, spawn, wait_for_port
from attendandt.testing.servers import nats_server_binary, postgres_bin_dir

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
NATS_DIR = K8S / "base" / "nats"

SERVICES = ("mews-ingest", "sync", "guests", "vendors", "users", "mews-publisher", "gateway")
# Service → schema (= role) for the services that own one.
SCHEMAS = {
    "guests": "guests",
    "vendors": "vendors",
    "users": "users",
    "mews-publisher": "publisher",
}
MEWS_SERVICES = {"mews-ingest", "sync", "mews-publisher"}
KUBERNETES_VERSION = "1.32.0"
NATS_ENV = {
    "POD_NAME": "nats-0",
    **{variable: f"{variable.lower()}-test" for variable in permissions.password_variables()},
}


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


# --------------------------------------------------------------------------- compose

_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def interpolate_defaults(value: str) -> str:
    """`${NAME:-default}` → default, as compose would with NAME unset."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", value.replace("$$", "\0")).replace(
        "\0", "$"
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_file_matches_the_compose_spec_schema(compose: dict[str, Any]) -> None:
    schema = json.loads((DEPLOY / "compose" / "compose-spec.schema.json").read_text())
    # The schema names draft 2019-09 by an old URI that jsonschema does not recognise.
    jsonschema.Draft201909Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft201909Validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_compose_references_resolve(compose: dict[str, Any]) -> None:
    services = compose["services"]
    volumes = set(compose.get("volumes", {}))
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
            # A dependency on a profile-only service fails when the profile is off.
            assert not services[dependency].get("profiles"), f"{name} → {dependency}"
        if "build" in service:
            build = service["build"]
            assert (ROOT / build["context"] / build["dockerfile"]).is_file() or (
                build["dockerfile"].startswith("services/")
            ), f"{name}: missing {build['dockerfile']}"
        for env_file in service.get("env_file", []):
            assert (ROOT / interpolate_defaults(env_file)).is_file(), f"{name}: {env_file}"
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: missing {source}"
            else:
                assert source in volumes, f"{name}: undeclared volume {source}"


def test_every_service_image_builds_from_its_own_dockerfile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        assert services[name]["build"] == {
            "context": ".",
            # One recipe for every service, told which by SERVICE; base images are variables
            # defaulting to the official ones (local stand-ins where no registry answers).
            "dockerfile": "deploy/docker/service.Dockerfile",
            "args": {
                "PYTHON_IMAGE": "${PYTHON_IMAGE:-python:3.11-slim-bookworm}",
                "UV_IMAGE": "${UV_IMAGE:-ghcr.io/astral-sh/uv:0.13}",
                "NODE_IMAGE": "${NODE_IMAGE:-node:22-bookworm-slim}",
                "SERVICE": name,
            },
        }


def test_compose_services_wait_for_nats_and_migrations(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        service = services[name]
        assert service["depends_on"] == {
            "nats": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], name
        assert "urllib.request" in test[3], name
        assert "/readyz" in test[3], name
        env = service["environment"]
        # Its own NATS user, over TLS with the dev CA; no credentials in the URL.
        assert env["NATS_URL"] == "tls://nats:4222", name
        assert env["NATS_TLS_CA_FILE"] == "/etc/nats-ca/ca.crt", name
        assert env["NATS_USER"] == name, name
        variable = permissions.password_variable(name)
        assert env["NATS_PASSWORD"].startswith(f"${{{variable}:-"), name
        assert "nats-ca:/etc/nats-ca:ro" in service["volumes"], name
        assert env["ATTENDANDT_ENV"] == "production"
        if name in SCHEMAS:
            role = SCHEMAS[name]
            assert env["DATABASE_URL"].startswith(f"postgresql://{role}:${{"), name
            assert env["DATABASE_URL"].endswith("@postgres:5432/attendandt"), name
        else:
            assert "DATABASE_URL" not in env, name
        env_files = " ".join(service.get("env_file", []))
        assert ("mews.env" in env_files) == (name in MEWS_SERVICES), name
    assert services["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "nats": {"condition": "service_healthy"},
    }
    # The migration job creates the streams, as the ops user (services only verify them).
    assert services["migrate"]["environment"]["NATS_USER"] == permissions.OPS
    assert services["nats"]["depends_on"] == {
        "nats-certs": {"condition": "service_completed_successfully"}
    }
    assert "nats-tls:/etc/nats-tls:ro" in services["nats"]["volumes"]
    assert "dev-certs" in services["nats-certs"]["command"]
    assert services["migrate"]["restart"] == "no"
    for infrastructure in ("nats", "postgres"):
        assert "healthcheck" in services[infrastructure]
    assert services["mews-sim"]["profiles"] == ["sim"]
    assert "-js" not in services["nats"]["command"]  # JetStream is enabled in nats.conf


def test_compose_init_script_and_simulator_wiring(compose: dict[str, Any]) -> None:
    mounts = compose["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/10-attendandt.sql:ro" in mounts
    sim_env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "compose" / "sim.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert sim_env["COMPOSE_PROFILES"] == "sim"
    assert sim_env["MEWS_BASE_URL"] == "http://mews-sim:8765"
    assert sim_env["MEWS_WS_URL"].startswith("ws://mews-sim:8765/")


def test_compose_holds_no_literal_secrets() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    # Every password in a URL is a variable whose fallback is marked dev-only.
    for password in re.findall(r"://\w+:([^@\s]+)@", text):
        assert re.fullmatch(r"\$\{\w+:-dev-only-[\w-]+\}", password), password
    for key in ("MEWS_CLIENT_TOKEN", "MEWS_ACCESS_TOKENS", "WEBHOOK_SECRET", "JWT_SECRET"):
        assert f"{key}:" not in text, key
        assert f"{key}=" not in text, key
    for env_file in (DEPLOY / "compose" / "dev-secrets").glob("*.env"):
        for line in env_file.read_text().splitlines():
            if line and not line.startswith("#"):
                assert line.split("=", 1)[1].startswith("dev-only-"), f"{env_file.name}: {line}"


# --------------------------------------------------------------------------- Dockerfiles

TEMPLATE = DEPLOY / "docker" / "service.Dockerfile"


def test_service_template_is_multi_stage_uv_non_root_with_healthcheck() -> None:
    text = TEMPLATE.read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", text, re.MULTILINE)
    assert [alias for _, alias in stages] == ["uv", "web", "builder", "runtime"]
    # Only the gateway's image gets the web app (the others bind-mount the stage, copy nothing).
    assert "ARG NODE_IMAGE=node:22-bookworm-slim" in text
    assert re.search(r"--mount=type=bind,from=web,.*\n.*\[ \"\$\{SERVICE\}\" = gateway \]", text)
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert 'uv sync --frozen --no-dev --no-editable --package "attendandt-${SERVICE}"' in text
    assert "COPY --from=builder --chown=10001:10001 /app/.venv /app/.venv" in text
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    healthcheck = re.search(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", text, re.MULTILINE)
    assert healthcheck
    command = json.loads(healthcheck.group(1))
    assert command[:2] == ["python", "-c"]
    assert "/readyz" in command[2]
    # SERVICE has no default: an image built without it fails instead of being guests.
    assert text.count("ARG SERVICE\n") == 2
    assert 'test -n "${SERVICE}"' in text


def test_every_service_has_a_workspace_package_or_none_yet() -> None:
    """A services/<name> folder without pyproject.toml would break the uv workspace."""
    for folder in (ROOT / "services").iterdir():
        if folder.is_dir():
            assert (folder / "pyproject.toml").is_file(), f"{folder.name} has no pyproject.toml"


def test_dockerignore_keeps_local_state_out() -> None:
    lines = set((ROOT / ".dockerignore").read_text().splitlines())
    for entry in (".git", ".venv", ".devdata", "**/node_modules", "**/__pycache__"):
        assert entry in lines, entry
    for cache in ("**/.pytest_cache", "**/.mypy_cache", "**/.ruff_cache"):
        assert cache in lines, cache


def test_migrate_script_is_valid_shell() -> None:
    subprocess.run(["sh", "-n", str(DEPLOY / "docker" / "migrate.sh")], check=True)


# --------------------------------------------------------------------------- Kustomize

KUSTOMIZATION_KEYS = {
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "images",
    "patches",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
}
# Strategic-merge keys of the lists the overlays patch; every other list is replaced, as
# Kubernetes' own patch strategy does for lists without a merge key.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume"}


def strategic_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            strategic_merge(current, value)
        elif isinstance(value, list) and isinstance(current, list) and key in MERGE_KEYS:
            merge_key = MERGE_KEYS[key]
            by_key = {item[merge_key]: item for item in current}
            for item in value:
                if item[merge_key] in by_key:
                    strategic_merge(by_key[item[merge_key]], item)
                else:
                    current.append(copy.deepcopy(item))
        else:
            target[key] = copy.deepcopy(value)


def generated(kind: str, spec: dict[str, Any], directory: Path) -> dict[str, Any]:
    assert set(spec) <= {"name", "files", "literals"}, spec
    data: dict[str, str] = {}
    for file in spec.get("files", []):
        data[Path(file).name] = (directory / file).read_text()
    for literal in spec.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": {"name": spec["name"]}}
    if kind == "Secret":
        obj["type"] = "Opaque"
        obj["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    else:
        obj["data"] = data
    return obj


def pod_containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = obj.get("spec", {})
    pod = spec.get("template", {}).get("spec", {}) if "template" in spec else {}
    if obj["kind"] == "CronJob":
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def render(directory: Path) -> list[dict[str, Any]]:
    """`kustomize build` for the features the overlays use (see KUSTOMIZATION_KEYS)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(kustomization) - KUSTOMIZATION_KEYS
    assert not unsupported, f"{directory}: extend the test renderer for {unsupported}"
    objects: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        objects += render(path) if path.is_dir() else load_yaml_documents(path)
    generators = [("ConfigMap", spec) for spec in kustomization.get("configMapGenerator", [])] + [
        ("Secret", spec) for spec in kustomization.get("secretGenerator", [])
    ]
    if generators:
        # The manifests refer to generated objects by their plain names.
        assert kustomization["generatorOptions"] == {"disableNameSuffixHash": True}
    objects += [generated(kind, spec, directory) for kind, spec in generators]
    for patch in kustomization.get("patches", []):
        assert set(patch) == {"path"}, patch
        for doc in load_yaml_documents(directory / patch["path"]):
            targets = [
                o
                for o in objects
                if o["kind"] == doc["kind"] and o["metadata"]["name"] == doc["metadata"]["name"]
            ]
            assert len(targets) == 1, f"{patch['path']}: {doc['kind']}/{doc['metadata']['name']}"
            strategic_merge(targets[0], doc)
    for image in kustomization.get("images", []):
        assert set(image) <= {"name", "newName", "newTag"}, image
        for obj in objects:
            for container in pod_containers(obj):
                name = container["image"].rsplit(":", 1)[0]
                if name == image["name"]:
                    new = image.get("newName", name)
                    container["image"] = f"{new}:{image['newTag']}" if "newTag" in image else new
    namespace = kustomization.get("namespace")
    if namespace:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = namespace
    return objects


@pytest.fixture(scope="module", params=["dev", "prod"])
def overlay(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(K8S / "overlays" / request.param)


def index(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for obj in objects:
        key = (obj["kind"], obj["metadata"]["name"])
        assert key not in found, f"duplicate {key}"
        found[key] = obj
    return found


def test_rendered_objects_pass_the_kubernetes_schema(
    overlay: tuple[str, list[dict[str, Any]]],
) -> None:
    _, objects = overlay
    assert objects
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {exc.path}")


def test_every_service_is_deployed_with_probes_and_resources(
    overlay: tuple[str, list[dict[str, Any]]],
) -> None:
    name, objects = overlay
    found = index(objects)
    namespace = {"dev": "attendandt-dev", "prod": "attendandt"}[name]
    for service in SERVICES:
        deployment = found["Deployment", service]
        assert deployment["metadata"]["namespace"] == namespace
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        image = container["image"]
        assert image.endswith(f"/{service}:0.1.0" if name == "prod" else f"{service}:dev")
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
        env = {e["name"]: e for e in container["env"]}
        assert env["NATS_URL"]["value"] == "tls://nats:4222"
        assert env["NATS_USER"]["value"] == service
        ref = env["NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "attendandt-nats", "key": f"{service}-password"}
        assert env["NATS_TLS_CA_FILE"]["value"] == "/etc/nats-ca/ca.crt"
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["nats-ca"]["secret"] == {
            "secretName": "attendandt-nats-tls",
            "items": [{"key": "ca.crt", "path": "ca.crt"}],  # the CA only, not the key
        }
        assert ("DATABASE_URL" in env) == (service in SCHEMAS), service
        if service in SCHEMAS:
            ref = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": f"attendandt-db-{SCHEMAS[service]}", "key": "DATABASE_URL"}
        assert ("MEWS_ACCESS_TOKENS" in env) == (service in MEWS_SERVICES), service
    for single in ("mews-ingest", "mews-publisher"):
        assert found["Deployment", single]["spec"]["replicas"] == 1
        assert found["Deployment", single]["spec"]["strategy"] == {"type": "Recreate"}


def test_migrations_nats_and_gateway_are_there(
    overlay: tuple[str, list[dict[str, Any]]],
) -> None:
    name, objects = overlay
    found = index(objects)
    job = found["Job", "attendandt-migrate"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["attendandt-migrate"]
    nats_set = found["StatefulSet", "nats"]
    assert nats_set["spec"]["replicas"] == 3
    assert nats_set["spec"]["serviceName"] == "nats-headless"
    assert nats_set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert found["Service", "nats-headless"]["spec"]["clusterIP"] == "None"
    config = found["ConfigMap", "nats-config"]["data"]
    assert config["accounts.conf"] == (NATS_DIR / "accounts.conf").read_text()
    for route in range(3):
        assert f"nats://nats-{route}.nats-headless:6222" in config["nats.conf"]
    assert found["Service", "gateway"]["spec"]["ports"][0]["targetPort"] == "http"
    assert (("Ingress", "attendandt") in found) == (name == "prod")


def test_secret_and_config_references_resolve(
    overlay: tuple[str, list[dict[str, Any]]],
) -> None:
    """dev generates every Secret it uses; prod generates none (they come from outside)."""
    name, objects = overlay
    found = index(objects)
    secrets = {n for kind, n in found if kind == "Secret"}
    referenced: set[str] = set()
    for obj in objects:
        for container in pod_containers(obj):
            for source in container.get("envFrom", []):
                assert ("ConfigMap", source["configMapRef"]["name"]) in found
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
                    if name == "dev" and not ref.get("optional"):
                        data = found["Secret", ref["name"]]["data"]
                        assert ref["key"] in data, f"{ref['name']} lacks {ref['key']}"
    if name == "dev":
        assert referenced <= secrets
        for secret in secrets:
            for value in found["Secret", secret]["data"].values():
                assert "dev-only-" in base64.b64decode(value).decode(), secret
    else:
        assert not secrets, "prod Secrets come from the external secret manager"
        assert referenced >= {"attendandt-nats", "attendandt-mews", "attendandt-db-guests"}


# --------------------------------------------------------------------------- NATS


def nats_config_dir(tmp_path: Path, config: Path) -> Path:
    """A config and accounts.conf side by side (includes are relative), paths made local."""
    text = config.read_text()
    text = text.replace("/data/jetstream", str(tmp_path / "jetstream"))
    text = text.replace("/var/run/nats", str(tmp_path))
    # The TLS files the Secret / compose volume provide, made as `attendandt nats dev-certs`
    # makes them (for 127.0.0.1, where the tests connect).
    tls = tmp_path / "tls"
    tls.mkdir(exist_ok=True)
    for file, data in make_certificates(["127.0.0.1"]).items():
        (tls / file).write_bytes(data)
    text = text.replace("/etc/nats-tls", str(tls))
    (tmp_path / "nats.conf").write_text(text)
    shutil.copy(NATS_DIR / "accounts.conf", tmp_path / "accounts.conf")
    return tmp_path / "nats.conf"


@pytest.mark.parametrize("config", [DEPLOY / "nats" / "nats.conf", NATS_DIR / "nats.conf"])
def test_nats_server_accepts_the_configuration(tmp_path: Path, config: Path) -> None:
    path = nats_config_dir(tmp_path, config)
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(path)],
        env={**os.environ, **NATS_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_nats_password_variable_is_supplied(compose: dict[str, Any]) -> None:
    variables = set(re.findall(r"\$(NATS_\w+)", (NATS_DIR / "accounts.conf").read_text()))
    assert variables == set(permissions.password_variables())
    assert len(variables) == len(permissions.USERS) + len(permissions.EXAMPLE_HOTEL_SYSTEMS)
    assert variables <= set(compose["services"]["nats"]["environment"])
    statefulset = load_yaml_documents(NATS_DIR / "statefulset.yaml")[0]
    pod = statefulset["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    hotels = {h.name for h in permissions.EXAMPLE_HOTEL_SYSTEMS}
    for user in [u.name for u in permissions.USERS] + sorted(hotels):
        variable = permissions.password_variable(user, hotel=user in hotels)
        key = f"hotel-{user}-password" if user in hotels else f"{user}-password"
        assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": "attendandt-nats", "key": key}
    # Client TLS: the server's certificate and key from Secret attendandt-nats-tls.
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tls"]["secret"]["secretName"] == "attendandt-nats-tls"
    assert {"name": "tls", "mountPath": "/etc/nats-tls", "readOnly": True} in container[
        "volumeMounts"
    ]
    for config in (DEPLOY / "nats" / "nats.conf", NATS_DIR / "nats.conf"):
        assert "cert_file: /etc/nats-tls/tls.crt" in config.read_text(), config
        text = config.read_text() + (NATS_DIR / "accounts.conf").read_text()
        assert not re.search(r"(?m)^\s*no_auth_user", text), "anonymous clients get a user"


@pytest.fixture
def nats_with_accounts(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    config = nats_config_dir(tmp_path, DEPLOY / "nats" / "nats.conf")
    text = config.read_text().replace("0.0.0.0:4222", f"127.0.0.1:{port}")
    config.write_text(re.sub(r"(?m)^http: .*$", "", text))
    proc = spawn([nats_server_binary(), "-c", str(config)], env={**os.environ, **NATS_ENV})
    try:
        wait_for_port("127.0.0.1", port, timeout=10, proc=proc)
        yield port
    finally:
        proc.kill()
        proc.wait()


#: A TLS handshake and a bcrypt password check on a busy 2-core machine can take more than
#: nats-py's default 2 s.
_CONNECT_S = 15


def _password(user: str, *, hotel: bool = False) -> str:
    return NATS_ENV[permissions.password_variable(user, hotel=hotel)]


async def test_clients_need_tls_and_a_user(nats_with_accounts: int, tmp_path: Path) -> None:
    """Plain TCP is refused (the server requires TLS), and so is TLS without a user."""
    url = f"127.0.0.1:{nats_with_accounts}"
    tls = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
    with pytest.raises(Exception):  # noqa: B017,PT011 - nats-py raises several kinds here
        await nats.connect(
            f"nats://{url}",
            user="gateway",
            password=_password("gateway"),
            allow_reconnect=False,
            connect_timeout=2,
        )
    with pytest.raises(Exception):  # noqa: B017,PT011
        await nats.connect(f"tls://{url}", tls=tls, allow_reconnect=False, connect_timeout=2)
    gateway = await nats.connect(
        f"tls://{url}", tls=tls, user="gateway", password=_password("gateway"),
        inbox_prefix=permissions.inbox_prefix("gateway"), connect_timeout=_CONNECT_S,
    )  # fmt: skip
    assert gateway.is_connected
    await gateway.close()


async def test_hotel_systems_read_events_and_publish_nothing(
    nats_with_accounts: int, tmp_path: Path
) -> None:
    """The documented permissions, end to end: live events, replay via the operator's
    durable consumer, acks; no publish into ATTENDANDT, no other consumer, no other inbox."""
    url = f"127.0.0.1:{nats_with_accounts}"
    tls = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
    # The ops user: it creates the streams and the hotel system's consumer.
    services = await nats.connect(
        f"tls://{url}", tls=tls, user=permissions.OPS, password=_password(permissions.OPS),
        inbox_prefix=permissions.inbox_prefix(permissions.OPS), connect_timeout=_CONNECT_S,
    )  # fmt: skip
    violations: list[str] = []

    async def record(error: Exception) -> None:
        violations.append(str(error).lower())

    hotel = await nats.connect(
        f"tls://{url}",
        tls=tls,
        user="example-pos",
        password=_password("example-pos", hotel=True),
        inbox_prefix="_INBOX_example-pos",
        error_cb=record,
        connect_timeout=_CONNECT_S,
    )
    try:
        live = await hotel.subscribe("attendandt.v1.>")
        await hotel.flush()
        # The import across accounts may take a moment to carry the hotel's interest: probe
        # with plain messages before any stream exists (nothing is stored), until one arrives.
        for _ in range(50):
            await services.publish("attendandt.v1.ent-0.probe.ready", b"")
            with contextlib.suppress(NatsTimeoutError):
                await live.next_msg(timeout=0.2)
                break
        js = services.jetstream()
        await js.add_stream(StreamConfig(name="ATTENDANDT_EVENTS", subjects=["attendandt.v1.>"]))
        await js.add_stream(StreamConfig(name="DOMAIN_COMMANDS", subjects=["cmd.v1.>"]))
        for durable in ("example-pos", "vendors"):
            await js.add_consumer(
                "ATTENDANDT_EVENTS",
                ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT),
            )
        await js.publish("attendandt.v1.ent-1.guest.updated", b"{}")
        received = await live.next_msg(timeout=5)
        while received.subject.endswith(".probe.ready"):  # a late probe
            received = await live.next_msg(timeout=5)
        assert received.subject == "attendandt.v1.ent-1.guest.updated"

        hotel_js = hotel.jetstream(prefix="JS.ATTENDANDT.API")
        # The server counts a consumer's pending messages a moment after the store: ask again.
        for _ in range(50):
            info = await hotel_js.consumer_info("ATTENDANDT_EVENTS", "example-pos")
            if info.num_pending == 1:
                break
            await asyncio.sleep(0.05)
        assert info.num_pending == 1
        pull = await hotel_js.pull_subscribe_bind(durable="example-pos", stream="ATTENDANDT_EVENTS")
        (message,) = await pull.fetch(1, timeout=2)
        await message.ack_sync(timeout=2)
        acked = await js.consumer_info("ATTENDANDT_EVENTS", "example-pos")
        assert acked.num_ack_pending == 0
        assert acked.ack_floor.stream_seq == 1

        forbidden = (
            "attendandt.v1.ent-1.guest.updated",
            "cmd.v1.guests.upsert",
            "$JS.API.STREAM.DELETE.ATTENDANDT_EVENTS",
            "JS.ATTENDANDT.API.CONSUMER.MSG.NEXT.ATTENDANDT_EVENTS.vendors",
        )
        for subject in forbidden:
            await hotel.publish(subject, b"{}")
        await hotel.subscribe("_INBOX.>")
        await hotel.flush()
        for _ in range(50):
            if len(violations) == len(forbidden) + 1:
                break
            await asyncio.sleep(0.02)
        for subject in forbidden:
            assert any(f'publish to "{subject.lower()}"' in v for v in violations), subject
        assert any('subscription to "_inbox.>"' in v for v in violations)
        assert (await js.stream_info("ATTENDANDT_EVENTS")).state.messages == 1
        assert (await js.stream_info("DOMAIN_COMMANDS")).state.messages == 0
        vendors = await js.pull_subscribe_bind(durable="vendors", stream="ATTENDANDT_EVENTS")
        assert len(await vendors.fetch(1, timeout=2)) == 1  # still there for its owner
    except NatsTimeoutError:
        pytest.fail(f"timed out; permission violations so far: {violations}")
    finally:
        await hotel.close()
        await services.close()


# --------------------------------------------------------------------------- Postgres


def psql_binary() -> str:
    bin_dir = postgres_bin_dir()
    if bin_dir is not None and (bin_dir / "psql").exists():
        return str(bin_dir / "psql")
    found = shutil.which("psql")
    assert found, "psql (>= 15) is needed to run deploy/postgres/init.sql: install postgresql"
    return found


async def test_init_sql_provisions_roles_and_schemas_like_provision(postgres_url: str) -> None:
    env = {
        **os.environ,
        "GUESTS_DB_PASSWORD": "guests-test-password",
        "VENDORS_DB_PASSWORD": "",  # empty: the dev-only fallback
        "PGOPTIONS": "-c client_min_messages=warning",
    }
    env.pop("USERS_DB_PASSWORD", None)
    command = [psql_binary(), postgres_url, "-X", "-q", "-f", str(DEPLOY / "postgres" / "init.sql")]
    for _ in range(2):  # idempotent
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    host_and_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    admin = postgres_url.split("@", 1)[0]
    conn = await asyncpg.connect(f"{admin}@{host_and_port}/attendandt")
    try:
        for role in SCHEMAS.values():
            row = await conn.fetchrow(
                "SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, rolcreaterole,"
                " rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = $1",
                role,
            )
            assert row is not None, role
            assert dict(row) == {
                "rolcanlogin": True,
                "rolinherit": False,
                "rolsuper": False,
                "rolcreatedb": False,
                "rolcreaterole": False,
                "has_password": True,
            }, role
            owner = await conn.fetchval(
                "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", role
            )
            assert owner == role
        public_create = await conn.fetchval(
            "SELECT has_schema_privilege('public', 'public', 'CREATE')"
        )
        assert public_create is False
    finally:
        await conn.close()


def test_init_sql_covers_every_installed_migration_set() -> None:
    from attendandt.ops.migrate import migration_sets

    text = (DEPLOY / "postgres" / "init.sql").read_text()
    for item in migration_sets():
        assert item.schema in SCHEMAS.values(), f"{item.service}: schema {item.schema}"
        assert f"CREATE SCHEMA IF NOT EXISTS {item.schema} AUTHORIZATION {item.schema};" in text


def test_the_webhook_route_is_never_access_logged_and_has_no_secret_in_its_path(
    overlay: tuple[str, list[dict[str, Any]]],
) -> None:
    """Mews puts the webhook secret in the query string: the route that takes it has nginx's
    access log off, and takes exactly /webhooks/mews (the secret is never a path segment)."""
    name, objects = overlay
    found = index(objects)
    if name != "prod":
        assert ("Ingress", "attendandt-webhooks") not in found
        return
    hooks = found["Ingress", "attendandt-webhooks"]
    annotations = hooks["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/enable-access-log"] == "false"
    [rule] = hooks["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/webhooks/mews", "Exact")
    assert path["backend"]["service"]["name"] == "mews-ingest"
    logged = found["Ingress", "attendandt"]
    routed = [p["path"] for r in logged["spec"]["rules"] for p in r["http"]["paths"]]
    assert "/webhooks/mews" not in routed  # nothing reaches ingest through the logged one


def test_compose_gives_the_simulator_the_webhook_secret_by_environment(
    compose: dict[str, Any],
) -> None:
    sim = compose["services"]["mews-sim"]
    command = " ".join(sim["command"])
    assert "WEBHOOK_SECRET" not in command  # an argument shows in process listings
    assert "--webhook-url http://mews-ingest:8090/webhooks/mews" in command
    assert any(str(f).endswith("/webhook.env") for f in sim["env_file"])
