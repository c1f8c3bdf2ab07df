"""Every endpoints configuration the project runs with, derived from endpoints.yml.

endpoints.yml is the single-instance set-up (`rasa run` from the repository root works
with it as it is). `make run`, the tests and the benchmark change only its ports and
SQLite file; the multi-instance set-up (tools/scaleout.py) and the Kubernetes ConfigMap
(deploy/k8s/endpoints-configmap.yaml) keep conversations in PostgreSQL and add the Redis
lock store. The ConfigMap is generated (`python -m tools.endpoints`) and a test checks
that the committed one matches.
"""

import copy
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS_FILE = ROOT / "endpoints.yml"
CONFIGMAP_FILE = ROOT / "deploy" / "k8s" / "endpoints-configmap.yaml"
LOCK_STORE = "kratom_assistant.stores.lock_store.AtomicRedisLockStore"  # Rasa's, made atomic


def single_instance(action_port: int, tracker_db: Optional[Path]) -> Dict[str, Any]:
    """endpoints.yml with the action server on action_port and conversations in tracker_db
    (SQLite), or in memory when tracker_db is None."""
    endpoints = yaml.safe_load(ENDPOINTS_FILE.read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    if tracker_db is None:
        del endpoints["tracker_store"]
    else:
        endpoints["tracker_store"]["db"] = str(Path(tracker_db).resolve())
    return endpoints


def multi_instance(
    action_url: str, postgres: str, postgres_port: int, password: str, redis: str, redis_port: int
) -> Dict[str, Any]:
    """endpoints.yml with conversations in PostgreSQL and the Redis lock store, so any
    Rasa server can take any message."""
    endpoints = copy.deepcopy(yaml.safe_load(ENDPOINTS_FILE.read_text(encoding="utf-8")))
    endpoints["action_endpoint"]["url"] = action_url
    endpoints["tracker_store"] = {
        "type": endpoints["tracker_store"]["type"],
        "dialect": "postgresql",
        "url": postgres,
        "port": postgres_port,
        "db": "rasa",
        "username": "rasa",
        "password": password,
    }
    endpoints["lock_store"] = {"type": LOCK_STORE, "url": redis, "port": redis_port, "db": 0}
    return endpoints


def as_yaml(endpoints: Dict[str, Any]) -> str:
    return yaml.safe_dump(endpoints, sort_keys=False)


def k8s_configmap() -> str:
    endpoints = multi_instance(
        "http://kratom-actions:5055/webhook", "kratom-postgres", 5432, "${DB_PASSWORD}", "kratom-redis", 6379
    )
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kratom-endpoints", "labels": {"app.kubernetes.io/part-of": "kratom-assistant"}},
    }
    body = "".join(f"    {line}\n" for line in as_yaml(endpoints).splitlines())
    return (
        "# Generated from endpoints.yml: python -m tools.endpoints > deploy/k8s/endpoints-configmap.yaml\n"
        "# Where each Rasa server finds the action servers, the conversations (PostgreSQL) and\n"
        "# the lock that keeps one sender's messages in order across servers (Redis).\n"
        + yaml.safe_dump(configmap, sort_keys=False)
        + "data:\n  endpoints.yml: |\n"
        + body
    )


if __name__ == "__main__":
    print(k8s_configmap(), end="")
