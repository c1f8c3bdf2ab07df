"""SubstanceMatcher as a Rasa graph component: trained on the reviewed lookup table, kept
in the model, it adds near-misspelt substance names as entities on interaction questions
only, and never a class the exact lookup already found."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from kratom_assistant.nlu.substance_matcher import SubstanceMatcher
from tests.conftest import ROOT

LOOKUP_FILE = ROOT / "data" / "nlu" / "lookups" / "substance.yml"
CONTEXT = ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def matcher(tmp_path_factory) -> SubstanceMatcher:
    """Trained, stored, then loaded back as the Rasa server loads it."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("models"))
    SubstanceMatcher.create({}, storage, Resource("substances"), CONTEXT).train(load_data(str(LOOKUP_FILE)))
    return SubstanceMatcher.load({}, storage, Resource("substances"), CONTEXT)


def classes(matcher, text, intent="ask_interactions", entities=()):
    message = Message.build(text=text)
    message.set("intent", {"name": intent, "confidence": 0.9})  # as the classifier sets it
    message.set("entities", list(entities))
    [message] = matcher.process([message])
    return [e["value"] for e in message.get("entities") if e["entity"] == "substance"]


def test_the_names_come_from_the_model_not_the_repository(matcher):
    assert matcher.names["xanax"] == "benzodiazepines" and len(matcher.names) >= 120


@pytest.mark.parametrize(
    "text,expected",
    [
        ("is kratom ok with seraquel", ["antipsychotics"]),
        ("kratom with xanaks and beer", ["benzodiazepines", "alcohol"]),
        ("can i take klonopen with it", ["benzodiazepines"]),
        ("grapefruit juice and kratom", ["grapefruit"]),
        ("which strain from the gas station is best", []),
    ],
)
def test_misspelt_names_become_entities(matcher, text, expected):
    assert classes(matcher, text) == expected


def test_a_class_already_found_is_not_added_twice(matcher):
    found = {"entity": "substance", "value": "benzodiazepines", "extractor": "RegexEntityExtractor"}
    assert classes(matcher, "kratom and xanax", entities=[found]) == ["benzodiazepines"]


def test_other_intents_are_not_searched(matcher):
    assert classes(matcher, "is kratom ok with seraquel", intent="ask_risks") == []
