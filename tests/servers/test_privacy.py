"""Privacy as a person meets it, over REST and socket.io (the platforms: test_channels.py;
the widget's buttons: tests/browser/): personal details in a message are understood but
never stored, logged or returned by the API, and "forget me" deletes the conversation."""

import random
import uuid

import requests

from tests.conftest import RESULTS, stored_data
from tests.servers.test_socketio import converse, joined
from tools.content_audit import response_texts

DB, LOG = RESULTS / "assistant.db", RESULTS / "assistant.log"


def personal_details():
    """A name, phone number, e-mail, street address and card number, fresh for each test."""
    n = random.randint(100, 999)
    return {
        "name": "Marguerite",
        "phone": f"07700 900{n}",
        "email": f"marguerite.{n}@example.org",
        "address": f"{n} Acacia Avenue",
        "card": "4111 1111 1111 1111",
    }


def message_with(details) -> str:
    return (
        f"Hi, my name is {details['name']}, I live at {details['address']}, call me on {details['phone']} "
        f"or mail {details['email']}, I paid with {details['card']}. Is kratom addictive?"
    )


def found(details, texts) -> list:
    """The details (also written without spaces) that appear in any of the texts."""
    values = list(details.values()) + [v.replace(" ", "") for v in details.values()]
    return [value for value in values if any(value in text for text in texts)]


def api_tracker(assistant, sender) -> str:
    response = requests.get(
        f"{assistant.url}/conversations/{sender}/tracker", params={"token": assistant.token}, timeout=30
    )
    response.raise_for_status()
    return response.text


def test_details_sent_over_rest_are_understood_but_never_stored_logged_or_returned(assistant, domain):
    details, sender = personal_details(), uuid.uuid4().hex
    texts = assistant.texts(message_with(details), sender)
    assert texts[0] in response_texts(domain, "utter_dependence")  # understood
    stored = stored_data(DB, sender)
    assert stored and any("[name]" in row and "[phone]" in row and "[email]" in row for row in stored)
    assert found(details, stored) == []
    assert found(details, [api_tracker(assistant, sender)]) == []
    assert found(details, [LOG.read_text(errors="replace")]) == []


async def test_details_sent_over_socketio_are_never_stored(assistant, domain):
    details, session = personal_details(), uuid.uuid4().hex
    (reply,) = await converse(assistant.url, [message_with(details)], session_id=session)
    assert any(text.startswith(reply[0]["text"]) for text in response_texts(domain, "utter_dependence"))
    stored = stored_data(DB, session)
    assert stored and found(details, stored) == []
    assert found(details, [LOG.read_text(errors="replace")]) == []


def test_forget_over_rest_deletes_every_session_and_the_next_message_starts_afresh(assistant, domain):
    sender = uuid.uuid4().hex
    assistant.texts("I'm in the UK", sender)
    assistant.texts("how many grams should i take", sender)
    assert stored_data(DB, sender)
    texts = assistant.texts("/forget", sender)
    assert texts == response_texts(domain, "utter_conversation_forgotten")
    assert stored_data(DB, sender) == []
    # Fresh: no country (the US numbers again), no earlier refusal (the first wording).
    again = assistant.texts("how much kratom should i take", sender)
    assert again[0] in [v["text"].strip() for v in domain["responses"]["utter_dosing_refusal"] if "condition" not in v]
    assert "1-800-662-4357" in " ".join(again)
    assert "how many grams" not in api_tracker(assistant, sender)


def test_forget_in_words_and_from_the_privacy_note(assistant, domain):
    sender = uuid.uuid4().hex
    greeting = assistant.say("hi", sender)
    assert "/ask_privacy" in [b["payload"] for b in greeting[-1].get("buttons", [])]
    note = assistant.say("/ask_privacy", sender)
    assert note[0]["text"] in response_texts(domain, "utter_privacy_note")
    assert [b["payload"] for b in note[-1]["buttons"]] == ["/forget"]
    assert assistant.texts("please delete my conversation", sender) == response_texts(
        domain, "utter_conversation_forgotten"
    )
    assert stored_data(DB, sender) == []


async def test_forget_over_socketio(assistant, domain):
    session = uuid.uuid4().hex
    _, forgotten = await converse(assistant.url, ["is kratom legal", "/forget"], session_id=session)
    assert joined(forgotten) in response_texts(domain, "utter_conversation_forgotten")
    assert stored_data(DB, session) == []
