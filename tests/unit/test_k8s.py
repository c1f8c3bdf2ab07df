"""The Kubernetes manifests (deploy/k8s/): valid against the Kubernetes schemas, the same
topology as the tested local set-up, and no secret written into them."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.conftest import ROOT

K8S_VERSION = "1.28.0"  # the newest schemas kubernetes-validate 1.28.3 ships
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET")


def documents():
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind_and_name():
    return {(d["kind"], d["metadata"]["name"]): d for d in documents()}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_validator_does_reject_a_broken_manifest():
    broken = by_kind_and_name()[("Deployment", "kratom-rasa")]
    broken = dict(broken, spec=dict(broken["spec"], replicas="two"))
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_the_topology_is_the_tested_one():
    objects = by_kind_and_name()
    for name in ("kratom-rasa", "kratom-actions"):
        assert objects[("Deployment", name)]["spec"]["replicas"] >= 2
        assert ("Service", name) in objects
    assert ("Deployment", "kratom-redis") in objects and ("Service", "kratom-redis") in objects
    assert ("StatefulSet", "kratom-postgres") in objects and ("Service", "kratom-postgres") in objects
    backends = {
        p["backend"]["service"]["name"]
        for rule in objects[("Ingress", "kratom-assistant")]["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert backends == {"kratom-rasa"}
    endpoints = yaml.safe_load(objects[("ConfigMap", "kratom-endpoints")]["data"]["endpoints.yml"])
    assert (
        endpoints["tracker_store"]["dialect"] == "postgresql" and endpoints["tracker_store"]["url"] == "kratom-postgres"
    )
    assert (
        endpoints["lock_store"]["type"] == "kratom_assistant.stores.lock_store.AtomicRedisLockStore"
        and endpoints["lock_store"]["url"] == "kratom-redis"
    )
    assert endpoints["action_endpoint"]["url"] == "http://kratom-actions:5055/webhook"


def test_no_secret_is_written_into_the_manifests():
    for doc in documents():
        for container in _containers(doc):
            for variable in container.get("env", []):
                if any(word in variable["name"] for word in SECRET_WORDS):
                    assert "secretKeyRef" in variable.get("valueFrom", {}), variable
    assert not [d for d in documents() if d["kind"] == "Secret"]


def _containers(doc):
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
    return template.get("spec", {}).get("containers", [])
