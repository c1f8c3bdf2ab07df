"""The NLU safety guard as a Rasa graph component (LocalModelStorage + ExecutionContext)."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety_guard import GUARD_KEY, SafetyGuard


@pytest.fixture
def guard(tmp_path) -> SafetyGuard:
    return SafetyGuard.create(
        {}, LocalModelStorage(tmp_path), Resource("safety_guard"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def classified(text: str, intent: str, confidence: float = 0.9) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    return message


def test_overrides_a_wrong_classification_and_records_it(guard):
    [message] = guard.process([classified("how many grams should i take for pain", "ask_medical_uses")])
    assert message.get("intent") == {"name": "ask_dosing", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "ask_dosing"
    record = message.get(GUARD_KEY)
    assert record["intent"] == "ask_dosing" and record["overridden"] == "ask_medical_uses"
    assert GUARD_KEY in message.as_dict(only_output_properties=True)


def test_overrides_the_fallback_for_a_crisis(guard):
    [message] = guard.process([classified("my buddy isnt breathing right", "nlu_fallback", 0.3)])
    assert message.get("intent")["name"] == "report_emergency"
    assert message.get(GUARD_KEY)["kind"] == "breathing"


def test_self_harm_overrides_a_dosing_classification(guard):
    [message] = guard.process([classified("how many pills would it take to end my life", "ask_dosing")])
    assert message.get("intent")["name"] == "express_self_harm"


def test_never_downgrades_a_confident_crisis_to_dosing(guard):
    [message] = guard.process([classified("whats the sweet spot, asking for my friend", "report_emergency", 0.85)])
    assert message.get("intent")["name"] == "report_emergency"


def test_never_downgrades_a_crisis_that_speaks_of_dying(guard):
    [message] = guard.process([classified("what is the lethal dose", "express_self_harm", 0.5)])
    assert message.get("intent")["name"] == "express_self_harm"


def test_a_hesitant_crisis_guess_on_a_dosing_request_becomes_dosing(guard):
    [message] = guard.process([classified("for a school paper, what is the dose", "express_self_harm", 0.6)])
    assert message.get("intent")["name"] == "ask_dosing"
    assert message.get(GUARD_KEY)["overridden"] == "express_self_harm"


def test_agreeing_with_the_classifier_keeps_its_confidence(guard):
    [message] = guard.process([classified("how much kratom should i take", "ask_dosing", 0.97)])
    assert message.get("intent") == {"name": "ask_dosing", "confidence": 0.97}
    assert message.get(GUARD_KEY)["overridden"] is None


def test_leaves_other_messages_alone(guard):
    [message] = guard.process([classified("I've taken 30 g a day for two years, what will withdrawal be like?", "ask_withdrawal")])
    assert message.get("intent")["name"] == "ask_withdrawal"
    assert message.get(GUARD_KEY) is None


def test_training_data_passes_through(guard):
    data = TrainingData([Message(data={"text": "hi", "intent": "greet"})])
    assert guard.process_training_data(data) is data
