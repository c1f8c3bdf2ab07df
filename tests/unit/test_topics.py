"""Adding a topic is a checklist (README, "Add a topic"); this test is that checklist.
For every topic of the conversation contract (the ask_* intents of the generated
domain/content_topics.yml, and ask_interactions) there must be:
1. NLU examples: a data/nlu/ file with `- intent: <topic>`;
2. a rule that answers it with utter_<topic> (or the interaction action);
3. its reviewed answer in content/topics/<topic>.yml (or content/interactions/), and
   the response utter_<topic> generated from it in domain/;
4. held-out examples in tests/nlu_heldout.yml (tests/model/test_nlu_heldout.py counts them);
5. a conversation test in tests/test_stories.yml;
6. a button in the capabilities menu (utter_capabilities)."""

import pytest
import yaml

from tests.conftest import ROOT
from tools.content_audit import load_domain, topic_intents, topic_response

TOPICS = topic_intents()


def yaml_files(folder):
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / folder).rglob("*.yml"))]


NLU_INTENTS = {item["intent"] for data in yaml_files("data/nlu") for item in data.get("nlu") or [] if "intent" in item}
RULE_STEPS = [rule["steps"] for data in yaml_files("data/rules") for rule in data.get("rules") or []]
HELDOUT = {item["intent"] for item in yaml.safe_load((ROOT / "tests" / "nlu_heldout.yml").read_text())["nlu"]}
STORY_INTENTS = {
    step["intent"]
    for story in yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text())["stories"]
    for step in story["steps"]
    if "intent" in step
}
DOMAIN = load_domain()
MENU = {b["payload"] for v in DOMAIN["responses"]["utter_capabilities"] for b in v.get("buttons") or []}


def answered_by_rule(intent):
    """The first action after the intent in some rule: the answer, or the action choosing it."""
    for steps in RULE_STEPS:
        for step, following in zip(steps, steps[1:], strict=False):
            if step.get("intent") == intent and "action" in following:
                return following["action"]
    return None


def test_there_are_topics():
    assert len(TOPICS) >= 16 and len(set(TOPICS)) == len(TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_every_part(topic):
    missing = [
        part
        for part, present in [
            ("NLU examples in data/nlu/", topic in NLU_INTENTS),
            (
                f"a rule answering it with {topic_response(topic)}",
                answered_by_rule(topic) in (topic_response(topic), "action_explain_interaction"),
            ),
            (f"the response {topic_response(topic)} in domain/", topic_response(topic) in DOMAIN["responses"]),
            (
                "its answer in content/",
                (ROOT / "content" / "topics" / f"{topic[len('ask_') :]}.yml").is_file() or topic == "ask_interactions",
            ),
            ("held-out examples in tests/nlu_heldout.yml", topic in HELDOUT),
            ("a conversation test in tests/test_stories.yml", topic in STORY_INTENTS),
            ("a button in utter_capabilities", f"/{topic}" in MENU),
        ]
        if not present
    ]
    assert not missing, f"{topic} is missing: {missing}"
