"""The assistant over REST, as a user meets it: answers, quick replies, greetings."""

import uuid

import pytest

from tools.content_audit import response_texts, topic_intents, topic_response


def test_is_kratom_addictive_gets_the_dependence_answer_with_its_source(assistant, domain):
    texts = assistant.texts("is kratom addictive")
    assert texts[0] in response_texts(domain, "utter_dependence")
    assert "Source" in texts[0] and "https://" in texts[0]


def test_answers_offer_quick_replies_for_next_topics(assistant, domain):
    (reply,) = assistant.say("what are the side effects of kratom")  # the answer ends with where to turn
    assert reply["text"] in response_texts(domain, "utter_risks")
    assert 1 <= len(reply["buttons"]) <= 3
    assert all(b["payload"].startswith("/ask_") or b["payload"].startswith("/request_") for b in reply["buttons"])


def test_a_quick_reply_leads_to_the_next_topic(assistant, domain):
    sender = uuid.uuid4().hex
    reply = assistant.say("what are the risks of kratom", sender)[0]
    assert reply["buttons"]
    for button in reply["buttons"]:  # each next topic answers with its own curated answer
        topic = button["payload"].lstrip("/")
        assert assistant.texts(button["payload"], sender)[0] in response_texts(domain, topic_response(topic))


def test_greeting_says_what_the_assistant_is(assistant, domain):
    [reply] = assistant.say("hi there")
    assert reply["text"] in response_texts(domain, "utter_greet")
    for promise in ("not medical advice", "never give amounts", "emergency"):
        assert promise in reply["text"]


def test_capabilities_list_every_topic_as_buttons(assistant):
    [reply] = assistant.say("what can you help me with")
    payloads = {b["payload"] for b in reply["buttons"]}
    assert payloads == {f"/{intent}" for intent in topic_intents()}


@pytest.mark.parametrize(
    "message,response",
    [
        ("whats the weather in paris tomorrow", "utter_out_of_scope"),
        ("where can i buy the best kratom online", "utter_sourcing"),
        ("should i stop my antidepressants and use kratom instead", "utter_medication_decision"),
        ("how do i make 7oh at home from powder", "utter_decline_harmful"),
        ("thanks a lot", "utter_thank"),
        ("bye", "utter_goodbye"),
    ],
)
def test_guardrail_and_conversation_answers(assistant, domain, message, response):
    assert assistant.texts(message)[0] in response_texts(domain, response)


def test_gibberish_gets_a_rephrase_request_with_topics_and_the_safety_line(assistant, domain):
    rephrase, net = assistant.say("qwzx plorf vlem")
    assert rephrase["text"] in response_texts(domain, "utter_rephrase")
    assert rephrase["buttons"]
    assert net["text"] in response_texts(domain, "utter_safety_net")


def test_talk_to_a_human_says_it_is_automated_and_refers(assistant, domain):
    texts = assistant.texts("can i talk to a real human please")
    assert texts[0] in response_texts(domain, "utter_iamabot")
    assert texts[1] in response_texts(domain, "utter_help_lines")


def test_every_reply_is_a_curated_response(assistant, text_to_response):
    """Fails if the assistant says anything that is not a domain response."""
    sender = uuid.uuid4().hex
    for message in [
        "hello",
        "what is kratom",
        "how much should i take",
        "my friend wont wake up",
        "i'm in the uk",
        "is it legal",
        "kratom and xanax",
        "kratom and zyrtec",
        "thanks",
        "bye",
    ]:
        texts = assistant.texts(message, sender)
        assert texts, f"no reply to {message!r}"
        for text in texts:
            # a text without buttons arrives one paragraph per message
            assert text.strip(), f"an empty reply to {message!r}"
            assert any(text.strip() in curated for curated in text_to_response), text
