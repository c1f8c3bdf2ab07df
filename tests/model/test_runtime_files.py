"""Answering a message reads no file of the repository: what the runtime needs comes from
the model, the domain it was given, or its own package data (kratom_assistant/**/*.yml).
Checked with Python's audit hook on `open`, in a fresh interpreter that loads the model,
answers messages through the NLU and the rules, and runs every custom action."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = r"""
import asyncio, json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "open" and isinstance(args[0], str) else None)

from rasa.core.agent import Agent
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from actions.crisis_support import ActionCrisisSupport
from actions.explain_interaction import ActionExplainInteraction
from actions.refuse_dosing import ActionRefuseDosing

agent = Agent.load("models/current.tar.gz")
domain = agent.domain.as_dict()
for text in ["hi", "is kratom addictive", "can i mix kratom with xanaks", "how many grams should i take",
             "my friend is not breathing", "quiero morir", "whats the weather"]:
    asyncio.run(agent.parse_message(text))
for action, text, intent in [(ActionRefuseDosing(), "how much", "ask_dosing"),
                             (ActionCrisisSupport(), "he is not breathing", "report_emergency"),
                             (ActionExplainInteraction(), "kratom and xanax", "ask_interactions")]:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    tracker = Tracker("layout", {}, latest, [], False, None, {}, "action_listen")
    asyncio.run(action.run(CollectingDispatcher(), tracker, domain))
with open(sys.argv[1], "w") as out:
    json.dump(opened, out)
"""
ALLOWED = ("models/", "kratom_assistant/", "actions/")


def test_answering_reads_no_repository_file(tmp_path):
    record = tmp_path / "opened.json"
    subprocess.run([sys.executable, "-c", SCRIPT, str(record)], cwd=ROOT, capture_output=True, timeout=300, check=True)
    opened = json.loads(record.read_text())
    # Relative names not found under the root were opened inside a temporary folder
    # (Rasa unpacks the model and removes it with dir_fd-relative calls).
    paths = (Path(p) if Path(p).is_absolute() else ROOT / p for p in opened)
    inside = {
        str(path.resolve().relative_to(ROOT))
        for path in paths
        if path.exists() and path.resolve().is_relative_to(ROOT) and ".venv" not in path.parts
    }
    assert inside, "the audit hook saw no file at all: the check itself is broken"
    wrong = sorted(p for p in inside if not p.startswith(ALLOWED))
    assert not wrong, f"read at run time: {wrong}"
