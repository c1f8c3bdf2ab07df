"""A long conversation: the store reads back only the latest turns plus a snapshot of the
slots (kratom_assistant/stores/tracker_store.py), so context given at the start must still
work hundreds of turns later, and every reply must be the one Rasa gives when it sees the
whole conversation. Bounded: a fixed number of turns, each request with a timeout."""

import uuid

import pytest

from tests.servers.test_persistence import firm_refusal
from tools import servers
from tools.content_audit import response_texts
from tools.content_checks import shows

# Questions that use no slot from earlier turns, asked in a loop between the checks.
LOOP = [
    "what is kratom",
    "is kratom addictive",
    "what are the withdrawal symptoms",
    "is kratom legal",
    "what is 7-oh",
    "can kratom show up on a drug test",
    "thanks",
]
LONG_TURNS = 420


def test_context_from_the_first_turns_still_holds_after_400_turns(assistant, domain):
    sender = uuid.uuid4().hex
    assistant.texts("i live in sydney", sender)
    first = assistant.texts("how many grams should i take", sender)
    assert first[0] in response_texts(domain, "utter_dosing_refusal") and first[0] not in firm_refusal(domain)
    for turn in range(LONG_TURNS - 6):
        assert assistant.texts(LOOP[turn % len(LOOP)], sender)
    # Turn 415 on: the country from turn 1 and the refusal from turn 2 are still known.
    again = assistant.texts("ok but how much should i take", sender)
    assert again[0] in firm_refusal(domain), again
    assert shows(" ".join(again), "13 11 26") or shows(" ".join(again), "13 11 14"), again
    assert not shows(" ".join(again), "1-800-662-4357"), again
    # A "which one?" asked at turn 417 is still pending at turn 418.
    assert assistant.texts("is kratom ok with my meds?", sender)
    answer = " ".join(assistant.texts("xanax", sender))
    assert "benzodiazepine" in answer.casefold(), answer
    acute = " ".join(assistant.texts("my friend took a lot of kratom and keeps vomiting", sender))
    assert shows(acute, "13 11 26"), acute


# Varied turns that depend on context: a country, refusals, "which one?" follow-ups, a
# country change, quick-reply payloads and nonsense.
VARIED = [
    "hi",
    "I'm in the UK",
    "how many grams should i take",
    "is kratom ok with my meds?",
    "xanax",
    "what about alcohol?",
    "what are the risks",
    "asdfgh qwerty",
    "how much for opiate withdrawal",
    "kratom and zoloft",
    "im in dublin",
    "where can i get help",
    "is kratom ok with my meds?",
    "no idea",
    "what does an overdose look like",
    "thanks",
]


@pytest.fixture(scope="module")
def assistant_with_rasa_store():
    """The same model with Rasa's in-memory store, which keeps and replays everything."""
    with servers.running(5805, 5815, log=None, tracker_db=None):
        yield servers.RestClient("http://127.0.0.1:5805")


def test_replies_match_a_store_that_keeps_the_whole_conversation(
    assistant, assistant_with_rasa_store, text_to_response
):
    ours, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    for turn in range(10 * len(VARIED)):
        message = VARIED[turn % len(VARIED)]
        got = [text_to_response.get(t.strip(), t) for t in assistant.texts(message, ours)]
        expected = [text_to_response.get(t.strip(), t) for t in assistant_with_rasa_store.texts(message, theirs)]
        assert got == expected, (turn, message)
