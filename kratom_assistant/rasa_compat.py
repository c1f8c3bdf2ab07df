"""Everything the project changes inside Rasa 3.6, in one place, installed by one call.

`install()` is called by the Rasa server's entry point (`python -m kratom_assistant`,
kratom_assistant/__main__.py) before Rasa starts; nothing here happens on import. It
refuses to run on a Rasa version the changes were not checked against: each relies on
Rasa's private code, and tests/unit/test_rasa_compat.py fails if an upgrade moves it.

- Action server replies are checked against Rasa's JSON schema with a validator built
  once. Rasa calls `jsonschema.validate`, which first re-checks the schema itself against
  the JSON Schema meta-schema, on every action call (the largest single cost under load).
- A failing conversation store raises instead of falling back to an in-memory store: it
  would answer without the conversation's context, and what it stored meanwhile would be
  lost when the store returns. The person gets the curated "temporarily unavailable"
  reply (channels/incoming.py) and nothing acknowledged is lost. Changed on Rasa's
  FailSafeTrackerStore class, so a model loaded later (`PUT /model`) keeps it.
- An event read back from the store finds its class in a table built once. Rasa walks
  every subclass of Event for each event it rebuilds (Event.resolve_by_type), up to the
  store's whole window on every message. Put back after the layout change had dropped
  it: p50 at c=1 from 13.9 to 13.0 ms (150 messages, `make bench`'s harness).
- The model's domain is read back with PyYAML's C parser, once. Rasa parses the domain
  it stored in the model four times in pure Python and checks it against its schema
  again (it was checked when the model was trained): 2.3 s of a 2.8 s model load.
- Once the model is loaded, everything alive is moved out of the garbage collector's
  reach (gc.freeze): TensorFlow, Rasa and the model make millions of long-lived objects
  that every full collection would otherwise walk again, in the middle of a reply.
"""

import gc
import re
from pathlib import Path
from typing import Any, Dict, Text

import jsonschema
import rasa
import rasa.core.run
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

CHECKED_RASA_VERSIONS = ("3.6.21",)

# Rasa's own code, kept for the tests that compare and for uninstall().
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_ON_STORE_ERROR = FailSafeTrackerStore.on_tracker_store_error
RASA_ON_STORE_RETRIEVE_ERROR = FailSafeTrackerStore.on_tracker_store_retrieve_error
RASA_CONFIGURE_APP = rasa.core.run.configure_app
RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
RASA_LOAD_DOMAIN_PROVIDER = DomainProvider.load


class UncheckedRasaVersion(RuntimeError):
    pass


def install(version: Text = rasa.__version__) -> None:
    if version not in CHECKED_RASA_VERSIONS:
        raise UncheckedRasaVersion(
            f"Rasa {version} is installed; kratom_assistant/rasa_compat.py was checked against "
            f"{', '.join(CHECKED_RASA_VERSIONS)}. Install the pinned versions (make setup), or re-check "
            "each change against the new Rasa and add its version to CHECKED_RASA_VERSIONS."
        )
    RemoteAction._validate_action_result = _validate_action_result
    FailSafeTrackerStore.on_tracker_store_error = _raise_store_error
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _raise_store_error
    rasa.core.run.configure_app = _configure_app_freezing_after_start
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    DomainProvider.load = classmethod(_load_domain_provider)


def uninstall() -> None:
    """Rasa's own behaviour again (for tests)."""
    RemoteAction._validate_action_result = RASA_VALIDATE_ACTION_RESULT
    FailSafeTrackerStore.on_tracker_store_error = RASA_ON_STORE_ERROR
    FailSafeTrackerStore.on_tracker_store_retrieve_error = RASA_ON_STORE_RETRIEVE_ERROR
    rasa.core.run.configure_app = RASA_CONFIGURE_APP
    Event.resolve_by_type = staticmethod(RASA_RESOLVE_BY_TYPE)
    DomainProvider.load = RASA_LOAD_DOMAIN_PROVIDER


# --- Action server replies: one validator ----------------------------------------

_REPLY_SCHEMA = RemoteAction.action_response_format_spec()
jsonschema.validators.validator_for(_REPLY_SCHEMA).check_schema(_REPLY_SCHEMA)
_REPLY_VALIDATOR = jsonschema.validators.validator_for(_REPLY_SCHEMA)(_REPLY_SCHEMA)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check and error message, without re-checking the schema each time."""
    error = jsonschema.exceptions.best_match(_REPLY_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure "
            "your response from the Action endpoint is valid."
        )
        raise error
    return True


# --- Conversation store failures ---------------------------------------------------


def _raise_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
    raise error


# --- Garbage collection ------------------------------------------------------------


def freeze_after_start(_app, _loop) -> None:
    gc.collect()
    gc.freeze()


def _configure_app_freezing_after_start(*args: Any, server_listeners=None, **kwargs: Any):
    """Rasa's configure_app with one more server listener: after the model is loaded
    (Rasa loads it before the server starts), freeze what is alive."""
    listeners = [*(server_listeners or []), (freeze_after_start, "after_server_start")]
    return RASA_CONFIGURE_APP(*args, server_listeners=listeners, **kwargs)


# --- Events read back: a table of their classes ------------------------------------

_EVENT_CLASSES: Dict[Text, type] = {}


def _resolve_by_type(type_name: Text, default=None):
    """Rasa's lookup, from a table of the event classes (the first class with the name
    wins, as in Rasa's walk); a name not in it goes to Rasa's own code (old "topic"
    events, defaults, unknown names)."""
    if not _EVENT_CLASSES:
        for cls in all_subclasses(Event):
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    found = _EVENT_CLASSES.get(type_name)
    return found if found is not None else RASA_RESOLVE_BY_TYPE(type_name, default)


# --- The model's domain: one parse in C ---------------------------------------------


class Yaml12Loader(yaml.CSafeLoader):
    """PyYAML's C loader reading plain words as YAML 1.2 does (Rasa reads the domain as
    1.2): only true/false are booleans, "yes", "on" or "10:30" stay text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if not tag.endswith((":bool", ":int", ":float"))]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def read_stored_domain(directory: Path) -> Domain:
    """The domain a trained model stores (Rasa wrote it, one file, already validated),
    built from the same dictionary Rasa's Domain.from_directory builds it from."""
    (path,) = Path(directory).glob("*.yml")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader) or {}
    return Domain.from_dict(Domain.merge_domain_dicts(data, {}))


def _load_domain_provider(cls, config, model_storage, resource, execution_context, **kwargs) -> DomainProvider:
    with model_storage.read_from(resource) as resource_directory:
        domain = read_stored_domain(resource_directory)
    return cls(model_storage, resource, domain)
