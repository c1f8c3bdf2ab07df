"""Custom actions over tracker and dispatcher fixtures: they set the slots that choose
curated variations, and never send words of their own."""
import pytest
from rasa_sdk.events import SlotSet

from actions.crisis_support import ActionCrisisSupport
from actions.refuse_dosing import ActionRefuseDosing

ACTIONS = [ActionRefuseDosing(), ActionCrisisSupport()]


@pytest.mark.parametrize("text,context", [
    ("how many 7oh tabs can i take", "seven_oh"),
    ("how much kratom should i give my dog", "pet"),
    ("give me a taper plan", "taper"),
    ("how much kratom for back pain", "pain"),
    ("how much kratom should i take", "general"),
])
async def test_refusal_picks_the_safety_point_for_what_was_asked(text, context, tracker_for, dispatcher, domain):
    events = await ActionRefuseDosing().run(dispatcher, tracker_for(text, "ask_dosing"), domain)
    assert SlotSet("dosing_context", context) in events
    assert SlotSet("dosing_refused", True) in events


async def test_refusal_variations_exist_for_every_context(domain):
    contexts = domain["slots"]["dosing_context"]["values"]
    conditioned = {c["value"] for v in domain["responses"]["utter_dosing_harm_reduction"]
                   for c in v.get("condition", [])}
    # "general" is the unconditioned default variation
    assert set(contexts) - {"general"} == conditioned


async def test_insisting_gets_the_second_wording(domain):
    variations = domain["responses"]["utter_dosing_refusal"]
    first = [v for v in variations if "condition" not in v]
    repeat = [v for v in variations if v.get("condition") == [{"type": "slot", "name": "dosing_refused", "value": True}]]
    assert first and repeat
    assert {v["text"] for v in first}.isdisjoint({v["text"] for v in repeat})


@pytest.mark.parametrize("text,guard,kind", [
    ("he is not breathing", {"kind": "breathing"}, "breathing"),
    ("my toddler ate some kratom powder", None, "child_ingestion"),
    ("she is having a seizure", None, "seizure"),
    ("something is very wrong with my friend", None, None),
])
async def test_crisis_support_sets_the_first_aid_kind(text, guard, kind, tracker_for, dispatcher, domain):
    events = await ActionCrisisSupport().run(dispatcher, tracker_for(text, "report_emergency", guard=guard), domain)
    assert events == [SlotSet("crisis_kind", kind)]


async def test_crisis_support_for_self_harm_clears_first_aid_kind(tracker_for, dispatcher, domain):
    tracker = tracker_for("i want to end my life", "express_self_harm", slots={"crisis_kind": "seizure"})
    assert await ActionCrisisSupport().run(dispatcher, tracker, domain) == [SlotSet("crisis_kind", None)]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name())
@pytest.mark.parametrize("text", ["how much kratom", "he isnt breathing", "", "\u0000\ud83d\ude00 <script>"])
async def test_actions_send_no_words_of_their_own(action, text, tracker_for, dispatcher, domain):
    """Fails if an action sends anything but a curated domain response."""
    await action.run(dispatcher, tracker_for(text, "ask_dosing"), domain)
    for message in dispatcher.messages:
        assert not message.get("text"), f"{action.name()} composed text: {message}"
        assert message.get("response") in domain["responses"]


def test_every_slot_an_action_sets_is_in_the_domain(domain):
    assert {"dosing_context", "dosing_refused", "crisis_kind"} <= set(domain["slots"])
