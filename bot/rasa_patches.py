"""The project's changes to Rasa 3.6's server internals, all in one place.

Each one fixes work Rasa repeats on every message or a behaviour we cannot accept, and
each has a test (tests/test_rasa_patches.py) that fails if a Rasa upgrade moves what it
relies on. `apply()` runs when the Rasa server loads our REST channel, which is always
on (bot/channels/web.py), so every way of starting the server gets them.

- Action server replies are checked against Rasa's JSON schema with a validator built
  once. Rasa calls `jsonschema.validate`, which first re-checks the schema itself
  against the JSON Schema meta-schema: 44% of the server's time under load (py-spy).
- Event classes are looked up by type name in a table. Rasa walks every Event subclass
  for each event it reads back from the conversation store (5% of the time).
- A failing conversation store raises instead of falling back to an in-memory store
  (`refuse_to_forget`, a server listener).
- Once the model is loaded, everything alive is moved out of the garbage collector's
  reach (`freeze_after_start`, a server listener): TensorFlow, Rasa and the model make
  millions of long-lived objects that every full collection would walk again.
"""
import gc
from typing import Any, Dict, Optional, Text, Type

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

# Rasa's own versions, kept for the tests that compare the two.
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_RESOLVE_EVENT_TYPE = Event.resolve_by_type
_applied = False


def apply() -> None:
    global _applied
    if not _applied:
        RemoteAction._validate_action_result = _validate_action_result
        Event.resolve_by_type = staticmethod(_resolve_event_type)
        _applied = True


# --- Action server replies: one validator ----------------------------------------

_REPLY_SCHEMA = RemoteAction.action_response_format_spec()
jsonschema.validators.validator_for(_REPLY_SCHEMA).check_schema(_REPLY_SCHEMA)
_REPLY_VALIDATOR = jsonschema.validators.validator_for(_REPLY_SCHEMA)(_REPLY_SCHEMA)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check and error message, without re-checking the schema each time."""
    error = jsonschema.exceptions.best_match(_REPLY_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure "
                          "your response from the Action endpoint is valid.")
        raise error
    return True


# --- Event classes by type name ---------------------------------------------------

_event_types: Dict[Text, Type[Event]] = {}


def _resolve_event_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's Event.resolve_by_type with a table; an unknown name rebuilds the table
    first, so an Event subclass imported later is still found."""
    if type_name not in _event_types:
        _event_types.update((cls.type_name, cls) for cls in reversed(all_subclasses(Event)))
    if type_name in _event_types:
        return _event_types[type_name]
    if type_name == "topic":
        return None  # as Rasa: old TopicSet events are skipped
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


# --- Garbage collection ------------------------------------------------------------

def freeze_after_start(_app, _loop) -> None:
    gc.collect()
    gc.freeze()


# --- Conversation store failures ---------------------------------------------------

def _raise(error: Exception) -> None:
    raise error


def refuse_to_forget(app, _loop) -> None:
    """When the conversation store fails, Rasa falls back to an in-memory one: it would
    answer without the conversation's context, and what it stored meanwhile would be lost
    when the store returns. Raise instead (FailSafeTrackerStore's error callback), so the
    person gets the "temporarily unavailable" reply and nothing acknowledged is lost."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and agent.tracker_store is not None:
        agent.tracker_store._on_tracker_store_error = _raise
