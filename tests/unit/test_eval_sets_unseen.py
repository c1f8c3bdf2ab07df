"""No message of a test set is trained on: the safety corpora (data/safety/) and the NLU
examples (data/nlu/) share no line with the red-team, dev, exhausted or sealed sets or the held-out
NLU set, compared after normalising case, accents, spacing and punctuation. A failure names the training file and
line only, so a sealed message is never printed."""

import re
from typing import Dict, Iterator, Tuple

import yaml

from kratom_assistant.nlu.text_normalise import normalise
from tests.conftest import ROOT

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")  # "[xanax](substance)" -> "xanax"
TEST_SETS = [
    ROOT / "tests" / "redteam",
    *sorted((ROOT / "tests" / "exhausted").glob("v*")),
    *sorted((ROOT / "tests").glob("sealed*")),
]
HELDOUT = ROOT / "tests" / "nlu_heldout.yml"


def key(text: str) -> str:
    return " ".join(re.findall(r"\w+", normalise(text)))


def training_lines() -> Iterator[Tuple[str, str]]:
    for path in sorted((ROOT / "data" / "safety").rglob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", line
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" not in item:
                continue  # lookup tables and synonyms: names, not messages
            for example in (item.get("examples") or "").splitlines():
                yield f"{path.relative_to(ROOT)} ({item['intent']})", ANNOTATION.sub(r"\1", example.lstrip("- "))


def tested_lines() -> Dict[str, str]:
    """Every test line's normalised form, and the set it belongs to."""
    keys = {}
    for folder in TEST_SETS:
        for path in folder.glob("*.txt"):
            for line in path.read_text(encoding="utf-8").splitlines():
                keys.setdefault(key(line), path.parent.name)
    for item in yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["nlu"]:
        for example in (item.get("examples") or "").splitlines():
            keys.setdefault(key(ANNOTATION.sub(r"\1", example.lstrip("- "))), "the held-out NLU set")
    keys.pop("", None)
    return keys


def test_no_test_message_is_in_the_training_data():
    tested = tested_lines()
    assert len(tested) > 3000
    leaks = [f"{where} is in {tested[key(line)]}" for where, line in training_lines() if key(line) in tested]
    assert not leaks, "\n".join(leaks)
