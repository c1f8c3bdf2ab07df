"""Content audit: every word the assistant can say, checked before it ships.

`python -m tools.content_audit` (make audit, part of `make test`) checks every response in
domain/ and exits non-zero on a problem. On form:
- every topic answer ends with a source line naming an authority, a link and a review
  date ("Source: NIDA, Kratom (https://...). Reviewed 2026-11.");
- no response contains a dose-like quantity (a number with g, mg, capsules, ...);
- every response is used by a rule, a story, the config or an action;
- every interaction answer starts "Kratom with X: LEVEL." on the fixed risk scale;
- no response variation is empty; every button points at a known intent;
- quick replies fit every channel: titles of at most 20 characters, and a response with
  more than three has a Messenger variation with at most three; every text with its
  options fits one SMS/WhatsApp message.
On meaning, the reviewed content it is generated from (tools/content_checks.py): levels
and evidence that agree, allowed sources only, reading grade, help pointers per country,
review dates, generated files current. It then prints a table of the topic answers with their sources and review dates for
the clinical reviewer.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Set

import yaml

from kratom_assistant.channels.limits import MAX_BUTTON_TITLE, MAX_MESSAGE, MAX_MESSENGER_BUTTONS

ROOT = Path(__file__).resolve().parent.parent
# Interaction answers start with the substance and a level on one fixed scale.
INTERACTION_LEVEL = re.compile(r"^Kratom with .+: (?P<level>Dangerous|Unsafe|Caution|Low risk|Unknown)\.$")

DOMAIN = ROOT / "domain"
# The topics (the conversation contract): the ask_* intents of these domain files, each
# answered by utter_<topic>.
TOPIC_FILES = ("content_topics.yml", "interactions.yml")

_NUMBER = r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|a few|half an?|a couple of)"
_UNIT = (
    r"(?:g|gs|gr|grams?|mg|mcg|µg|kg|milligrams?|micrograms?|tsp|teaspoons?|tbsp|tablespoons?|"
    r"spoons?|spoonfuls?|capsules?|caps|pills?|tablets?|tabs|shots?|scoops?|doses?|drops?|ml|oz|"
    r"ounces?|gummies|gummy|bottles?|times (?:a|per) (?:day|week))"
)
DOSE_LIKE = re.compile(rf"\b{_NUMBER}\s*-?\s*{_UNIT}\b", re.IGNORECASE)
SOURCE_LINE = re.compile(r"^Sources?: (?P<sources>.*\(https?://[^\s)]+\).*)\. Reviewed (?P<reviewed>\d{4}-\d{2})\.$")
USED_IN_CODE = re.compile(r"""response\s*=\s*["'](utter_\w+)["']""")
NAMED_IN_CHANNELS = re.compile(r"""["'](utter_\w+)["']""")


@dataclass
class Problem:
    response: str
    issue: str

    def __str__(self) -> str:
        return f"{self.response}: {self.issue}"


def topic_response(intent: str) -> str:
    return "utter_" + intent[len("ask_") :]


def load_domain(folder: Path = DOMAIN) -> Dict:
    """The domain as Rasa merges it from the files of domain/ (each split by concern)."""
    merged: Dict = {}
    for path in sorted(folder.glob("*.yml")):
        for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
    return merged


def topic_intents(folder: Path = DOMAIN) -> List[str]:
    return [
        intent
        for name in TOPIC_FILES
        for intent in yaml.safe_load((folder / name).read_text(encoding="utf-8"))["intents"]
        if intent.startswith("ask_")
    ]


def variation_texts(domain: Dict) -> Iterable[tuple]:
    for name, variations in domain["responses"].items():
        for variation in variations:
            yield name, variation


def response_texts(domain: Dict, *names: str) -> List[str]:
    """Every curated text of the named responses (all their variations)."""
    return [v["text"].strip() for name in names for v in domain["responses"][name]]


def dose_like_quantities(text: str) -> List[str]:
    return [m.group(0) for m in DOSE_LIKE.finditer(text)]


def source_line(text: str):
    """The answer's source line (the help pointer, when there is one, comes after it)."""
    return next(filter(None, (SOURCE_LINE.match(line.strip()) for line in text.splitlines())), None)


def used_response_names(root: Path = ROOT) -> Set[str]:
    """Responses named by rules, stories, the config (fallback) or action code."""
    used: Set[str] = set()
    for path in list((root / "data").rglob("*.yml")) + [root / "config.yml"]:
        used.update(re.findall(r"\butter_\w+", path.read_text(encoding="utf-8")))
    for path in (root / "actions").rglob("*.py"):
        used.update(USED_IN_CODE.findall(path.read_text(encoding="utf-8")))
    for path in (root / "kratom_assistant" / "channels").rglob("*.py"):
        used.update(NAMED_IN_CHANNELS.findall(path.read_text(encoding="utf-8")))
    return used


def audit(domain: Dict, used: Set[str]) -> List[Problem]:
    problems: List[Problem] = []
    intents = set(domain["intents"])
    for name, variation in variation_texts(domain):
        text = (variation.get("text") or "").strip()
        if not text:
            problems.append(Problem(name, "a variation has no text"))
        as_sms = len(text) + 60 + sum(len(b["title"]) + 5 for b in variation.get("buttons") or [])
        if as_sms > MAX_MESSAGE:
            problems.append(Problem(name, f"too long for one SMS with its options ({as_sms} > {MAX_MESSAGE})"))
        for quantity in dose_like_quantities(text):
            problems.append(Problem(name, f"dose-like quantity {quantity!r}"))
        for button in variation.get("buttons") or []:
            intent = button["payload"].lstrip("/").split("{")[0]
            if intent not in intents:
                problems.append(Problem(name, f"button {button['title']!r} points at unknown intent {intent!r}"))
            if len(button["title"]) > MAX_BUTTON_TITLE:
                problems.append(
                    Problem(name, f"button title {button['title']!r} is over {MAX_BUTTON_TITLE} characters")
                )
    problems += messenger_problems(domain)
    for name in domain["responses"]:
        if name not in used:
            problems.append(Problem(name, "not used by any rule, story, config or action"))
    for intent in topic_intents():
        name = topic_response(intent)
        if name not in domain["responses"]:
            problems.append(Problem(name, f"missing: topic {intent} has no answer"))
            continue
        for variation in domain["responses"][name]:
            if not source_line(variation["text"]):
                problems.append(Problem(name, "no source line with a link and 'Reviewed YYYY-MM.'"))
            if len(variation.get("buttons") or []) > 3:
                problems.append(Problem(name, "more than three quick replies"))
    for variation in domain["responses"].get("utter_interactions", []):
        names_a_class = any(c["name"] == "interaction_class" for c in variation.get("condition") or [])
        if names_a_class and not INTERACTION_LEVEL.match(variation["text"].splitlines()[0]):
            problems.append(
                Problem(
                    "utter_interactions", f"class answer without a level line: {variation['text'].splitlines()[0]!r}"
                )
            )
    return problems


def messenger_problems(domain: Dict) -> List[Problem]:
    """Messenger shows at most three quick replies: longer menus need a facebook variation."""
    problems: List[Problem] = []
    for name, variations in domain["responses"].items():
        for_messenger = [v for v in variations if v.get("channel") == "facebook"]
        if not for_messenger:
            for_messenger = [v for v in variations if not v.get("channel")]
        if any(len(v.get("buttons") or []) > MAX_MESSENGER_BUTTONS for v in for_messenger):
            problems.append(Problem(name, "more than three quick replies and no Messenger variation with three"))
    return problems


def review_table(domain: Dict) -> str:
    rows = ["| response | sources | reviewed |", "|---|---|---|"]
    for intent in topic_intents():
        for variation in domain["responses"].get(topic_response(intent), []):
            match = source_line(variation["text"])
            row = f"| {topic_response(intent)} | {match['sources']} | {match['reviewed']} |" if match else None
            if row and row not in rows:  # country variations share their sources
                rows.append(row)
    return "\n".join(rows)


def main() -> int:
    from tools import content_checks

    domain = load_domain()
    problems = audit(domain, used_response_names()) + content_checks.problems(domain)
    for topic, grade in content_checks.reading_grades().items():
        print(f"reading grade {grade:5.1f}  {topic} (at most {content_checks.MAX_GRADE:.0f})")
    print(review_table(domain))
    count = sum(1 for _ in variation_texts(domain))
    print(f"\n{len(domain['responses'])} responses, {count} variations audited.")
    for problem in problems:
        print(f"PROBLEM {problem}")
    print("content audit: " + ("FAILED" if problems else "passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
