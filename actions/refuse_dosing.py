"""action_refuse_dosing: adapt the dosing refusal to what was asked.

The words are curated responses in domain/safety.yml; the rule for `ask_dosing` sends them
(utter_dosing_refusal, then utter_dosing_harm_reduction and utter_help_lines). This
action only sets the slots that choose their variations:
- `dosing_context`: the product or reason in the request (7-OH, extract, pet, taper,
  conversion, mixing, opioid withdrawal, pain, a claimed professional), from the
  reviewed patterns in kratom_assistant/safety/patterns.yml;
- `dosing_refused`: so that insisting gets the firm second wording.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from kratom_assistant.safety import patterns as safety_patterns


class ActionRefuseDosing(Action):
    def name(self) -> Text:
        return "action_refuse_dosing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        context = safety_patterns.load().dosing_context(text)
        return [SlotSet("dosing_context", context), SlotSet("dosing_refused", True)]
