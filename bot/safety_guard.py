"""NLU safety guard: reviewed patterns overrule the intent classifier.

A statistical classifier can miss a dosing request or a crisis. This component runs
after the classifier (and the fallback classifier) and, when a reviewed pattern in
bot/safety_patterns.yml matches the normalised text, sets the intent to
`ask_dosing`, `report_emergency` or `express_self_harm`. It records what it did under
`safety_guard` in the parse result, so the actions and the logs can see it.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import safety_patterns

INTENT_RANKING = "intent_ranking"
GUARD_KEY = "safety_guard"
CRISIS_INTENTS = {safety_patterns.SELF_HARM, safety_patterns.EMERGENCY}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyGuard":
        return cls(safety_patterns.load())

    def __init__(self, patterns: safety_patterns.SafetyPatterns) -> None:
        self.patterns = patterns

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    def _keeps_crisis(self, intent: Dict[Text, Any], match: safety_patterns.SafetyMatch) -> bool:
        """Whether a crisis the classifier found stands against a dosing pattern.

        A crisis the classifier is sure of, or one that speaks of dying, is never turned
        into a dosing refusal. A hesitant crisis guess on a message that a dosing pattern
        matches (and no crisis pattern did) is a dosing request.
        """
        if intent.get(INTENT_NAME_KEY) not in CRISIS_INTENTS:
            return False
        hesitant = intent.get(PREDICTED_CONFIDENCE_KEY, 1.0) < self.patterns.downgrade_below
        return not hesitant or self.patterns.mentions_death(match.text)

    def _guard(self, message: Message) -> None:
        match = self.patterns.match(message.get(TEXT) or "")
        if match is None:
            return
        intent = message.get(INTENT) or {}
        classified = intent.get(INTENT_NAME_KEY)
        if match.intent == safety_patterns.DOSING and self._keeps_crisis(intent, match):
            return
        record: Dict[Text, Optional[Text]] = {
            "intent": match.intent,
            "kind": match.kind,
            "pattern": match.pattern,
            "overridden": classified if classified != match.intent else None,
        }
        message.set(GUARD_KEY, record, add_to_output=True)
        if classified == match.intent:
            return
        forced = {INTENT_NAME_KEY: match.intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != match.intent]
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING, [forced] + ranking, add_to_output=True)
