"""endpoints.yml is the one source of the endpoints configuration, and works as it is."""

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config

from kratom_assistant.stores.tracker_store import ConversationStore
from tools import endpoints


def test_endpoints_yml_works_as_it_is_from_a_fresh_clone(tmp_path, monkeypatch):
    # A fresh clone has no var/ folder: the store makes it (as `rasa run` would need).
    monkeypatch.chdir(tmp_path)
    config = read_endpoint_config(str(endpoints.ENDPOINTS_FILE), "tracker_store")
    store = TrackerStore.create(config, Domain.empty())
    assert isinstance(store, ConversationStore)
    assert (tmp_path / "var" / "conversations.db").is_file()


def test_make_run_changes_only_the_ports_and_the_file(tmp_path):
    config = endpoints.single_instance(5155, tmp_path / "c.db")
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:5155/webhook"
    assert config["tracker_store"]["db"] == str(tmp_path / "c.db")
    assert "tracker_store" not in endpoints.single_instance(5155, None)  # in memory


def test_multi_instance_keeps_the_store_type_and_adds_the_lock():
    base = read_endpoint_config(str(endpoints.ENDPOINTS_FILE), "tracker_store")
    config = endpoints.multi_instance("http://a:1/webhook", "pg", 5432, "", "redis", 6379)
    assert config["tracker_store"]["type"] == base.type and config["tracker_store"]["dialect"] == "postgresql"
    assert config["lock_store"]["type"] == endpoints.LOCK_STORE


def test_the_kubernetes_configmap_is_generated_from_endpoints_yml():
    assert endpoints.CONFIGMAP_FILE.read_text() == endpoints.k8s_configmap(), (
        "regenerate it: python -m tools.endpoints > deploy/k8s/endpoints-configmap.yaml"
    )
