"""The reviewed safety patterns (kratom_assistant/safety/patterns.yml), compiled and ready to match.

Shared by the NLU safety guard (which intent a message must get) and the custom
actions (which crisis kind or dosing context a message describes), so both layers
read the same reviewed file.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from kratom_assistant.nlu.text_normalise import normalise

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")

SELF_HARM = "express_self_harm"
EMERGENCY = "report_emergency"
DOSING = "ask_dosing"
# The crises: answered first, with emergency and crisis numbers, whatever else is said.
CRISIS_INTENTS = frozenset({SELF_HARM, EMERGENCY})


@dataclass(frozen=True)
class SafetyMatch:
    intent: str  # the intent the message must get
    kind: Optional[str]  # crisis kind for emergencies, else None
    pattern: str  # the pattern that matched, for the record
    text: str  # the normalised text it matched in


class SafetyPatterns:
    def __init__(self, spec: Dict) -> None:
        self.misspellings: Dict[str, str] = spec.get("misspellings") or {}
        self._last: Tuple[Optional[str], str] = (None, "")
        self.self_harm = _compile(spec["self_harm"])
        self.emergency = {kind: _compile(p) for kind, p in spec["emergency"].items()}
        self.dosing = _compile(spec["dosing"])
        self.dosing_contexts = {c: _compile(p) for c, p in spec["dosing_context"].items()}
        self.downgrade_below: float = spec["crisis_downgrade"]["below_confidence"]
        self.death_words = _compile(spec["crisis_downgrade"]["never_with"])
        self.crisis_over = _compile(spec["crisis_over"]["over"])
        self.crisis_back = _compile(spec["crisis_over"]["still"])
        discomfort = spec["withdrawal_discomfort"]
        self.discomfort = [_compile(discomfort[part]) for part in ("symptom", "stopping")]
        self.danger = _compile(discomfort["danger"])
        # Asks that ease a crisis only the models saw, when no danger sign is named: each
        # is a list of patterns that must all match, and the danger patterns.
        self.eased_asks = {
            name: ([_compile([pattern]) for pattern in spec[name]["asks"]], _compile(spec[name]["danger"]))
            for name in ("deletion_request", "dependence_statement", "death_idiom")
        }
        self.conversational_replies = _compile(spec["conversational_reply"])
        # Questions the dosing model alone must not refuse: what each asks, and what
        # makes it a dosing request after all (the next dose, an amount).
        self.dosing_model_lifts = [
            (_compile(spec[name]["asks"]), _compile(spec[name][unless]))
            for name, unless in (
                ("duration_question", "timing"),
                ("help_contact", "amounts"),
                ("travel_question", "amounts"),
                ("kitchen_measure", "product"),
            )
        ]

    @classmethod
    def from_file(cls, path: Path = PATTERNS_FILE) -> "SafetyPatterns":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def normalise(self, text: str) -> str:
        """The normalised text; the last one is kept, as the screen asks several questions
        of each message."""
        last = self._last
        if last[0] != text:
            last = (text, normalise(text, self.misspellings))
            self._last = last
        return last[1]

    def match(self, text: str) -> Optional[SafetyMatch]:
        """The safety intent a message must get, by precedence: self-harm, emergency, dosing."""
        norm = self.normalise(text)
        found = _first(self.self_harm, norm)
        if found:
            return SafetyMatch(SELF_HARM, None, found, norm)
        for kind, patterns in self.emergency.items():
            found = _first(patterns, norm)
            if found:
                return SafetyMatch(EMERGENCY, kind, found, norm)
        found = _first(self.dosing, norm)
        if found:
            return SafetyMatch(DOSING, None, found, norm)
        return None

    def mentions_death(self, normalised_text: str) -> bool:
        return _first(self.death_words, normalised_text) is not None

    def told_as_over(self, text: str) -> bool:
        """The message tells of a crisis as past and over, and nothing says it is back."""
        norm = self.normalise(text)
        return _first(self.crisis_over, norm) is not None and _first(self.crisis_back, norm) is None

    def withdrawal_discomfort(self, text: str) -> bool:
        """The message tells of withdrawal discomfort after stopping and names no danger sign."""
        norm = self.normalise(text)
        return all(_first(part, norm) for part in self.discomfort) and _first(self.danger, norm) is None

    def deletion_request(self, text: str) -> bool:
        """The message asks to delete what was written and names no danger sign or farewell."""
        return self._asks_without_danger("deletion_request", text)

    def dependence_statement(self, text: str) -> bool:
        """The message tells of dependence ("I can't go a day without it") and names no
        danger sign or farewell."""
        return self._asks_without_danger("dependence_statement", text)

    def death_idiom(self, text: str) -> bool:
        """The message uses a death idiom ("my boss will kill me") and names no other danger
        sign or farewell."""
        return self._asks_without_danger("death_idiom", text)

    def _asks_without_danger(self, name: str, text: str) -> bool:
        asks, danger = self.eased_asks[name]
        norm = self.normalise(text)
        return all(_first(part, norm) for part in asks) and _first(danger, norm) is None

    def conversational_reply(self, text: str) -> bool:
        """The whole message is only a conversational reply ("nope", "talk soon")."""
        return _first(self.conversational_replies, self.normalise(text)) is not None

    def lifts_dosing_model(self, text: str) -> bool:
        """The message asks how long something lasts, how to reach someone who helps, about
        carrying kratom somewhere or how kitchen measures convert, and not for the next dose,
        an amount or a product."""
        norm = self.normalise(text)
        return any(
            _first(asks, norm) is not None and _first(unless, norm) is None for asks, unless in self.dosing_model_lifts
        )

    def crisis_kind(self, text: str) -> Optional[str]:
        """Which emergency a message describes (first-aid variation), if any pattern says."""
        norm = self.normalise(text)
        for kind, patterns in self.emergency.items():
            if _first(patterns, norm):
                return kind
        return None

    def dosing_context(self, text: str) -> str:
        """Which dose-free safety point fits a dosing request."""
        norm = self.normalise(text)
        for context, patterns in self.dosing_contexts.items():
            if _first(patterns, norm):
                return context
        return "general"


@lru_cache(maxsize=1)
def load() -> SafetyPatterns:
    """The patterns, read once per process."""
    return SafetyPatterns.from_file()


def _compile(patterns: List[str]) -> List[Pattern]:
    return [re.compile(p) for p in patterns]


def _first(patterns: List[Pattern], text: str) -> Optional[str]:
    for pattern in patterns:
        if pattern.search(text):
            return pattern.pattern
    return None
