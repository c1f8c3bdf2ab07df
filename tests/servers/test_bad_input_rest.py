"""Bad input over REST, against the real servers: a clear reply or a 400 with the reason,
never a 500, an empty answer or a hang (every request is bounded by a timeout)."""

import uuid

import pytest
import requests

from tools.content_audit import response_texts

MALFORMED = {
    "not JSON": dict(data=b'{"sender": "a", "message": ', headers={"Content-Type": "application/json"}),
    "invalid UTF-8": dict(
        data=b'{"sender": "a", "message": "\xff\xfe hi"}', headers={"Content-Type": "application/json"}
    ),
    "form, not JSON": dict(data=b"sender=a&message=hi", headers={"Content-Type": "application/x-www-form-urlencoded"}),
    "a list": dict(json=["hi"]),
    "no sender": dict(json={"message": "hi"}),
    "empty sender": dict(json={"sender": " ", "message": "hi"}),
    "sender not text": dict(json={"sender": {"id": 1}, "message": "hi"}),
    "no message": dict(json={"sender": "a"}),
    "message null": dict(json={"sender": "a", "message": None}),
    "message a number": dict(json={"sender": "a", "message": 5}),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_request_gets_a_400_with_the_reason(assistant, case):
    answer = requests.post(f"{assistant.url}/webhooks/rest/webhook", timeout=10, **MALFORMED[case])
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"]  # the reason, as JSON


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "🌿🌿🤔",
        "¿Qué es el kratom?",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "hi\x00\x07\x1b[31m there",
        "'; DROP TABLE events; --",
    ],
)
def test_odd_but_valid_messages_get_a_clear_reply(assistant, text):
    replies = assistant.say(text, sender=uuid.uuid4().hex)
    assert replies and all(r.get("text") for r in replies)


def test_100_kb_of_text_gets_the_too_long_reply(assistant, domain):
    replies = requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        timeout=10,
        json={"sender": uuid.uuid4().hex, "message": "kratom " * 15000},
    ).json()
    assert replies[0]["text"] in response_texts(domain, "utter_message_too_long")


def test_a_crisis_inside_an_overlong_message_is_answered_first(assistant, domain):
    story = "I have been using kratom every day for years and it is getting worse. " * 60
    texts = assistant.texts(story + "I want to end my life.", sender=uuid.uuid4().hex)
    assert texts[0] in response_texts(domain, "utter_self_harm_support")


def test_the_client_cannot_choose_another_channels_wording(assistant, domain):
    replies = requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        timeout=10,
        json={"sender": uuid.uuid4().hex, "message": "what can you do", "input_channel": "facebook"},
    ).json()
    facebook = [v["text"] for v in domain["responses"]["utter_capabilities"] if v.get("channel") == "facebook"]
    assert replies[0]["text"] not in facebook
