"""The project's changes to Rasa's internals (kratom_assistant/rasa_compat.py): installed
only by an explicit call, refused on an unchecked Rasa version, and each one deciding as
Rasa's own code does where it only saves work. A Rasa upgrade that moves what they rely
on fails here."""

import gc

import jsonschema
import pytest
import rasa.core.run
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from kratom_assistant import rasa_compat

VALID_REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "dosing_refused", "value": True}], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "substance", "value": ["alcohol"]},
            {"event": "slot", "name": "interaction_class", "value": None},
        ]
    },
    {},
]
INVALID_REPLIES = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["a string, not an object"]},
    [],
]


@pytest.fixture
def installed():
    rasa_compat.install()
    yield
    rasa_compat.uninstall()


class FailingStore(InMemoryTrackerStore):
    async def save(self, tracker):
        raise ConnectionError("store down")

    async def retrieve(self, sender_id):
        raise ConnectionError("store down")


def test_nothing_changes_on_import():
    import kratom_assistant.channels.web  # noqa: F401  (the channels do not install anything)

    assert RemoteAction._validate_action_result is rasa_compat.RASA_VALIDATE_ACTION_RESULT
    assert FailSafeTrackerStore.on_tracker_store_error is rasa_compat.RASA_ON_STORE_ERROR
    assert rasa.core.run.configure_app is rasa_compat.RASA_CONFIGURE_APP
    assert Event.resolve_by_type is rasa_compat.RASA_RESOLVE_BY_TYPE
    assert DomainProvider.load == rasa_compat.RASA_LOAD_DOMAIN_PROVIDER


def test_an_unchecked_rasa_version_is_refused():
    with pytest.raises(rasa_compat.UncheckedRasaVersion, match="3.7.0"):
        rasa_compat.install(version="3.7.0")
    assert RemoteAction._validate_action_result is rasa_compat.RASA_VALIDATE_ACTION_RESULT


def test_the_installed_rasa_is_the_checked_one():
    assert rasa.__version__ in rasa_compat.CHECKED_RASA_VERSIONS


@pytest.mark.parametrize("reply", VALID_REPLIES)
def test_action_replies_rasa_accepts_are_accepted(reply, installed):
    assert rasa_compat.RASA_VALIDATE_ACTION_RESULT(RemoteAction("action_x", None), reply)
    assert RemoteAction("action_x", None)._validate_action_result(reply)


@pytest.mark.parametrize("reply", INVALID_REPLIES)
def test_action_replies_rasa_rejects_are_rejected(reply, installed):
    with pytest.raises(jsonschema.ValidationError):
        rasa_compat.RASA_VALIDATE_ACTION_RESULT(RemoteAction("action_x", None), reply)
    with pytest.raises(jsonschema.ValidationError):
        RemoteAction("action_x", None)._validate_action_result(reply)


async def test_rasa_alone_falls_back_to_memory_when_the_store_fails():
    store = FailSafeTrackerStore(FailingStore(Domain.empty()))
    await store.save(DialogueStateTracker("someone", []))  # no error: kept in memory only
    assert await store.fallback_tracker_store.retrieve("someone") is not None


async def test_installed_a_failing_store_raises_instead(installed):
    # A new wrapper, as Rasa makes for every model it loads (PUT /model included).
    store = FailSafeTrackerStore(FailingStore(Domain.empty()))
    with pytest.raises(ConnectionError):
        await store.save(DialogueStateTracker("someone", []))
    with pytest.raises(ConnectionError):
        await store.retrieve("someone")


def test_installed_the_server_freezes_what_is_alive_after_start(installed, monkeypatch):
    seen = {}
    monkeypatch.setattr(rasa_compat, "RASA_CONFIGURE_APP", lambda *args, **kwargs: seen.update(kwargs))
    theirs = (print, "before_server_start")
    rasa.core.run.configure_app(enable_api=False, server_listeners=[theirs])
    assert seen["server_listeners"] == [theirs, (rasa_compat.freeze_after_start, "after_server_start")]
    assert seen["enable_api"] is False


def test_rasa_still_takes_server_listeners_and_calls_configure_app_by_name():
    import inspect

    assert "server_listeners" in inspect.signature(rasa_compat.RASA_CONFIGURE_APP).parameters
    assert "configure_app(" in inspect.getsource(rasa.core.run.serve_application)


def test_objects_alive_after_start_are_frozen():
    try:
        rasa_compat.freeze_after_start(None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_event_classes_come_from_the_table_as_from_rasas_walk(installed):
    assert Event.resolve_by_type is not rasa_compat.RASA_RESOLVE_BY_TYPE
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_compat.RASA_RESOLVE_BY_TYPE(cls.type_name)
    assert Event.resolve_by_type("topic") is None  # Rasa's old TopicSet events
    assert Event.resolve_by_type("no such event", default=Event) is Event
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")
    events = [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}, "entities": []}},
        {"event": "action", "name": "action_listen"},
    ]
    tracker = DialogueStateTracker.from_dict("someone", events, [])
    assert [e.type_name for e in tracker.events] == ["user", "action"]


# Words YAML 1.1 would turn into booleans, numbers or times: Rasa reads them as text.
TRICKY_DOMAIN = """
version: "3.1"
intents: [affirm, "no"]
responses:
  utter_yes:
  - text: yes
    buttons:
    - {title: on, payload: /affirm}
    - {title: off, payload: /no}
  utter_time:
  - text: 10:30
  - text: "caf\u00e9 \U0001f600"
  - text: café 😀
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""


@pytest.mark.parametrize("source", ["project", "tricky"])
def test_the_stored_domain_reads_back_as_rasa_reads_it(source, tmp_path):
    domain = Domain.from_directory("domain") if source == "project" else Domain.from_yaml(TRICKY_DOMAIN)
    domain.persist(tmp_path / "domain.yml")  # what a trained model stores, written by Rasa
    ours = rasa_compat.read_stored_domain(tmp_path)
    rasas = Domain.from_path(tmp_path)
    assert ours.as_dict() == rasas.as_dict()
    assert ours.fingerprint() == rasas.fingerprint()


def test_installed_the_domain_provider_loads_the_stored_domain(installed, tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("domain_provider")
    context = ExecutionContext(GraphSchema({}))
    domain = Domain.from_yaml(TRICKY_DOMAIN)
    DomainProvider(storage, resource)._persist(domain)
    loaded = DomainProvider.load({}, storage, resource, context)
    assert isinstance(loaded, DomainProvider)
    assert loaded.provide_inference().as_dict() == Domain.from_path(tmp_path / "domain_provider").as_dict()
