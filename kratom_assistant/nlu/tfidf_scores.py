"""Linear scores over fitted TF-IDF vectorizers, one message at a time.

The topic classifier and the safety screen score each message as `X @ W`, where X is
scikit-learn's TF-IDF row for it. `TfidfVectorizer.transform` is made for batches: on a
single message its checks (`check_is_fitted`), the `idf_` property (a sum over a
diagonal matrix on every call) and building sparse matrices took most of the 17% of
the server's time that NLU features cost under load. This computes the same numbers
with the vectorizer's own analyzer, vocabulary and idf: counts of the message's terms,
sublinear tf, idf, the l2 norm, then only the weight rows of the terms it has.
`tests/unit/test_tfidf_scores.py` checks it against `transform(...) @ W`.
"""

from collections import Counter
from typing import List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Weights are kept in single precision: half the memory (the topic classifier's are 8 MB
# instead of 16), and scores move by about 1e-7, far below any threshold's margin.
WEIGHTS_DTYPE = np.float32


class LinearTfidfScores:
    def __init__(self, parts: Sequence[Tuple[TfidfVectorizer, np.ndarray]]) -> None:
        """`parts`: each fitted vectorizer with its rows of the weights (terms x outputs)."""
        self._parts = []
        for vectorizer, weights in parts:
            if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
                raise ValueError("only l2-normalised TF-IDF without binary counts is supported")
            self._parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    np.asarray(vectorizer.idf_, dtype=np.float64),
                    vectorizer.sublinear_tf,
                    np.ascontiguousarray(weights, dtype=WEIGHTS_DTYPE),
                )
            )
        self.outputs = self._parts[0][4].shape[1]

    def scores(self, texts: List[str]) -> np.ndarray:
        """`(len(texts), outputs)`: each text's TF-IDF row times the weights."""
        result = np.zeros((len(texts), self.outputs))
        for row, text in enumerate(texts):
            for analyzer, vocabulary, idf, sublinear, weights in self._parts:
                counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
                if not counts:
                    continue
                terms = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                values = (np.log(tf) + 1.0 if sublinear else tf) * idf[terms]
                values /= np.sqrt(values @ values)
                result[row] += values @ weights[terms]
        return result
