"""The rule policy, plus the safety net: one curated line with emergency and crisis
numbers after an answer whose message the safety screen was unsure about.

The safety screen (kratom_assistant/safety/screen.py) sets `net` in its record when a message's
crisis score falls between "clearly not" and the crisis threshold. Rules cannot see
that, and writing every topic rule twice would double them; so this policy lets the
rules answer as usual and, when they are done (they predict action_listen), sends
`utter_safety_net` once before listening. It does the same after a core fallback
("say it another way" when no rule applies); the NLU fallback rule sends the line itself.
A turn that already gave crisis numbers gets no extra line.
"""

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kratom_assistant.safety.screen import SCREEN_KEY

NET_ACTION = "utter_safety_net"
REPHRASE_ACTION = "utter_rephrase"
# Replies that already carry emergency or crisis numbers: no net line after them.
CARRIES_NUMBERS = {NET_ACTION, "utter_emergency_numbers", "utter_self_harm_support", "utter_other_language"}
SOURCE = "safety net"


def actions_this_turn(tracker: DialogueStateTracker) -> List[Text]:
    """The actions run since the latest user message, oldest first."""
    names = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name and event.action_name != ACTION_LISTEN_NAME:
            names.append(event.action_name)
    return names[::-1]


def net_flagged(tracker: DialogueStateTracker) -> bool:
    screen = (tracker.latest_message.parse_data or {}).get(SCREEN_KEY) if tracker.latest_message else None
    return bool(screen and screen.get("net"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyNetRulePolicy(RulePolicy):
    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        done = actions_this_turn(tracker)
        if done and done[-1] == NET_ACTION:
            return self._rule_prediction(self._prediction_result(ACTION_LISTEN_NAME, tracker, domain), SOURCE)
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        if self._net_due(done, tracker, domain, prediction):
            return self._rule_prediction(self._prediction_result(NET_ACTION, tracker, domain), SOURCE)
        return prediction

    @staticmethod
    def _net_due(done: List[Text], tracker: DialogueStateTracker, domain: Domain, prediction: PolicyPrediction) -> bool:
        if not done or CARRIES_NUMBERS.intersection(done):
            return False
        if domain.action_names_or_texts[prediction.max_confidence_index] != ACTION_LISTEN_NAME:
            return False  # the rule is still answering
        return net_flagged(tracker) or REPHRASE_ACTION in done
