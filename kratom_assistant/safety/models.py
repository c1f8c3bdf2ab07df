"""The safety screen's own models: is it self-harm, a medical emergency, a dosing request,
or off-topic.

Each is a binary logistic regression over one shared TF-IDF vocabulary (word 1-2 and
character 2-5 grams of the normalised text), trained on its own corpus in data/safety/
plus the NLU examples that belong to it, never as one more intent among forty.

Thresholds come from out-of-fold scores (k-fold cross-validation on the same corpora,
the dev set): each is the lowest threshold, so the highest recall, that keeps false
alarms on ordinary messages within a budget (the ordinary corpus is written to be hard:
half of it are look-alikes). The crisis budget is the largest, because crisis wins every
tie; the safety net takes the next band of uncertain messages. They are stored with the
models and printed at training time.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from kratom_assistant.nlu.text_normalise import normalise
from kratom_assistant.nlu.tfidf_scores import WEIGHTS_DTYPE, LinearTfidfScores

# Corpus folders under data/safety/: one message per line in every *.txt file.
LABELS = ("dosing", "self_harm", "emergency", "ordinary", "offtopic")
CRISIS_LABELS = ("self_harm", "emergency")

# Which labels are positive and which negative for each model. A crisis is scored by
# two models, one per kind, each against every message that is not a crisis (measured
# out of fold: more recall at the same false-alarm rate than one crisis model); the
# crisis score is the larger of the two, and the larger says which kind.
NOT_CRISIS = ("dosing", "ordinary", "offtopic")
HEADS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "self_harm": (("self_harm",), NOT_CRISIS),
    "emergency": (("emergency",), NOT_CRISIS),
    "dosing": (("dosing",), ("ordinary", "offtopic", "self_harm", "emergency")),
    "offtopic": (("offtopic",), ("ordinary", "dosing", "self_harm", "emergency")),
}
SCORES = (*HEADS, "crisis")


@dataclass
class Corpus:
    texts: List[str] = field(default_factory=list)
    labels: List[str] = field(default_factory=list)

    def add(self, texts: Iterable[str], label: str) -> None:
        for text in texts:
            if text.strip():
                self.texts.append(text.strip())
                self.labels.append(label)

    def count(self, label: str) -> int:
        return self.labels.count(label)


def read_corpus(root: Path) -> Corpus:
    corpus = Corpus()
    for label in LABELS:
        for path in sorted((root / label).glob("*.txt")):
            corpus.add(path.read_text(encoding="utf-8").splitlines(), label)
    return corpus


@dataclass
class Thresholds:
    crisis: float  # at or above: a crisis
    net: float  # at or above (and below crisis): the answer plus the safety line
    dosing: float  # at or above: a dosing request
    offtopic: float  # at or above: off-topic


@dataclass
class Settings:
    C: float = 30.0  # chosen by out-of-fold recall at these budgets
    folds: int = 5
    crisis_false_rate: float = 0.01  # share of ordinary messages escalated as a crisis
    dosing_false_rate: float = 0.01  # share of ordinary messages refused as dosing
    net_rate: float = 0.04  # share that gets the crisis score's safety line
    offtopic_false_rate: float = 0.005  # share of on-topic messages taken as off-topic
    jobs: int = 2  # processes fitting the cross-validation folds at once


def _features() -> Tuple[TfidfVectorizer, TfidfVectorizer]:
    return (
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b", min_df=1),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    )


class SafetyModels:
    """Fitted vectorizers, one weight vector per head, and the thresholds."""

    def __init__(
        self, vectorizers: Sequence[TfidfVectorizer], heads: Dict[str, LogisticRegression], thresholds: Thresholds
    ) -> None:
        self.vectorizers = list(vectorizers)
        self.thresholds = thresholds
        # One matrix of weights, one column per head: a message is scored by one product
        # (the fitted regressions themselves are not kept).
        self.names = list(heads)
        self._weights = np.ascontiguousarray(np.vstack([heads[n].coef_[0] for n in self.names]).T, dtype=WEIGHTS_DTYPE)
        self._intercepts = np.array([heads[n].intercept_[0] for n in self.names])

    def __getstate__(self) -> Dict:
        state = dict(self.__dict__)
        state.pop("_linear", None)  # rebuilt from the vectorizers on first use
        return state

    def linear(self) -> LinearTfidfScores:
        """The weights split by vectorizer, scored one message at a time (built on first use,
        so a stored model needs nothing more)."""
        if getattr(self, "_linear", None) is None:
            parts, start = [], 0
            for vectorizer in self.vectorizers:
                end = start + len(vectorizer.vocabulary_)
                parts.append((vectorizer, self._weights[start:end]))
                start = end
            self._linear = LinearTfidfScores(parts)
        return self._linear

    def knows_a_word(self, text: str) -> bool:
        """Whether any word of the text is in the models' word vocabulary: of a message
        of unknown words only ("qwzx plorf"), the models see nothing but letters."""
        words = self.vectorizers[0]  # _features(): word n-grams first, then characters
        return words.transform([normalise(text)]).nnz > 0

    def scores(self, texts: Sequence[str]) -> List[Dict[str, float]]:
        """For each text, each head's probability that the text is of its kind, and the
        crisis score (the larger of the two crisis kinds)."""
        logits = self.linear().scores([normalise(t) for t in texts]) + self._intercepts
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        scores = [dict(zip(self.names, map(float, row), strict=True)) for row in probabilities]
        for row in scores:
            row["crisis"] = max(row["self_harm"], row["emergency"])
        return scores


def _head_data(corpus: Corpus, head: str) -> Tuple[np.ndarray, np.ndarray]:
    """Row indices of the corpus this head trains on, and their 0/1 targets."""
    positive, negative = HEADS[head]
    rows = [i for i, label in enumerate(corpus.labels) if label in positive + negative]
    targets = [1 if corpus.labels[i] in positive else 0 for i in rows]
    return np.array(rows), np.array(targets)


def _fit_head(matrix, targets: np.ndarray, settings: Settings) -> LogisticRegression:
    # liblinear: the same thresholds and out-of-fold figures as scikit-learn's default
    # solver (lbfgs) on this corpus, in half the time (a fit's four heads: 4.5 s, not 8.9).
    model = LogisticRegression(C=settings.C, class_weight="balanced", solver="liblinear")
    return model.fit(matrix, targets)


def _fit_one_thread(corpus: Corpus, rows: np.ndarray, settings: Settings) -> SafetyModels:
    """Models fitted on these rows of the corpus, on one BLAS thread: fits run side by side
    in processes, and more threads made no fit faster. Thresholds are set by the caller."""
    with threadpool_limits(1):
        part = Corpus([corpus.texts[i] for i in rows], [corpus.labels[i] for i in rows])
        return fit(part, settings, thresholds=Thresholds(0.5, 0.5, 0.5, 0.5))


def _fold_scores(corpus: Corpus, train_rows: np.ndarray, test_rows: np.ndarray, settings: Settings) -> List[Dict]:
    """Scores of the test rows from models fitted on the train rows."""
    return _fit_one_thread(corpus, train_rows, settings).scores([corpus.texts[i] for i in test_rows])


def _folds(corpus: Corpus, settings: Settings) -> List[Tuple[np.ndarray, np.ndarray]]:
    labels = np.array(corpus.labels)
    return list(StratifiedKFold(n_splits=settings.folds, shuffle=True, random_state=0).split(corpus.texts, labels))


def _gather(corpus: Corpus, folds: List, fold_scores: List[List[Dict]]) -> Dict[str, np.ndarray]:
    """Each head's score for every corpus message from the fold that left it out."""
    scores = {name: np.full(len(corpus.texts), np.nan) for name in SCORES}
    for (_, test), rows in zip(folds, fold_scores, strict=True):
        for i, row in zip(test, rows, strict=True):
            for name in SCORES:
                scores[name][i] = row[name]
    return scores


def _budget_threshold(scores: np.ndarray, false_rate: float) -> float:
    """The score above which only the share false_rate of these (negative) scores lie."""
    return float(np.quantile(scores, 1 - false_rate))


def choose_thresholds(corpus: Corpus, oof: Dict[str, np.ndarray], settings: Settings) -> Thresholds:
    labels = np.array(corpus.labels)
    ordinary = oof["crisis"][labels == "ordinary"], oof["dosing"][labels == "ordinary"]
    crisis_t = _budget_threshold(ordinary[0], settings.crisis_false_rate)
    net_t = min(crisis_t, _budget_threshold(ordinary[0], settings.crisis_false_rate + settings.net_rate))
    dosing_t = _budget_threshold(ordinary[1], settings.dosing_false_rate)
    offtopic_t = max(0.5, _budget_threshold(oof["offtopic"][labels != "offtopic"], settings.offtopic_false_rate))
    return Thresholds(crisis=crisis_t, net=net_t, dosing=dosing_t, offtopic=offtopic_t)


def recall_report(corpus: Corpus, oof: Dict[str, np.ndarray], thresholds: Thresholds) -> Dict[str, float]:
    """Out-of-fold figures at the chosen thresholds (the dev figures printed at training)."""
    labels = np.array(corpus.labels)
    crisis, ordinary = np.isin(labels, CRISIS_LABELS), labels == "ordinary"
    return {
        "crisis recall": float((oof["crisis"][crisis] >= thresholds.crisis).mean()),
        "crisis or net recall": float((oof["crisis"][crisis] >= thresholds.net).mean()),
        "dosing recall": float((oof["dosing"][labels == "dosing"] >= thresholds.dosing).mean()),
        "offtopic recall": float((oof["offtopic"][labels == "offtopic"] >= thresholds.offtopic).mean()),
        "ordinary escalated": float((oof["crisis"][ordinary] >= thresholds.crisis).mean()),
        "ordinary refused": float((oof["dosing"][ordinary] >= thresholds.dosing).mean()),
        "ordinary with net line": float(
            ((oof["crisis"][ordinary] >= thresholds.net) & (oof["crisis"][ordinary] < thresholds.crisis)).mean()
        ),
    }


def fit(corpus: Corpus, settings: Settings, thresholds: Thresholds) -> SafetyModels:
    normalised = [normalise(t) for t in corpus.texts]
    vectorizers = _features()
    matrix = hstack([v.fit_transform(normalised) for v in vectorizers]).tocsr()
    for vectorizer in vectorizers:
        vectorizer.stop_words_ = None  # the n-grams cut by min_df: kept only for inspection
    heads = {}
    for head in HEADS:
        rows, targets = _head_data(corpus, head)
        heads[head] = _fit_head(matrix[rows], targets, settings)
    return SafetyModels(vectorizers, heads, thresholds)


def train(corpus: Corpus, settings: Settings) -> Tuple[SafetyModels, Dict[str, np.ndarray]]:
    """Models on the whole corpus, with thresholds from out-of-fold scores: each head's
    score for every corpus message from a model that never saw it (NaN where the head
    does not train on the message's label), also returned. The folds and the final fit,
    which does not need the thresholds, run side by side in `settings.jobs` processes."""
    folds = _folds(corpus, settings)
    every_row = np.arange(len(corpus.texts))
    *fold_scores, models = Parallel(n_jobs=settings.jobs)(
        [delayed(_fold_scores)(corpus, train, test, settings) for train, test in folds]
        + [delayed(_fit_one_thread)(corpus, every_row, settings)]
    )
    oof = _gather(corpus, folds, fold_scores)
    models.thresholds = choose_thresholds(corpus, oof, settings)
    return models, oof
