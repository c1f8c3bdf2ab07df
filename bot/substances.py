"""Substance names -> interaction classes, from data/nlu/lookups/substance.yml.

The NLU pipeline's RegexEntityExtractor finds exact names from the same lookup; this
module also catches near-misspellings ("xanaks", "gabapenten") that a lookup misses,
so action_explain_interaction can still pick the right class.
"""
import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

LOOKUP_FILE = Path(__file__).resolve().parent.parent / "data" / "nlu" / "lookups" / "substance.yml"
# A misspelling must be this close to a known name (difflib ratio) and long enough
# that a short everyday word is never mistaken for a drug.
FUZZY_CUTOFF = 0.8
FUZZY_MIN_LENGTH = 5
# Everyday words that sit close to a drug name ("strain" ~ "statin"): never fuzzy-matched.
NOT_SUBSTANCES = {
    "strain", "strains", "station", "stations", "starting", "startin", "better", "brand",
    "brands", "convert", "concern", "concerns", "express", "britain", "workout", "robot",
    "percent", "heroic", "ultra", "states", "status", "stating", "meant", "method",
}
_WORDS = re.compile(r"[a-z0-9][a-z0-9'-]*")


def block_examples(block: str) -> List[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


@lru_cache(maxsize=1)
def name_to_class() -> Dict[str, str]:
    data = yaml.safe_load(LOOKUP_FILE.read_text(encoding="utf-8"))["nlu"]
    return {name.lower(): item["synonym"] for item in data if "synonym" in item
            for name in block_examples(item["examples"])}


def resolve(text: str) -> List[str]:
    """Interaction classes named in text, in order of mention (exact, then near matches)."""
    names = name_to_class()
    words = _WORDS.findall((text or "").lower())
    found: List[tuple] = []
    for size in (3, 2, 1):  # longest names first: "grapefruit juice" before "grapefruit"
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            if phrase in names:
                found.append((start, names[phrase]))
            elif size == 1 and len(phrase) >= FUZZY_MIN_LENGTH and phrase not in NOT_SUBSTANCES:
                close = difflib.get_close_matches(phrase, names, n=1, cutoff=FUZZY_CUTOFF)
                if close:
                    found.append((start, names[close[0]]))
    ordered: List[str] = []
    for _, cls in sorted(found):
        if cls not in ordered:
            ordered.append(cls)
    return ordered
