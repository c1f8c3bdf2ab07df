"""Custom actions over tracker and dispatcher fixtures: they set the slots that choose
curated variations, and never send words of their own."""

import pytest
from rasa_sdk.events import SlotSet

from actions.crisis_support import ActionCrisisSupport
from actions.explain_interaction import ActionExplainInteraction  # noqa: E402
from actions.refuse_dosing import ActionRefuseDosing

ACTIONS = [ActionRefuseDosing(), ActionCrisisSupport(), ActionExplainInteraction()]


@pytest.mark.parametrize(
    "text,context",
    [
        ("how many 7oh tabs can i take", "seven_oh"),
        ("how much kratom should i give my dog", "pet"),
        ("give me a taper plan", "taper"),
        ("how much kratom for back pain", "pain"),
        ("how much kratom should i take", "general"),
    ],
)
async def test_refusal_picks_the_safety_point_for_what_was_asked(text, context, tracker_for, dispatcher, domain):
    events = await ActionRefuseDosing().run(dispatcher, tracker_for(text, "ask_dosing"), domain)
    assert SlotSet("dosing_context", context) in events
    assert SlotSet("dosing_refused", True) in events


async def test_refusal_variations_exist_for_every_context(domain):
    contexts = domain["slots"]["dosing_context"]["values"]
    conditioned = {
        c["value"] for v in domain["responses"]["utter_dosing_harm_reduction"] for c in v.get("condition", [])
    }
    # "general" is the unconditioned default variation
    assert set(contexts) - {"general"} == conditioned


async def test_insisting_gets_the_second_wording(domain):
    variations = domain["responses"]["utter_dosing_refusal"]
    first = [v for v in variations if "condition" not in v]
    repeat = [
        v
        for v in variations
        if v.get("condition")
        == [
            {"type": "slot", "name": "language", "value": "en"},
            {"type": "slot", "name": "dosing_refused", "value": True},
        ]
    ]
    assert first and repeat
    assert {v["text"] for v in first}.isdisjoint({v["text"] for v in repeat})


@pytest.mark.parametrize(
    "text,screen,kind",
    [
        ("he is not breathing", {"kind": "breathing"}, "breathing"),
        ("my toddler ate some kratom powder", None, "child_ingestion"),
        ("she is having a seizure", None, "seizure"),
        ("been throwing up for hours since the shot", None, "symptoms"),
        ("something is very wrong with my friend", None, None),
    ],
)
async def test_crisis_support_sets_the_first_aid_kind(text, screen, kind, tracker_for, dispatcher, domain):
    events = await ActionCrisisSupport().run(dispatcher, tracker_for(text, "report_emergency", screen=screen), domain)
    assert events == [SlotSet("crisis_kind", kind)]


async def test_crisis_support_for_self_harm_clears_first_aid_kind(tracker_for, dispatcher, domain):
    tracker = tracker_for("i want to end my life", "express_self_harm", slots={"crisis_kind": "seizure"})
    assert await ActionCrisisSupport().run(dispatcher, tracker, domain) == [SlotSet("crisis_kind", None)]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name())
@pytest.mark.parametrize("text", ["how much kratom", "he isnt breathing", "", "\u0000\ud83d\ude00 <script>"])
async def test_actions_send_nothing_and_set_only_domain_slots(action, text, tracker_for, dispatcher, domain):
    """The rules send the curated responses after an action, so the words come from the
    Rasa server even with the action server down: an action only sets slots."""
    events = await action.run(dispatcher, tracker_for(text, "ask_dosing"), domain)
    assert dispatcher.messages == [], f"{action.name()} sent {dispatcher.messages}"
    assert events and all(e["event"] == "slot" and e["name"] in domain["slots"] for e in events), events


# ------------------------------------------------------------- interaction checker
from actions.explain_interaction import LEVELS, RISK_ORDER  # noqa: E402
from tools.content_audit import INTERACTION_LEVEL  # noqa: E402


def entity(value):
    return {"entity": "substance", "value": value}


async def explain(tracker_for, dispatcher, domain, text, intent="ask_interactions", entities=()):
    tracker = tracker_for(text, intent)
    tracker.latest_message["entities"] = list(entities)
    events = await ActionExplainInteraction().run(dispatcher, tracker, domain)
    return {e["name"]: e["value"] for e in events}


async def test_the_more_dangerous_substance_comes_first(tracker_for, dispatcher, domain):
    slots = await explain(
        tracker_for,
        dispatcher,
        domain,
        "kratom with coffee and xanax",
        entities=[entity("caffeine"), entity("benzodiazepines")],
    )
    assert (slots["interaction_class"], slots["interaction_class_2"]) == ("benzodiazepines", "caffeine")
    assert slots["substance"] == ["benzodiazepines", "caffeine"]


async def test_a_misspelt_name_found_by_the_nlu_is_answered(tracker_for, dispatcher, domain):
    # "seraquel": SubstanceMatcher (tests/unit/test_substance_matcher.py) sets the entity.
    slots = await explain(
        tracker_for, dispatcher, domain, "is kratom ok with seraquel", entities=[entity("antipsychotics")]
    )
    assert slots["interaction_class"] == "antipsychotics"


async def test_an_unknown_name_gets_the_unknown_answer(tracker_for, dispatcher, domain):
    slots = await explain(tracker_for, dispatcher, domain, "can i take kratom with zyrtec")
    assert slots["interaction_class"] == "unknown" and slots["interaction_class_2"] is None
    slots = await explain(tracker_for, dispatcher, domain, "loratadine", intent="inform_substance")
    assert slots["interaction_class"] == "unknown"


async def test_no_name_asks_which_one(tracker_for, dispatcher, domain):
    slots = await explain(tracker_for, dispatcher, domain, "is kratom ok with my meds?")
    assert slots["interaction_class"] is None and "substance" not in slots


def test_the_action_ranks_by_the_level_each_answer_shows(domain):
    values = domain["slots"]["interaction_class"]["values"]
    assert set(LEVELS) == set(values) and set(LEVELS.values()) <= set(RISK_ORDER)
    for variation in domain["responses"]["utter_interactions"]:
        named = [c["value"] for c in variation.get("condition") or [] if c["name"] == "interaction_class"]
        if named and named[0]:
            shown = INTERACTION_LEVEL.match(variation["text"].splitlines()[0])["level"]
            assert shown == LEVELS[named[0]], named[0]
    for variation in domain["responses"]["utter_interactions_second"]:
        for condition in variation.get("condition") or []:
            if condition["name"] == "interaction_class_2":
                assert condition["value"] in values


async def test_the_interaction_action_says_it_ran(dispatcher, tracker_for, domain):
    # Without this the responses say the checker is unavailable (action server down).
    events = await ActionExplainInteraction().run(
        dispatcher, tracker_for("kratom and xanax", "ask_interactions"), domain
    )
    assert SlotSet("interaction_checked", True) in events
