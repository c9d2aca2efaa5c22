"""The observability profile's files: Prometheus scrapes every service where it serves
`/metrics`, the collector forwards spans, and the dashboard asks only for figures that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import attendandt.mews.metrics
import attendandt.platform.metrics

ROOT = Path(__file__).resolve().parents[4]
OBSERVABILITY = ROOT / "deploy" / "observability"
SERVICES = ("sync", "guests", "vendors", "users", "mews-publisher", "gateway")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_the_profile_runs_prometheus_a_collector_jaeger_and_grafana(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, variable in (
        ("prometheus", "PROMETHEUS_IMAGE"),
        ("otel-collector", "OTEL_COLLECTOR_IMAGE"),
        ("jaeger", "JAEGER_IMAGE"),
        ("grafana", "GRAFANA_IMAGE"),
    ):
        assert services[name]["profiles"] == ["observability"], name
        assert services[name]["image"].startswith(f"${{{variable}:-"), name
    # Off unless set: every service reads the endpoint from the same variable.
    env = services["sync"]["environment"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}"


def test_prometheus_scrapes_every_service_on_its_health_port(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    services = compose["services"]
    for name in SERVICES:
        port = services[name]["environment"]["HEALTH_PORT"]
        assert f"{name}:{port}" in targets, name
    ingest_port = services["mews-ingest"]["environment"]["HTTP_PORT"]
    assert f"mews-ingest:{ingest_port}" in targets


def test_the_collector_takes_otlp_over_http_and_forwards_traces() -> None:
    config = yaml.safe_load((OBSERVABILITY / "otel-collector.yaml").read_text())
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    for exporter in pipeline["exporters"]:
        assert exporter in config["exporters"]
    for processor in pipeline["processors"]:
        assert processor in config["processors"]


def test_every_dashboard_figure_is_one_we_expose() -> None:
    path = OBSERVABILITY / "grafana" / "dashboards" / "attendandt.json"
    dashboard = json.loads(path.read_text())
    exposed = {
        sample.name
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name.startswith("attendandt_")
    } | {
        f"{family.name}{suffix}"
        for family in REGISTRY.collect()
        if family.name.startswith("attendandt_")
        for suffix in ("", "_total", "_bucket", "_count", "_sum")
    }
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"attendandt_\w+", target["expr"])
    }
    assert asked, "the dashboard asks for nothing"
    assert asked <= exposed, asked - exposed
    assert attendandt.mews.metrics.REQUESTS  # the Mews figures are among them
