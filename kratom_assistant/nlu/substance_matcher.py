"""Substance names, misspelt ones included, as `substance` entities valued with their
interaction class.

RegexEntityExtractor and EntitySynonymMapper find the exact names of the reviewed lookup
table (data/nlu/lookups/substance.yml) and map them to their class. This component runs
after them and adds the near-misspellings they miss ("xanaks", "gabapenten"), so action_explain_interaction can still pick the right answer.
Its table of names comes from the training data and is kept in the model: the action
server reads the entities and never the repository's files.

Near-misspellings cost a difflib search per word, so only the intents whose answer uses
the names (the interaction questions) are searched.
"""

import difflib
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kratom_assistant.stored_component import StoredComponent

# A misspelling must be this close to a known name (difflib ratio) and long enough
# that a short everyday word is never mistaken for a drug.
FUZZY_CUTOFF = 0.8
FUZZY_MIN_LENGTH = 5
# Everyday words that sit close to a drug name ("strain" ~ "statin"): never fuzzy-matched.
NOT_SUBSTANCES = {
    "strain",
    "strains",
    "station",
    "stations",
    "starting",
    "startin",
    "better",
    "brand",
    "brands",
    "convert",
    "concern",
    "concerns",
    "express",
    "britain",
    "workout",
    "robot",
    "percent",
    "heroic",
    "ultra",
    "states",
    "status",
    "stating",
    "meant",
    "method",
    "holly",  # ~ "molly"
    "jolly",
}
_WORDS = re.compile(r"[a-z0-9][a-z0-9'-]*")


def name_to_class(training_data: TrainingData, entity: Text) -> Dict[Text, Text]:
    """Every name in the entity's lookup table, mapped to its synonym (its class)."""
    synonyms = {name.lower(): value for name, value in training_data.entity_synonyms.items()}
    names = {
        str(name).lower()
        for table in training_data.lookup_tables
        if table["name"] == entity
        for name in table["elements"]
    }
    return {name: synonyms[name] for name in sorted(names) if name in synonyms}


def resolve(text: Text, names: Dict[Text, Text]) -> List[Text]:
    """Classes named in text, in order of mention (exact names, then near matches)."""
    words = _WORDS.findall((text or "").lower())
    found: List[Tuple[int, Text]] = []
    for size in (3, 2, 1):  # longest names first: "grapefruit juice" before "grapefruit"
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in names:
                found.append((start, names[phrase]))
            elif size == 1 and len(phrase) >= FUZZY_MIN_LENGTH and phrase not in NOT_SUBSTANCES:
                close = difflib.get_close_matches(phrase, names, n=1, cutoff=FUZZY_CUTOFF)
                if close:
                    found.append((start, names[close[0]]))
    return list(dict.fromkeys(cls for _, cls in sorted(found)))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class SubstanceMatcher(StoredComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entity": "substance", "intents": ["ask_interactions", "inform_substance"]}

    def use(self, names: Optional[Dict[Text, Text]]) -> None:
        self.names = names or {}

    def train(self, training_data: TrainingData) -> Resource:
        return self.persist(name_to_class(training_data, self.config["entity"]))

    def process(self, messages: List[Message]) -> List[Message]:
        entity = self.config["entity"]
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent not in self.config["intents"] or not message.get(TEXT):
                continue
            entities = message.get(ENTITIES, [])
            named = {e.get("value") for e in entities if e.get("entity") == entity}
            extra = [cls for cls in resolve(message.get(TEXT), self.names) if cls not in named]
            message.set(
                ENTITIES,
                entities + [{"entity": entity, "value": cls, "extractor": self.__class__.__name__} for cls in extra],
                add_to_output=True,
            )
        return messages
