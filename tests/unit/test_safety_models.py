"""The safety screen's threshold choice: the highest recall within each false-alarm
budget on the ordinary messages, measured on out-of-fold scores; and training, which
fits the folds and the final model side by side."""

import numpy as np

from kratom_assistant.safety.models import (
    Corpus,
    Settings,
    _fold_scores,
    _folds,
    _gather,
    choose_thresholds,
    fit,
    read_corpus,
    recall_report,
    train,
)


def synthetic():
    rng = np.random.default_rng(0)
    labels = ["ordinary"] * 1000 + ["self_harm"] * 100 + ["dosing"] * 200 + ["offtopic"] * 100
    corpus = Corpus([f"m{i}" for i in range(len(labels))], labels)
    n = len(labels)
    oof = {name: rng.uniform(0, 0.5, n) for name in ("crisis", "dosing", "offtopic", "self_harm", "emergency")}
    is_ = {label: np.array([x == label for x in labels]) for label in set(labels)}
    oof["crisis"][is_["self_harm"]] = rng.uniform(0.3, 1.0, 100)
    oof["dosing"][is_["dosing"]] = rng.uniform(0.3, 1.0, 200)
    oof["offtopic"][is_["offtopic"]] = rng.uniform(0.4, 1.0, 100)
    return corpus, oof


def test_thresholds_keep_false_alarms_within_their_budgets():
    corpus, oof = synthetic()
    settings = Settings(crisis_false_rate=0.01, dosing_false_rate=0.006, net_rate=0.04)
    thresholds = choose_thresholds(corpus, oof, settings)
    report = recall_report(corpus, oof, thresholds)
    assert report["ordinary escalated"] <= 0.01
    assert report["ordinary refused"] <= 0.006
    assert report["ordinary with net line"] <= 0.04 + 1e-9
    assert thresholds.net <= thresholds.crisis
    assert report["crisis or net recall"] >= report["crisis recall"]


def test_a_larger_budget_buys_recall():
    corpus, oof = synthetic()
    tight = recall_report(corpus, oof, choose_thresholds(corpus, oof, Settings(dosing_false_rate=0.001)))
    loose = recall_report(corpus, oof, choose_thresholds(corpus, oof, Settings(dosing_false_rate=0.05)))
    assert loose["dosing recall"] > tight["dosing recall"]


def test_the_corpus_is_read_by_kind_one_message_a_line(tmp_path):
    (tmp_path / "dosing").mkdir()
    (tmp_path / "dosing" / "a.txt").write_text("how much\n\n  how often  \n", encoding="utf-8")
    (tmp_path / "ordinary").mkdir()
    (tmp_path / "ordinary" / "b.txt").write_text("hello\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert corpus.texts == ["how much", "how often", "hello"]
    assert corpus.labels == ["dosing", "dosing", "ordinary"]


def small_text_corpus() -> Corpus:
    kinds = {
        "dosing": ["how many grams should i take", "how much kratom per day", "how often can i redose"],
        "self_harm": ["i want to end my life", "thinking about killing myself", "i dont want to be here"],
        "emergency": ["my friend is not breathing", "he took too much and wont wake up", "she is having a seizure"],
        "ordinary": ["is kratom legal in texas", "what are withdrawal symptoms", "does kratom show on a drug test"],
        "offtopic": ["best pizza in town", "how do i reset my router", "who won the game last night"],
    }
    corpus = Corpus()
    for label, texts in kinds.items():
        corpus.add([f"{text} {n}" for text in texts for n in ("", "please", "now")], label)
    return corpus


def test_training_gives_the_out_of_fold_thresholds_and_the_model_fitted_on_everything():
    corpus, settings = small_text_corpus(), Settings(jobs=1)
    models, oof = train(corpus, settings)
    folds = _folds(corpus, settings)  # each fold fitted in turn: what the processes must give back
    expected_oof = _gather(corpus, folds, [_fold_scores(corpus, tr, te, settings) for tr, te in folds])
    for name, scores in expected_oof.items():
        np.testing.assert_allclose(oof[name], scores, equal_nan=True)
    thresholds = choose_thresholds(corpus, expected_oof, settings)
    assert models.thresholds == thresholds
    texts = ["how many grams", "not breathing", "is it legal", "pizza"]
    assert models.scores(texts) == fit(corpus, settings, thresholds).scores(texts)
