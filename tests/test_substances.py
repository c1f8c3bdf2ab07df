"""Substance names resolve to interaction classes: every lookup name through the NLU
pipeline, and a held-out list of names and misspellings (tests/substances_heldout.tsv,
written without seeing the lookup)."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.core.agent import Agent

from bot import substances

HELDOUT = Path(__file__).parent / "substances_heldout.tsv"


def nlu_classes(agent: Agent, text: str):
    parsed = asyncio.run(agent.parse_message(text))
    return [e["value"] for e in parsed["entities"] if e["entity"] == "substance"]


def test_lookup_and_synonyms_list_the_same_names():
    data = yaml.safe_load(substances.LOOKUP_FILE.read_text())["nlu"]
    lookup = {n.lower() for item in data if item.get("lookup") == "substance"
              for n in substances.block_examples(item["examples"])}
    assert lookup == set(substances.name_to_class())
    assert len(lookup) >= 120


def test_every_lookup_name_resolves_through_the_nlu_pipeline(agent):
    wrong = [(name, cls, found) for name, cls in substances.name_to_class().items()
             if (found := nlu_classes(agent, f"can i take kratom with {name}"))[:1] != [cls]]
    assert not wrong, wrong


def test_heldout_names_and_misspellings_resolve(agent, report):
    rows = [line.split("\t") for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    right = 0
    for name, cls in rows:
        text = f"is it ok to mix kratom and {name}"
        found = nlu_classes(agent, text) or substances.resolve(text)
        right += found[:1] == [cls]
    rate = right / len(rows)
    report(f"held-out substance names resolved: {rate:.1%} ({right}/{len(rows)}), minimum 95%")
    assert rate >= 0.95


@pytest.mark.parametrize("text,expected", [
    ("kratom with xanax and beer", ["benzodiazepines", "alcohol"]),
    ("can i take klonopen with it", ["benzodiazepines"]),
    ("grapefruit juice and kratom", ["grapefruit"]),
    ("which strain from the gas station is best", []),
    ("is kratom ok for joint pain", []),
])
def test_resolve(text, expected):
    assert substances.resolve(text) == expected
