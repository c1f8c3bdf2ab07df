"""Substance names resolve to interaction classes: every lookup name through the NLU
pipeline, and a held-out list of names and misspellings (tests/substances_heldout.tsv,
written without seeing the lookup)."""

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from kratom_assistant.nlu.substance_matcher import name_to_class, resolve
from tests.conftest import ROOT, TESTS

HELDOUT = TESTS / "substances_heldout.tsv"
LOOKUP_FILE = ROOT / "data" / "nlu" / "lookups" / "substance.yml"


@pytest.fixture(scope="module")
def names():
    return name_to_class(load_data(str(LOOKUP_FILE)), "substance")


def nlu_classes(agent: Agent, text: str):
    parsed = asyncio.run(agent.parse_message(text))
    return [e["value"] for e in parsed["entities"] if e["entity"] == "substance"]


def test_lookup_and_synonyms_list_the_same_names():
    data = load_data(str(LOOKUP_FILE))
    lookup = {n.lower() for table in data.lookup_tables if table["name"] == "substance" for n in table["elements"]}
    synonyms = {n.lower() for n in data.entity_synonyms}
    assert lookup == synonyms
    assert len(lookup) >= 120


def test_every_lookup_name_resolves_through_the_nlu_pipeline(agent, names):
    wrong = [
        (name, cls, found)
        for name, cls in names.items()
        if (found := nlu_classes(agent, f"can i take kratom with {name}"))[:1] != [cls]
    ]
    assert not wrong, wrong


def test_heldout_names_and_misspellings_resolve(agent, report):
    rows = [line.split("\t") for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    right = 0
    for name, cls in rows:
        text = f"is it ok to mix kratom and {name}"
        found = nlu_classes(agent, text)
        right += found[:1] == [cls]
    rate = right / len(rows)
    report(f"held-out substance names resolved: {rate:.1%} ({right}/{len(rows)}), minimum 95%")
    assert rate >= 0.95


@pytest.mark.parametrize(
    "text,expected",
    [
        ("kratom with xanax and beer", ["benzodiazepines", "alcohol"]),
        ("can i take klonopen with it", ["benzodiazepines"]),
        ("grapefruit juice and kratom", ["grapefruit"]),
        ("which strain from the gas station is best", []),
        ("is kratom ok for joint pain", []),
    ],
)
def test_resolve(text, expected, names):
    assert resolve(text, names) == expected
