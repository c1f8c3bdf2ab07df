"""Intent accuracy on the held-out set (tests/nlu_heldout.yml, never used for training)."""

from tools.content_audit import topic_intents
from tools.nlu_check import HELDOUT, evaluate, load_heldout

MIN_ACCURACY = 0.92


def test_heldout_is_disjoint_from_training_data():
    from rasa.shared.nlu.training_data.loading import load_data

    from tools.nlu_check import ROOT

    training = {m.get("text").lower() for m in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    overlap = [text for text, _ in load_heldout(HELDOUT) if text.lower() in training]
    assert not overlap, overlap


def test_heldout_intent_accuracy(agent, report):
    examples = load_heldout(HELDOUT)
    per_topic = {}
    for _, intent in examples:
        per_topic[intent] = per_topic.get(intent, 0) + 1
    assert min(per_topic.get(intent, 0) for intent in topic_intents()) >= 8
    accuracy, misses = evaluate(agent, examples)
    for miss in misses:
        print(f"  {miss.expected} -> {miss.predicted} ({miss.confidence:.2f}): {miss.text}")
    report(
        f"held-out intent accuracy: {accuracy:.1%} ({len(examples) - len(misses)}/{len(examples)}), minimum {MIN_ACCURACY:.0%}"
    )
    assert accuracy >= MIN_ACCURACY
