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
    assert ingress_paths(objects) == {"/webhooks": "kratom-rasa", "/socket.io": "kratom-rasa-socketio"}
    # Both Services are the Rasa servers.
    for name in ("kratom-rasa", "kratom-rasa-socketio"):
        assert objects[("Service", name)]["spec"]["selector"] == {"app.kubernetes.io/name": "kratom-rasa"}
    endpoints = yaml.safe_load(objects[("ConfigMap", "kratom-endpoints")]["data"]["endpoints.yml"])
    assert (
        endpoints["tracker_store"]["dialect"] == "postgresql" and endpoints["tracker_store"]["url"] == "kratom-postgres"
    )
    assert (
        endpoints["lock_store"]["type"] == "kratom_assistant.stores.lock_store.AtomicRedisLockStore"
        and endpoints["lock_store"]["url"] == "kratom-redis"
    )
    assert endpoints["action_endpoint"]["url"] == "http://kratom-actions:5055/webhook"


def ingress_paths(objects):
    return {
        path["path"]: path["backend"]["service"]["name"]
        for (kind, _), doc in objects.items()
        if kind == "Ingress"
        for rule in doc["spec"]["rules"]
        for path in rule["http"]["paths"]
    }


def ingress_for(objects, path):
    return next(
        doc
        for (kind, _), doc in objects.items()
        if kind == "Ingress" and path in [p["path"] for r in doc["spec"]["rules"] for p in r["http"]["paths"]]
    )


AFFINITY = ("nginx.ingress.kubernetes.io/upstream-hash-by", "nginx.ingress.kubernetes.io/affinity")


def test_socketio_is_sticky_by_client_and_rest_is_balanced():
    """A socket.io session lives in one replica's memory, so a client's polls must all reach
    it (tested for real on the local front: tests/browser/test_widget_scaleout.py); REST
    requests go to any replica."""
    objects = by_kind_and_name()
    socketio = ingress_for(objects, "/socket.io")["metadata"]["annotations"]
    assert socketio["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$remote_addr"
    assert int(socketio["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 60  # beyond the 25 s ping
    assert objects[("Service", "kratom-rasa-socketio")]["spec"]["sessionAffinity"] == "ClientIP"
    # ingress-nginx keys its balancing by Service: the REST one has none of it.
    rest = ingress_for(objects, "/webhooks")
    assert rest is not ingress_for(objects, "/socket.io")
    assert not set(AFFINITY) & set(rest["metadata"].get("annotations", {}))
    assert objects[("Service", "kratom-rasa")]["spec"].get("sessionAffinity", "None") == "None"
    # Both fronts keep the per-client rate limit and the body cap.
    for ingress in (rest, ingress_for(objects, "/socket.io")):
        annotations = ingress["metadata"]["annotations"]
        assert (
            annotations["nginx.ingress.kubernetes.io/limit-rps"]
            and annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "256k"
        )


def test_only_the_rasa_servers_reach_the_action_servers():
    policy = by_kind_and_name()[("NetworkPolicy", "kratom-actions")]["spec"]
    assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "kratom-actions"}
    assert policy["policyTypes"] == ["Ingress"]
    assert [source for rule in policy["ingress"] for source in rule["from"]] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "kratom-rasa"}}}
    ]


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
