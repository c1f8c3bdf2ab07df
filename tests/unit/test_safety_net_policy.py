"""The safety-net policy's decision, on trackers: the line comes once, after the rule
has answered, only when the screen was unsure or the reply was "say it another way",
and never after a reply that already carries crisis numbers."""

import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kratom_assistant.safety.net_policy import SafetyNetRulePolicy, actions_this_turn
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain"))


def tracker(net: bool, *actions: str) -> DialogueStateTracker:
    parse = {"intent": {"name": "ask_effects", "confidence": 1.0}, "entities": [], "safety_screen": {"net": net}}
    events = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("a message", parse_data=parse)]
    return DialogueStateTracker.from_events("someone", events + [ActionExecuted(a) for a in actions])


def predicting(action: str) -> PolicyPrediction:
    probabilities = [0.0] * DOMAIN.num_actions
    probabilities[DOMAIN.index_for_action(action)] = 1.0
    return PolicyPrediction(probabilities, "RulePolicy")


@pytest.mark.parametrize(
    "net,actions,next_action,due",
    [
        (True, ["utter_effects"], ACTION_LISTEN_NAME, True),  # answered, unsure: the line
        (False, ["utter_effects"], ACTION_LISTEN_NAME, False),  # answered, sure: nothing
        (True, ["action_explain_interaction"], "utter_interactions", False),  # the rule is still answering
        (True, [], "utter_effects", False),  # nothing answered yet
        (True, ["utter_self_harm_support", "action_crisis_support", "utter_self_harm_stay"], ACTION_LISTEN_NAME, False),
        (True, ["utter_other_language"], ACTION_LISTEN_NAME, False),  # already has the numbers
        (False, ["utter_rephrase"], ACTION_LISTEN_NAME, True),  # "say it another way" always
        (True, ["utter_effects", "utter_safety_net"], ACTION_LISTEN_NAME, False),  # once
    ],
)
def test_when_the_line_is_due(net, actions, next_action, due):
    t = tracker(net, *actions)
    assert SafetyNetRulePolicy._net_due(actions_this_turn(t), t, DOMAIN, predicting(next_action)) == due


def test_actions_this_turn_stop_at_the_user_message():
    t = tracker(False, "utter_effects")
    t.update(ActionExecuted(ACTION_LISTEN_NAME))
    t.update(UserUttered("next", parse_data={"intent": {"name": "thank", "confidence": 1.0}, "entities": []}))
    t.update(ActionExecuted("utter_thank"))
    assert actions_this_turn(t) == ["utter_thank"]
