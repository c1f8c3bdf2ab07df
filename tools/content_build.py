"""`make content`: the responses Rasa reads, generated from the reviewed data in content/.

Writes these files, which are checked in (a test fails when they are stale):
- domain/content_topics.yml: the topic intents and their answers utter_<topic>. An answer
  about harm ends with the help pointer its topic names (`help:` drugs, poison or crisis)
  for the person's country: one variation per country from content/helplines.yml, and a
  default for when no country is known. One response, so one policy prediction a turn;
- data/rules/content_topics.yml: each topic's rule, its answer (then the full help-line
  list, for the topics whose `help:` is `lines`);
- domain/content_interactions.yml: the interaction classes (the slots' values) and
  utter_interactions / utter_interactions_second, every field of a class in its place;
- actions/interaction_levels.yml: each class's level, for action_explain_interaction to
  rank what was named (so no action needs the domain sent with its call);
- domain/content_helplines.yml: utter_help_lines and the help pointers that follow other
  answers (utter_help_pointer_poison after an interaction answer), one variation per country.
Prints each topic answer's reading grade (Flesch-Kincaid). Words are never composed at
run time: everything is written out here, once, for review.
"""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
DOMAIN = ROOT / "domain"
OUTPUTS = {
    "topics": DOMAIN / "content_topics.yml",
    "interactions": DOMAIN / "content_interactions.yml",
    "helplines": DOMAIN / "content_helplines.yml",
    "rules": ROOT / "data" / "rules" / "content_topics.yml",
    "levels": ROOT / "actions" / "interaction_levels.yml",
}
POINTERS = ("drugs", "poison", "crisis")


def help_response(kind: str) -> Optional[str]:
    """The response a topic's `help:` sends after its answer, when the pointer is not part
    of the answer itself."""
    return "utter_help_lines" if kind == "lines" else None


HEADER = "# Generated from content/ by `make content`. Edit content/, never this file.\n"
LEVELS = ["Dangerous", "Unsafe", "Caution", "Unknown", "Low risk"]  # most dangerous first


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def topics() -> List[Dict]:
    return [load(p) for p in sorted((CONTENT / "topics").glob("*.yml"))]


def classes() -> List[Dict]:
    return [load(p) for p in sorted((CONTENT / "interactions").glob("*.yml"))]


def helplines() -> Dict:
    return load(CONTENT / "helplines.yml")


# --- Text ---------------------------------------------------------------------------


def source_line(sources: List[Dict], reviewed: str) -> str:
    label = "Sources" if len(sources) > 1 else "Source"
    cited = "; ".join(f"{s['name']} ({s['url']})" for s in sources)
    return f"{label}: {cited}. Reviewed {reviewed}."


def pointer(kind: str, country: str, lines: Dict) -> str:
    """The help pointer of one kind for one country, from the help-line table (a row may
    word its own, as the international row does)."""
    row = lines["countries"][country]
    return row.get(f"pointer_{kind}") or lines["pointers"][kind].format(**row)


def no_country_pointer(kind: str, lines: Dict) -> str:
    """With no country known: the default country's pointer, then where to find others."""
    return f"{pointer(kind, lines['default_country'], lines)}\n{lines['unknown_country']}"


def paragraphs(*parts: Optional[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def buttons(items: List[Dict]) -> List[Dict]:
    return [{"title": b["title"], "payload": f"/{b['intent']}"} for b in items or []]


def country_condition(country: Optional[str]) -> Dict:
    return {"type": "slot", "name": "country", "value": country}


def slot_condition(name: str, value: Any) -> Dict:
    return {"type": "slot", "name": name, "value": value}


# --- Topics -------------------------------------------------------------------------


def topic_variations(topic: Dict, lines: Dict) -> List[Dict]:
    """The answer with its sources, then (for a topic about harm) the help pointer: a
    default for when no country is known, and one variation per country."""
    extra = {"buttons": buttons(topic.get("buttons"))} if topic.get("buttons") else {}
    answer = paragraphs(topic["answer"], source_line(topic["sources"], topic["reviewed"]))
    kind = topic["help"]
    if kind not in POINTERS:
        return [{"text": answer, **extra}]
    return [{"text": paragraphs(answer, no_country_pointer(kind, lines)), **extra}] + [
        {"condition": [country_condition(country)], "text": paragraphs(answer, pointer(kind, country, lines)), **extra}
        for country in lines["countries"]
    ]


def topics_domain(all_topics: List[Dict], lines: Dict) -> Dict:
    return {
        "version": "3.1",
        "intents": [f"ask_{t['topic']}" for t in all_topics],
        "responses": {f"utter_{t['topic']}": topic_variations(t, lines) for t in all_topics},
    }


def topic_rules(all_topics: List[Dict]) -> Dict:
    rules = []
    for topic in all_topics:
        steps = [{"intent": f"ask_{topic['topic']}"}, {"action": f"utter_{topic['topic']}"}]
        if help_response(topic["help"]):
            steps.append({"action": help_response(topic["help"])})
        rules.append({"rule": f"answer ask_{topic['topic']}", "steps": steps})
    return {"version": "3.1", "rules": rules}


# --- Interactions -------------------------------------------------------------------


def class_body(cls: Dict) -> str:
    fields = [
        f"Kratom with {cls['label']}: {cls['level']}.",
        cls.get("note"),
        f"Why: {cls['why']}",
        f"Watch for: {cls['watch_for']}",
        f"Ask: {cls['ask']}",
        f"Evidence: {cls['evidence']}",
    ]
    return "\n".join(f.strip() for f in fields if f)


def class_text(cls: Dict) -> str:
    """The class's answer: its fields, then its sources."""
    return paragraphs(class_body(cls), source_line(cls["sources"], cls["reviewed"]))


def interactions_domain(all_classes: List[Dict], checker: Dict) -> Dict:
    checked = slot_condition("interaction_checked", True)
    general, unavailable = checker["general"], checker["unavailable"]
    first = [
        {
            "text": paragraphs(general["answer"], source_line(general["sources"], checker["reviewed"])),
            "buttons": buttons(general["buttons"]),
        },
        {
            "condition": [slot_condition("interaction_checked", False)],
            "text": paragraphs(unavailable["answer"], source_line(unavailable["sources"], checker["reviewed"])),
            "buttons": buttons(unavailable["buttons"]),
        },
    ]
    second = [
        {"text": checker["anything_else"].strip()},
        {"condition": [checked, slot_condition("interaction_class", None)], "text": checker["which_one"].strip()},
    ]
    for cls in all_classes:
        name = cls["class"]
        first.append({"condition": [checked, slot_condition("interaction_class", name)], "text": class_text(cls)})
        second.append({"condition": [checked, slot_condition("interaction_class_2", name)], "text": class_text(cls)})
    values = [c["class"] for c in all_classes]
    slot = {"type": "categorical", "values": values, "influence_conversation": False}
    return {
        "version": "3.1",
        "slots": {
            # Filled from the entity by Rasa, then ranked and completed by action_explain_interaction.
            "interaction_class": {**slot, "mappings": [{"type": "from_entity", "entity": "substance"}]},
            "interaction_class_2": {**slot, "mappings": [{"type": "custom"}]},
        },
        "responses": {"utter_interactions": first, "utter_interactions_second": second},
    }


def interaction_levels(all_classes: List[Dict]) -> Dict:
    """Each class's level on the fixed scale, which action_explain_interaction ranks by."""
    return {c["class"]: c["level"] for c in all_classes}


# --- Help lines ---------------------------------------------------------------------


def help_lines_domain(lines: Dict, kinds: List[str]) -> Dict:
    def with_more(country: str) -> str:
        row = lines["countries"][country]
        return row.get("help_lines") or " ".join(filter(None, [pointer("drugs", country, lines), row.get("more")]))

    menu = [
        {"title": lines["countries"][c]["button"], "payload": f'/inform_country{{{{"country":"{c}"}}}}'}
        for c in lines["menu"]
    ]
    variations = [{"text": f"{with_more(lines['default_country'])}\n{lines['unknown_country']}", "buttons": menu}]
    for country in lines["countries"]:
        variations.append({"condition": [country_condition(country)], "text": with_more(country)})
    responses = {"utter_help_lines": variations}
    for kind in kinds:
        responses[f"utter_help_pointer_{kind}"] = [{"text": no_country_pointer(kind, lines)}] + [
            {"condition": [country_condition(country)], "text": pointer(kind, country, lines)}
            for country in lines["countries"]
        ]
    return {"version": "3.1", "responses": responses}


# --- Build --------------------------------------------------------------------------


def build() -> Dict[Path, str]:
    """Every generated file's text, by path."""
    lines, all_topics = helplines(), topics()
    checker = load(CONTENT / "interaction_checker.yml")
    all_classes = classes()
    documents = {
        OUTPUTS["topics"]: topics_domain(all_topics, lines),
        OUTPUTS["rules"]: topic_rules(all_topics),
        OUTPUTS["interactions"]: interactions_domain(all_classes, checker),
        OUTPUTS["levels"]: interaction_levels(all_classes),
        # The poison pointer every interaction answer ends with (topic answers carry their own).
        OUTPUTS["helplines"]: help_lines_domain(lines, ["poison"]),
    }
    return {
        path: HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)
        for path, doc in documents.items()
    }


def stale() -> List[Path]:
    """Generated files that differ from what content/ gives now."""
    return [path for path, text in build().items() if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main() -> int:
    import textstat

    for path, text in build().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    for topic in topics():
        print(f"  reading grade {textstat.flesch_kincaid_grade(topic['answer']):5.1f}  {topic['topic']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
