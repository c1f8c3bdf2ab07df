"""The intent classifier as a Rasa graph component (LocalModelStorage + ExecutionContext):
it learns from examples, reads lookup-table names as their table, survives a save and
load, and leaves alone what it cannot classify."""

import pickle

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kratom_assistant.nlu.intent_classifier import LinearIntentClassifier
from kratom_assistant.stored_component import STATE_FILE

EXAMPLES = {
    "greet": ["hi", "hello there", "hey", "good morning", "hiya"],
    "inform_substance": ["xanax", "what about xanax", "and alcohol?", "beer", "i take zoloft"],
    "ask_withdrawal": [
        "what are the withdrawal symptoms",
        "how long does withdrawal last",
        "is quitting hard",
        "what happens if i stop",
        "withdrawal signs",
    ],
}
LOOKUP = {"name": "substance", "elements": ["xanax", "alcohol", "beer", "zoloft", "klonopin", "valium"]}


def training_data() -> TrainingData:
    messages = [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    return TrainingData(messages, lookup_tables=[LOOKUP])


def component(tmp_path, storage=None) -> LinearIntentClassifier:
    storage = storage or LocalModelStorage(tmp_path)
    return LinearIntentClassifier.create(
        {}, storage, Resource("intent_classifier"), ExecutionContext(GraphSchema({}), "test")
    )


def classify(classifier, *texts):
    return classifier.process([Message(data={"text": text}) for text in texts])


def test_learns_the_intents_and_ranks_them(tmp_path):
    classifier = component(tmp_path)
    classifier.train(training_data())
    hello, withdrawal = classify(classifier, "hello", "how bad is withdrawal")
    assert hello.get("intent")["name"] == "greet"
    assert withdrawal.get("intent")["name"] == "ask_withdrawal"
    ranking = withdrawal.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert ranking[0]["name"] == "ask_withdrawal" and confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1) < 1e-6  # all three intents, as probabilities


def test_a_lookup_name_never_seen_in_examples_reads_as_its_table(tmp_path):
    classifier = component(tmp_path)
    classifier.train(training_data())
    [message] = classify(classifier, "klonopin")
    assert message.get("intent")["name"] == "inform_substance"


def test_saved_and_loaded_it_answers_the_same(tmp_path):
    storage = LocalModelStorage(tmp_path)
    trained = component(tmp_path, storage)
    trained.train(training_data())
    loaded = LinearIntentClassifier.load(
        {}, storage, Resource("intent_classifier"), ExecutionContext(GraphSchema({}), "test")
    )
    texts = ["hey there", "valium", "does withdrawal hurt"]
    assert [m.get("intent_ranking") for m in classify(loaded, *texts)] == [
        m.get("intent_ranking") for m in classify(trained, *texts)
    ]


def test_probabilities_are_the_logistic_regressions(tmp_path):
    storage = LocalModelStorage(tmp_path)
    classifier = component(tmp_path, storage)
    resource = classifier.train(training_data())
    with storage.read_from(resource) as directory:
        pipeline = pickle.loads((directory / STATE_FILE).read_bytes())["model"]
    texts = ["hello", "klonopin", "how bad is withdrawal", "something else entirely"]
    expected = pipeline.predict_proba([classifier.features_text(t) for t in texts])
    assert abs(classifier.probabilities(texts) - expected).max() < 1e-6  # weights kept in single precision


@pytest.mark.parametrize("text", ["", None])
def test_a_message_without_text_is_left_alone(tmp_path, text):
    classifier = component(tmp_path)
    classifier.train(training_data())
    [message] = classifier.process([Message(data={"text": text} if text is not None else {})])
    assert message.get("intent") is None


def test_untrained_it_classifies_nothing(tmp_path):
    classifier = component(tmp_path)
    classifier.train(TrainingData([]))
    [message] = classify(classifier, "hello")
    assert message.get("intent") is None
