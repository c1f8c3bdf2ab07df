"""The project's changes to Rasa's internals (bot/rasa_patches.py) decide exactly as
Rasa's own code does; they only stop repeating work. A Rasa upgrade that moves what
they rely on fails here."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import rasa_patches

RASA_VALIDATE = rasa_patches.RASA_VALIDATE_ACTION_RESULT
RASA_RESOLVE = rasa_patches.RASA_RESOLVE_EVENT_TYPE

VALID_REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "dosing_refused", "value": True}], "responses": []},
    {"events": [{"event": "slot", "name": "substance", "value": ["alcohol"]},
                {"event": "slot", "name": "interaction_class", "value": None}]},
    {},
]
INVALID_REPLIES = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["a string, not an object"]},
    [],
]


def test_applied_by_the_rest_channel():
    import bot.channels.web  # noqa: F401  (the REST channel, always on, applies them)
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result
    assert Event.resolve_by_type is rasa_patches._resolve_event_type


@pytest.mark.parametrize("reply", VALID_REPLIES)
def test_action_replies_rasa_accepts_are_accepted(reply):
    assert RASA_VALIDATE(RemoteAction("action_x", None), reply)
    assert rasa_patches._validate_action_result(RemoteAction("action_x", None), reply)


@pytest.mark.parametrize("reply", INVALID_REPLIES)
def test_action_replies_rasa_rejects_are_rejected(reply):
    with pytest.raises(jsonschema.ValidationError):
        RASA_VALIDATE(RemoteAction("action_x", None), reply)
    with pytest.raises(jsonschema.ValidationError):
        rasa_patches._validate_action_result(RemoteAction("action_x", None), reply)


def test_every_event_type_resolves_as_rasa_resolves_it():
    for cls in all_subclasses(Event):
        assert rasa_patches._resolve_event_type(cls.type_name) is RASA_RESOLVE(cls.type_name)


def test_unknown_event_types_behave_as_in_rasa():
    assert rasa_patches._resolve_event_type("topic") is None
    assert rasa_patches._resolve_event_type("no-such-event", UserUttered) is UserUttered
    with pytest.raises(ValueError):
        rasa_patches._resolve_event_type("no-such-event")


def test_an_event_class_defined_later_is_found():
    rasa_patches._resolve_event_type("slot")  # the table is built

    class ProjectEvent(SlotSet):
        type_name = "project_test_event"

    assert rasa_patches._resolve_event_type("project_test_event") is ProjectEvent


def test_objects_alive_after_start_are_frozen():
    import gc
    try:
        rasa_patches.freeze_after_start(None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
