"""action_explain_interaction: which curated interaction answers fit what was named.

Sets `interaction_class` (the most dangerous substance named) and
`interaction_class_2` (a second one), which choose the variations of
utter_interactions and utter_interactions_second (domain/content_interactions.yml). It ranks
them by each class's level in interaction_levels.yml, generated with those answers from
content/interactions/ by `make content`, so the call needs no domain. Names come from the
NLU's `substance` entities (exact names from the lookup, near-misspellings from
kratom_assistant/nlu/substance_matcher.py). A name
the assistant does not know gets the "unknown" answer; no name at all leaves
`interaction_class` empty, so the general answer is followed by "which one?".
`interaction_checked` tells the responses this action ran (with the action server down
they say the checker is unavailable instead of showing a stale answer).
"""

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

# The fixed scale, most dangerous first. "Unknown" ranks above "Low risk": no data is
# not the same as safe.
RISK_ORDER = ["Dangerous", "Unsafe", "Caution", "Unknown", "Low risk"]
# Words after "with ..." that are not the name of a substance.
NOT_A_NAME = {
    "my",
    "meds",
    "med",
    "medication",
    "medications",
    "medicine",
    "medicines",
    "drugs",
    "drug",
    "pills",
    "prescription",
    "prescriptions",
    "other",
    "others",
    "anything",
    "something",
    "stuff",
    "it",
    "them",
    "that",
    "this",
    "kratom",
    "k",
    "food",
    "water",
    "juice",
    "milk",
    "an",
    "a",
    "the",
    "some",
    "any",
    "each",
    "both",
    "substances",
    "supplements",
    "empty",
    "friends",
    "someone",
    "people",
    "me",
    "you",
}
NAMED_OBJECT = re.compile(
    r"\b(?:with|and|plus|alongside|mixing|mix|combine|combining|on)\s+(?:my\s+|some\s+|a\s+|an\s+|the\s+|his\s+|her\s+)?([a-z][a-z0-9-]{2,})"
)


# Each class's level, as content/interactions/ gives it.
LEVELS: Dict[Text, Text] = yaml.safe_load(
    Path(__file__).with_name("interaction_levels.yml").read_text(encoding="utf-8")
)


def names_something_unknown(text: Text) -> bool:
    return any(word not in NOT_A_NAME for word in NAMED_OBJECT.findall(text.lower()))


class ActionExplainInteraction(Action):
    def name(self) -> Text:
        return "action_explain_interaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        text = message.get("text") or ""
        named = [
            e["value"]
            for e in message.get("entities") or []
            if e.get("entity") == "substance" and e.get("value") in LEVELS
        ]
        if not named and (
            (message.get("intent") or {}).get("name") == "inform_substance" or names_something_unknown(text)
        ):
            named = ["unknown"]
        ranked = sorted(dict.fromkeys(named), key=lambda c: RISK_ORDER.index(LEVELS[c]))
        first: Optional[Text] = ranked[0] if ranked else None
        second: Optional[Text] = ranked[1] if len(ranked) > 1 else None
        events = [
            SlotSet("interaction_class", first),
            SlotSet("interaction_class_2", second),
            SlotSet("interaction_checked", True),
        ]
        if ranked:
            events.append(SlotSet("substance", ranked))
        return events
