"""Every topic of the contract answered over REST by name, for questions as people ask
them (the issue's own examples for the newer topics, and fresh wordings)."""

import uuid

import pytest

from tools.content_audit import response_texts

QUESTIONS = [
    ("starting Suboxone next week after years of kratom, will it make me sick?", "utter_switching_to_treatment"),
    ("how do I get off 7-OH tabs, the withdrawal is brutal", "utter_quitting_7oh"),
    ("i need to quit the 7oh gummies, where do i even start", "utter_quitting_7oh"),
    ("does grapefruit make kratom stronger?", "utter_potentiators"),
    ("people say turmeric potentiates kratom, is that true", "utter_potentiators"),
    ("could kratom be the reason my liver tests came back high", "utter_liver_signs"),
    ("what are the signs kratom is hurting my liver", "utter_liver_signs"),
    ("my eyes look yellow and my pee is dark", "utter_liver_signs"),
    ("can kratom withdrawal cause seizures?", "utter_heart_seizures"),
    ("i get palpitations on kratom, should i worry", "utter_heart_seizures"),
    ("my son is using kratom, how can I help him?", "utter_helping_family"),
    ("how do i talk to my wife about her kratom use without a fight", "utter_helping_family"),
    ("surgery next month and I take kratom daily", "utter_surgery"),
    ("should i tell the anesthesiologist i use kratom", "utter_surgery"),
    ("can I use kratom while breastfeeding?", "utter_breastfeeding"),
    ("does kratom pass into breast milk", "utter_breastfeeding"),
    ("what does years of kratom do to your body?", "utter_long_term"),
    ("long term effects of kratom on hormones", "utter_long_term"),
    ("can kratom cause a false positive for opiates?", "utter_false_positives"),
    ("i tested positive for methadone but only take kratom, how do i dispute it", "utter_false_positives"),
    ("can I take kratom with me on my flight to Thailand?", "utter_travel"),
    ("can I take kratom to Thailand?", "utter_travel"),
    ("is it ok to fly to australia with kratom in my bag", "utter_travel"),
]


@pytest.mark.parametrize("question,response", QUESTIONS)
def test_a_fresh_question_gets_its_topic_answer(assistant, domain, question, response):
    texts = assistant.texts(question, uuid.uuid4().hex)
    assert texts and texts[0] in response_texts(domain, response), (question, texts[:1])


@pytest.mark.parametrize(
    "question,response",
    [
        ("is kratom flu a real thing", "utter_withdrawal"),
        ("how long do the wobbles last after quitting kratom", "utter_withdrawal"),
        ("are those kratom shots from the gas station safe", "utter_product_safety"),
        ("what is in 7oh gummies", "utter_7oh"),
    ],
)
def test_community_words_reach_the_right_topic(assistant, domain, question, response):
    texts = assistant.texts(question, uuid.uuid4().hex)
    assert texts and texts[0] in response_texts(domain, response), (question, texts[:1])


def test_liver_signs_with_confusion_or_vomiting_get_emergency_numbers_first(assistant, domain):
    # Yellow eyes alone get the liver answer (see a doctor now); with signs of acute
    # illness they are an emergency, as the liver answer itself says.
    texts = assistant.texts("my dad's skin has gone yellow and now he's confused and vomiting", uuid.uuid4().hex)
    assert texts[0] in response_texts(domain, "utter_emergency_numbers")
