"""action_crisis_support: choose the first-aid steps that fit the emergency described.

The rules for `report_emergency` and `express_self_harm` send the emergency numbers or
the crisis line first, straight from the Rasa server, so they go out even if this
action server is down. This action then sets `crisis_kind` (breathing, seizure,
chest pain, a child who swallowed something, acute symptoms after use, or a general
overdose), which selects the variation of utter_first_aid that the rule sends next. It
reads the kind the NLU safety screen recorded, or matches the same reviewed patterns
itself when the screen's models, not a pattern, found the crisis.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from kratom_assistant.safety import patterns as safety_patterns


class ActionCrisisSupport(Action):
    def name(self) -> Text:
        return "action_crisis_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        if (message.get("intent") or {}).get("name") == safety_patterns.SELF_HARM:
            kind: Optional[Text] = None
        else:
            screen = message.get("safety_screen") or {}
            kind = screen.get("kind") or safety_patterns.load().crisis_kind(message.get("text") or "")
        return [SlotSet("crisis_kind", kind)]
