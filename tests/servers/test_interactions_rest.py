"""The interaction checker over REST: one message, several turns, two substances, unknown names."""

import uuid

from tools.content_audit import response_texts


def said(texts):
    """The REST channel sends each paragraph of a text without buttons as its own message."""
    return "\n\n".join(texts)


def answer_for(domain, cls):
    """The curated answer for an interaction class."""
    return next(
        v["text"].strip()
        for v in domain["responses"]["utter_interactions"]
        if {"type": "slot", "name": "interaction_class", "value": cls} in (v.get("condition") or [])
    )


def test_named_substance_in_one_message(assistant, domain):
    reply = said(assistant.texts("can i take kratom with xanax"))
    assert reply.startswith(answer_for(domain, "benzodiazepines"))
    assert reply.startswith("Kratom with benzodiazepines: Dangerous.")


def test_which_one_then_the_name_then_a_follow_up(assistant, domain):
    sender = uuid.uuid4().hex
    general, which, pointer = assistant.texts("is kratom ok with my meds?", sender)
    assert general in response_texts(domain, "utter_interactions")
    assert which.startswith("Which medicine or drug do you mean?")
    assert "If someone may be poisoned" in pointer
    assert said(assistant.texts("xanax", sender)).startswith(answer_for(domain, "benzodiazepines"))
    assert said(assistant.texts("what about alcohol?", sender)).startswith(answer_for(domain, "alcohol"))


def test_two_substances_more_dangerous_first(assistant, domain):
    reply = said(assistant.texts("is it ok to have kratom with coffee and klonopin"))
    assert reply.startswith(answer_for(domain, "benzodiazepines") + "\n\n" + answer_for(domain, "caffeine"))


def test_an_unknown_substance_gets_the_unknown_answer(assistant, domain):
    reply = said(assistant.texts("can i take kratom with zyrtec"))
    assert reply.startswith(answer_for(domain, "unknown"))
    assert "pharmacist" in reply


def test_how_much_of_each_is_refused(assistant, domain):
    texts = assistant.texts("kratom and xanax together, how much of each is safe")
    assert texts[0] in response_texts(domain, "utter_dosing_refusal")


def test_the_medicines_a_clinical_review_found_unanswered_get_their_class(assistant, domain):
    for message, cls in [
        ("can i take kratom with trazodone", "sleep_sedating"),
        ("is kratom ok with wellbutrin", "bupropion"),
        ("kratom and methadone together", "opioid_treatment"),
        ("kratom with fentanyl", "opioids"),
        ("mixing kratom and kava", "kava"),
    ]:
        reply = said(assistant.texts(message))
        assert reply.startswith(answer_for(domain, cls)), (message, reply[:80])
