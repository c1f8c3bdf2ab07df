"""Checks on the meaning of the reviewed content (content/), not only its form.

Run by the content audit (`make audit`, part of `make test`); each returns the problems
it finds as plain sentences, so a broken copy of content/ fails with the reason:
- an interaction class's header level is its level field, and its evidence names no
  other class (no class's keywords);
- every link, in content/ and in every response, is a DOI, a PubMed record or a page on
  the reviewed allowlist, never a search link and never a page that lists amounts;
- every topic answer reads at Flesch-Kincaid grade 8 or below;
- every topic that touches harm, and every interaction answer, is followed by a help
  pointer, and no answer names a phone number or help line itself (the pointer comes
  from content/helplines.yml);
- no response shown to a person in a given country shows another country's help
  number (from the help-line table);
- no review date is older than twelve months;
- the generated domain files are current (tools/content_build.py).
"""

import datetime
import re
from typing import Dict, Iterable, List, Optional
from urllib.parse import urlparse

import yaml

from tools import content_build

MAX_GRADE = 8.0
MAX_AGE_MONTHS = 12
# The only topics that may end without a help pointer: they are not about harm. Any other
# topic, a new one included, must name one.
NOT_ABOUT_HARM = {"what_is_kratom", "legality", "strains", "drug_test", "false_positives", "travel"}
HELP_KINDS = {"drugs", "poison", "crisis", "lines", "none"}
PAPER = {"doi.org": re.compile(r"^/10\.\d{4,9}/\S+$"), "pubmed.ncbi.nlm.nih.gov": re.compile(r"^/\d{5,9}/?$")}
URL = re.compile(r"https?://[^\s)]+")
# A phone number as the help-line table writes them: digits in groups ("999", "116 123",
# "1-800-222-1222"), at least three digits in all.
PHONE = re.compile(r"(?<![\w,.-])\d[\d -]*\d(?![\w-])")
HELP_LINE_NAMES = re.compile(r"\b(SAMHSA|FRANK|Samaritans|Lifeline|988|Poison Control|findahelpline)\b", re.I)


def sources_doc() -> Dict:
    return content_build.load(content_build.CONTENT / "sources.yml")


def link_problems(where: str, url: str, allow: Dict) -> List[str]:
    parsed = urlparse(url)
    host, path = parsed.netloc.lower(), parsed.path
    page = host + path
    if parsed.query or re.search(r"(^|/)search(/|$)", path.lower()):
        return [f"{where}: {url} is a search link, not a source"]
    if parsed.scheme != "https":
        return [f"{where}: {url} is not https"]
    if host in PAPER:
        return [] if PAPER[host].match(path) else [f"{where}: {url} is not a DOI or a PubMed record"]
    if any(page.startswith(official) for official in allow["official"]):
        return []
    if any(host == bad or host.endswith("." + bad) for bad in allow["never"]):
        return [f"{where}: {url} is a page that lists amounts"]
    return [f"{where}: {url} is not on the reviewed allowlist (content/sources.yml)"]


def all_sources(topics: List[Dict], classes: List[Dict], checker: Dict) -> Iterable[tuple]:
    for topic in topics:
        for source in topic["sources"]:
            yield f"topic {topic['topic']}", source["url"]
        for url in URL.findall(topic["answer"]):
            yield f"topic {topic['topic']}", url
    for cls in classes:
        for source in cls["sources"]:
            yield f"class {cls['class']}", source["url"]
    for part in ("general", "unavailable"):
        for source in checker[part]["sources"]:
            yield f"interaction checker {part}", source["url"]


def words(text: str) -> set:
    return set(re.findall(r"[a-z0-9][a-z0-9-]*", text.lower()))


def class_problems(classes: List[Dict]) -> List[str]:
    problems = []
    keywords = {c["class"]: {k.lower() for k in c.get("keywords") or []} for c in classes}
    for cls in classes:
        name = cls["class"]
        if cls["level"] not in content_build.LEVELS:
            problems.append(f"class {name}: level {cls['level']!r} is not on the fixed scale")
        header = content_build.class_text(cls).splitlines()[0]
        if header != f"Kratom with {cls['label']}: {cls['level']}.":
            problems.append(f"class {name}: header {header!r} does not state its level {cls['level']}")
        if name != "unknown" and not keywords[name]:
            problems.append(f"class {name}: no keywords, so its evidence cannot be checked")
        evidence = words(cls["evidence"])
        for other, theirs in keywords.items():
            named = (theirs - keywords[name]) & evidence
            if other != name and named:
                problems.append(f"class {name}: its evidence names {sorted(named)}, which belong to class {other}")
    return problems


def grade(text: str) -> float:
    import textstat

    return textstat.flesch_kincaid_grade(text)


def help_numbers(row: Dict) -> set:
    """The phone numbers in one row of the help-line table."""
    found = PHONE.findall(" ".join(str(value) for value in row.values()))
    return {n.strip() for n in found if len(digits(n)) >= 3}


def shows(text: str, number: str) -> bool:
    return re.search(rf"(?<![\w,.-]){re.escape(number)}(?![\w-])", text) is not None


def topic_problems(topics: List[Dict], lines: Optional[Dict] = None) -> List[str]:
    lines = lines or content_build.helplines()
    every_number = set().union(*(help_numbers(row) for row in lines["countries"].values()))
    problems = []
    for topic in topics:
        name = topic["topic"]
        reading = grade(topic["answer"])
        if reading > MAX_GRADE:
            problems.append(f"topic {name}: reading grade {reading:.1f} is above {MAX_GRADE:.0f}")
        if topic["help"] not in HELP_KINDS:
            problems.append(f"topic {name}: help {topic['help']!r} is not one of {sorted(HELP_KINDS)}")
        elif name not in NOT_ABOUT_HARM and topic["help"] == "none":
            problems.append(f"topic {name}: touches harm but ends with no help pointer")
        if any(shows(topic["answer"], number) for number in every_number):
            problems.append(f"topic {name}: names a number itself; the help pointer gives the country's")
        if HELP_LINE_NAMES.search(topic["answer"]):
            problems.append(f"topic {name}: names a help line itself; the help pointer gives the country's")
    return problems


def months_old(reviewed: str, today: datetime.date) -> int:
    year, month = (int(x) for x in str(reviewed).split("-"))
    return (today.year - year) * 12 + today.month - month


def age_problems(documents: Dict[str, Dict], today: datetime.date) -> List[str]:
    return [
        f"{where}: reviewed {doc['reviewed']}, more than {MAX_AGE_MONTHS} months ago"
        for where, doc in documents.items()
        if months_old(doc["reviewed"], today) > MAX_AGE_MONTHS
    ]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def country_number_problems(domain: Dict, lines: Dict) -> List[str]:
    """A variation shown to a person in country X never shows another country's help
    number (any response, the safety replies included)."""
    own = {country: help_numbers(row) for country, row in lines["countries"].items()}
    foreign = {country: set().union(*own.values()) - numbers for country, numbers in own.items()}
    problems = []
    for name, variations in domain["responses"].items():
        for variation in variations:
            country = next((c["value"] for c in variation.get("condition") or [] if c["name"] == "country"), None)
            if country not in own:
                continue
            for number in sorted(n for n in foreign[country] if shows(variation["text"], n)):
                problems.append(f"{name} ({country}): {number} is not a {country} number")
    return problems


def interaction_rule_problems() -> List[str]:
    """Every interaction answer is followed by the poison pointer for the person's country."""
    rules = content_build.load(content_build.ROOT / "data" / "rules" / "interactions.yml")["rules"]
    problems = []
    for rule in rules:
        actions = [step.get("action") for step in rule["steps"]]
        if "utter_interactions" in actions and actions[-1] != "utter_help_pointer_poison":
            problems.append(f"rule {rule['rule']!r}: an interaction answer must end with utter_help_pointer_poison")
    return problems


def stale_problems() -> List[str]:
    return [f"{path.name} is out of date: run `make content`" for path in content_build.stale()]


def problems(domain: Dict, today: Optional[datetime.date] = None) -> List[str]:
    """Every check above, on content/ and the merged domain."""
    topics, classes = content_build.topics(), content_build.classes()
    checker = content_build.load(content_build.CONTENT / "interaction_checker.yml")
    lines = content_build.helplines()
    allow = sources_doc()
    found = []
    for where, url in all_sources(topics, classes, checker):
        found += link_problems(where, url, allow)
    for name, variations in domain["responses"].items():  # the hand-written responses too
        for url in {u for v in variations for u in URL.findall(v.get("text") or "")}:
            found += link_problems(name, url.rstrip(".,;"), allow)
    found += class_problems(classes)
    found += topic_problems(topics)
    dated = {f"topic {t['topic']}": t for t in topics} | {f"class {c['class']}": c for c in classes}
    dated |= {"content/helplines.yml": lines, "content/interaction_checker.yml": checker}
    found += age_problems(dated, today or datetime.date.today())
    found += country_number_problems(domain, lines)
    found += interaction_rule_problems()
    found += stale_problems()
    return found


def reading_grades() -> Dict[str, float]:
    return {t["topic"]: grade(t["answer"]) for t in content_build.topics()}


if __name__ == "__main__":
    print(yaml.safe_dump(reading_grades()))
