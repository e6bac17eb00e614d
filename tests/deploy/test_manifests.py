"""deploy/k8s renders, every object is valid against Kubernetes' schemas (offline), and the
objects agree with each other and with the application: probes, ports, selectors, images,
configuration keys, certificates. No cluster is needed."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.deploy import crd_schemas
from tests.deploy.kustomize import KustomizeError, Resource, identity, render

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes the manifests are for (preStop's sleep action is 1.30's).
KUBERNETES_VERSION = "1.30"
KUSTOMIZATIONS = [
    "cluster",
    "base",
    "release",
    "overlays/production",
    "overlays/production-release",
]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Resource]]:
    return {name: render(K8S / name) for name in KUSTOMIZATIONS}


@pytest.fixture(scope="module")
def production(rendered) -> dict[tuple[str, str], Resource]:
    return {(r["kind"], r["metadata"]["name"]): r for r in rendered["overlays/production"]}


@pytest.fixture(scope="module")
def cluster(rendered) -> dict[tuple[str, str], Resource]:
    return {(r["kind"], r["metadata"]["name"]): r for r in rendered["cluster"]}


def pod_spec(resource: Resource) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


def containers(resource: Resource) -> list[dict[str, Any]]:
    return pod_spec(resource)["containers"]


def workloads(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r["kind"] in ("Deployment", "Job")]


def secret_example_keys() -> set[str]:
    lines = (K8S / "secrets.example.env").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


# --- Rendering and schemas -------------------------------------------------------------------


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_object_is_valid_against_its_schema(rendered, name):
    assert rendered[name], name
    for resource in rendered[name]:
        key = (resource["apiVersion"], resource["kind"])
        if key in crd_schemas.BY_KIND:
            jsonschema.validate(resource, crd_schemas.BY_KIND[key])
        else:
            # Strict: a field Kubernetes does not have is an error, not ignored.
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_a_misspelt_field_fails_validation(production):
    web = production[("Deployment", "web")]
    broken = yaml.safe_load(yaml.safe_dump(web))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    scaled = yaml.safe_load(yaml.safe_dump(production[("ScaledObject", "worker")]))
    scaled["spec"]["triggers"][0]["metadata"]["listLenght"] = "20"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, crd_schemas.SCALED_OBJECT)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) is not here")
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_the_renderer_renders_what_kustomize_renders(rendered, name):
    run = subprocess.run(
        ["kubectl", "kustomize", str(K8S / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = {identity(r): r for r in yaml.safe_load_all(run.stdout) if r}
    ours = {identity(r): r for r in rendered[name]}
    assert ours == theirs


def test_the_renderer_refuses_what_it_does_not_render(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(
        "resources: []\nreplicas: [{name: web, count: 2}]\n"
    )
    with pytest.raises(KustomizeError, match="replicas"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches: [{patch: '[]', target: {kind: ConfigMap, name: other}}]\n"
    )
    (tmp_path / "cm.yaml").write_text("kind: ConfigMap\napiVersion: v1\nmetadata: {name: cm}\n")
    with pytest.raises(KustomizeError, match="selects no resource"):
        render(tmp_path)


# --- The web --------------------------------------------------------------------------------


def test_the_web_is_probed_on_the_health_paths_and_bounded(production):
    web = production[("Deployment", "web")]
    (container,) = containers(web)
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert ports == {"http": 8000}
    assert set(container["resources"]) == {"requests", "limits"}
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert "replicas" not in web["spec"], "the HPA owns the web's replica count"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_hpa_and_the_pdb_are_the_webs(production):
    web = production[("Deployment", "web")]
    labels = web["spec"]["template"]["metadata"]["labels"]
    hpa = production[("HorizontalPodAutoscaler", "web")]
    pdb = production[("PodDisruptionBudget", "web")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
    }
    assert hpa["spec"]["minReplicas"] == 4
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["maxUnavailable"] < hpa["spec"]["minReplicas"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_every_service_selects_pods_and_names_their_ports(production):
    services = [r for r in production.values() if r["kind"] == "Service"]
    deployments = [r for r in production.values() if r["kind"] == "Deployment"]
    assert {s["metadata"]["name"] for s in services} == {"web", "worker-metrics"}
    for service in services:
        selected = [
            d
            for d in deployments
            if service["spec"]["selector"].items()
            <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(selected) == 1, service["metadata"]["name"]
        named = {p["name"] for c in containers(selected[0]) for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= named


# --- Workers, beat, release ------------------------------------------------------------------


def test_keda_scales_the_workers_on_celerys_queue(production):
    from comptoir.celery import app

    scaled = production[("ScaledObject", "worker")]
    worker = production[("Deployment", "worker")]
    (trigger,) = scaled["spec"]["triggers"]
    config = production[("ConfigMap", "comptoir-config")]["data"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "worker"
    assert "replicas" not in worker["spec"], "KEDA owns the workers' replica count"
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == app.conf.task_default_queue == "celery"
    assert trigger["metadata"]["enableTLS"] == "true"
    # KEDA reads these from the worker container's own environment.
    assert trigger["metadata"]["addressFromEnv"] in config
    assert trigger["metadata"]["passwordFromEnv"] in secret_example_keys()
    assert trigger["metadata"]["databaseIndex"] == config["REDIS_DATABASE"]
    assert scaled["spec"]["minReplicaCount"] >= 1


def test_there_is_exactly_one_beat(production):
    beat = production[("Deployment", "beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    scaled_targets = {
        r["spec"]["scaleTargetRef"]["name"]
        for r in production.values()
        if r["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
    }
    assert "beat" not in scaled_targets
    (container,) = containers(beat)
    assert container["command"][:3] == ["celery", "--app=comptoir", "beat"]


def test_the_release_runs_platform_setup_with_the_image_and_settings_that_will_serve(
    rendered, production
):
    release = {
        (r["kind"], r["metadata"]["name"]): r for r in rendered["overlays/production-release"]
    }
    job = release[("Job", "release")]
    (container,) = containers(job)
    assert container["command"] == ["python", "manage.py", "platform_setup"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["metadata"]["namespace"] == "comptoir"
    web_image = containers(production[("Deployment", "web")])[0]["image"]
    assert container["image"] == web_image
    assert release[("ConfigMap", "comptoir-config")] == production[("ConfigMap", "comptoir-config")]


def test_production_runs_one_pinned_image_everywhere(rendered):
    for name in ("overlays/production", "overlays/production-release"):
        images = {c["image"] for w in workloads(rendered[name]) for c in containers(w)}
        assert len(images) == 1, images
        (image,) = images
        assert re.fullmatch(r"registry\.comptoir\.example/comptoir:[0-9][\w.-]*", image), image


@pytest.mark.parametrize("name", ["overlays/production", "overlays/production-release"])
def test_every_pod_runs_as_nobody_in_particular_and_reads_its_configuration(rendered, name):
    config_names = {r["metadata"]["name"] for r in rendered[name] if r["kind"] == "ConfigMap"}
    for workload in workloads(rendered[name]):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert {"requests", "limits"} <= set(container["resources"])
            sources = container["envFrom"]
            assert {
                s["configMapRef"]["name"] for s in sources if "configMapRef" in s
            } <= config_names
            assert {s["secretRef"]["name"] for s in sources if "secretRef" in s} == {
                "comptoir-secrets"
            }
            # A read-only root: /tmp is the one place to write (gunicorn's metrics, uploads).
            assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])


def test_every_configuration_key_is_read_by_something(production):
    """A key nothing reads is a setting someone believes in and nothing applies."""
    readers = "\n".join(
        path.read_text()
        for path in [
            *(ROOT / "comptoir" / "settings").glob("*.py"),
            ROOT / "deploy" / "gunicorn.conf.py",
        ]
    )
    # Read by libraries or by KEDA, not by our settings.
    outside = {
        "DJANGO_SETTINGS_MODULE",
        "REDIS_ADDRESS",
        "REDIS_DATABASE",
        "REDIS_PASSWORD",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    }
    keys = set(production[("ConfigMap", "comptoir-config")]["data"]) | secret_example_keys()
    unread = {key for key in keys - outside if f'"{key}"' not in readers}
    assert unread == set()


# --- Ingress, certificates, network, monitoring ----------------------------------------------


def test_the_ingress_serves_the_root_and_every_towns_subdomain(production, cluster):
    root = production[("ConfigMap", "comptoir-config")]["data"]["ROOT_DOMAIN"]
    ingress = production[("Ingress", "comptoir")]
    certificate = production[("Certificate", "comptoir-wildcard")]
    assert {rule["host"] for rule in ingress["spec"]["rules"]} == {root, f"*.{root}"}
    (tls,) = ingress["spec"]["tls"]
    assert set(tls["hosts"]) == {root, f"*.{root}"} == set(certificate["spec"]["dnsNames"])
    assert tls["secretName"] == certificate["spec"]["secretName"]
    # No ingress-shim annotation here: the wildcard comes from the DNS-01 Certificate.
    assert "cert-manager.io/cluster-issuer" not in ingress["metadata"].get("annotations", {})
    issuer = cluster[("ClusterIssuer", certificate["spec"]["issuerRef"]["name"])]
    assert all("dns01" in solver for solver in issuer["spec"]["acme"]["solvers"])


def test_each_custom_domain_gets_its_own_http01_certificate(production, cluster):
    ingress = production[("Ingress", "comptoir-custom-domains")]
    issuer_name = ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    issuer = cluster[("ClusterIssuer", issuer_name)]
    assert all("http01" in solver for solver in issuer["spec"]["acme"]["solvers"])
    rules = [rule["host"] for rule in ingress["spec"]["rules"]]
    secrets = [tls["secretName"] for tls in ingress["spec"]["tls"]]
    assert all(len(tls["hosts"]) == 1 for tls in ingress["spec"]["tls"])
    assert sorted(tls["hosts"][0] for tls in ingress["spec"]["tls"]) == sorted(rules)
    assert len(set(secrets)) == len(secrets) == len(rules)


def test_every_ingress_backend_is_the_webs_http_port(production):
    for ingress in (r for r in production.values() if r["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"] == {"name": "web", "port": {"name": "http"}}


def test_network_policies_deny_by_default_and_open_the_served_ports(production):
    policies = {
        r["metadata"]["name"]: r for r in production.values() if r["kind"] == "NetworkPolicy"
    }
    deny = policies["default-deny-ingress"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    opened = {
        name: {port["port"] for rule in policy["spec"]["ingress"] for port in rule["ports"]}
        for name, policy in policies.items()
        if name != "default-deny-ingress"
    }
    assert opened == {
        "web-from-ingress-and-prometheus": {8000},
        "worker-metrics-from-prometheus": {9808},
    }


def test_prometheus_scrapes_metrics_with_the_token(production):
    monitor = production[("ServiceMonitor", "comptoir")]
    services = [
        r
        for r in production.values()
        if r["kind"] == "Service"
        and monitor["spec"]["selector"]["matchLabels"].items() <= r["metadata"]["labels"].items()
    ]
    service_ports = {port["name"] for service in services for port in service["spec"]["ports"]}
    endpoints = {endpoint["port"]: endpoint for endpoint in monitor["spec"]["endpoints"]}
    assert set(endpoints) == service_ports == {"http", "metrics"}
    assert all(endpoint["path"] == "/metrics" for endpoint in endpoints.values())
    credentials = endpoints["http"]["authorization"]["credentials"]
    assert credentials == {"name": "comptoir-secrets", "key": "METRICS_BEARER_TOKEN"}
    assert credentials["key"] in secret_example_keys()
