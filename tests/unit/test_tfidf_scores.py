"""The one-message-at-a-time TF-IDF scores equal scikit-learn's `transform(...) @ W`."""

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from kratom_assistant.nlu.tfidf_scores import WEIGHTS_DTYPE, LinearTfidfScores

CORPUS = [
    "how much kratom should i take",
    "is kratom legal in texas",
    "my friend is not breathing after taking 7-oh",
    "what are the withdrawal symptoms, can't sleep",
    "kratom kratom kratom, is it addictive?",
    "where can i buy a yoga mat",
]
MESSAGES = CORPUS + ["", "zzz qqq", "KRATOM and alcohol?? 😬", "how long does one dose last", "day 3 no kratom"]


def fitted(sublinear: bool):
    vectorizers = [
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=sublinear, token_pattern=r"(?u)\b\w+\b"),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=sublinear),
    ]
    for vectorizer in vectorizers:
        vectorizer.fit(CORPUS)
    width = sum(len(v.vocabulary_) for v in vectorizers)
    weights = np.random.default_rng(0).normal(size=(width, 3))
    return vectorizers, weights


@pytest.mark.parametrize("sublinear", [True, False])
def test_the_scores_equal_scikit_learns(sublinear):
    vectorizers, weights = fitted(sublinear)
    kept = weights.astype(WEIGHTS_DTYPE).astype(np.float64)  # the weights as the scorer keeps them
    expected = np.asarray(hstack([v.transform(MESSAGES) for v in vectorizers]).tocsr() @ kept)
    split = len(vectorizers[0].vocabulary_)
    scores = LinearTfidfScores([(vectorizers[0], weights[:split]), (vectorizers[1], weights[split:])])
    assert np.allclose(scores.scores(MESSAGES), expected, rtol=0, atol=1e-12)
    assert not np.allclose(expected, 0)  # the check compares real scores


def test_a_vectorizer_it_does_not_reproduce_is_refused():
    vectorizer = TfidfVectorizer(norm="l1").fit(CORPUS)
    with pytest.raises(ValueError):
        LinearTfidfScores([(vectorizer, np.zeros((len(vectorizer.vocabulary_), 1)))])
