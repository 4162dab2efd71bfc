"""The category classifier: trained on the current catalog with scikit-learn, calibrated, explained.

Features are TF-IDF word unigrams and bigrams plus character 3..5-grams inside word boundaries (so a
misspelt or oddly cased title still shares most of its n-grams with the right category), fitted once
on the catalog's texts (unsupervised: no label is read); the model is complement naive Bayes, which
suits short texts and many classes and trains in milliseconds. When every category has at least
`CALIBRATE_FROM` products it is wrapped in `CalibratedClassifierCV` (sigmoid, stratified folds), so a
confidence of 0.8 is right about 80% of the time; otherwise naive Bayes' own probabilities are used
and the method says "uncalibrated".

A product of the catalog is judged by a model that did not learn from its own label: its
probabilities come from `cross_val_predict` over stratified folds (out of fold). Otherwise a product
filed under the wrong category would teach the model its own mistake and the disagreement it should
reveal would be hidden. A draft, or a product whose content changed since training, is judged by
the model trained on everything.

Everything random is fixed (`RANDOM_STATE`): the same catalog trains the same model, in any process,
and the version names the data (a digest of the examples), so two replicas report the same version.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion

METHOD: Final = "category-tfidf-cnb-v1"
RANDOM_STATE: Final = 0
# Calibration folds need this many products in every category.
CALIBRATE_FROM: Final = 5
CALIBRATION_FOLDS: Final = 3
OUT_OF_FOLD_FOLDS: Final = 5
# A prediction this sure that disagrees with a product's category is a finding and a proposal.
CONFIDENT_DISAGREEMENT: Final = 0.6
# Additive smoothing: below 1, as a category is told apart by a few distinctive words.
SMOOTHING: Final = 0.3


@dataclass(frozen=True)
class Example:
    """One labelled product: its id, the text the classifier reads, its category."""

    product_id: str
    text: str
    label: str


@dataclass(frozen=True)
class Ranked:
    category_id: str
    confidence: float


@dataclass(frozen=True)
class TokenWeight:
    """An n-gram of the text and how much it pushed the prediction (tf-idf x coefficient)."""

    feature: str
    weight: float


@dataclass(frozen=True)
class Classification:
    ranked: tuple[Ranked, ...]
    tokens: tuple[TokenWeight, ...]
    # True when the probabilities come from a model that did not see this product.
    out_of_fold: bool

    @property
    def best(self) -> Ranked:
        return self.ranked[0]


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ]
    )


def _model(calibrated: bool) -> Any:
    if not calibrated:
        return ComplementNB(alpha=SMOOTHING)
    folds = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=RANDOM_STATE)
    return CalibratedClassifierCV(ComplementNB(alpha=SMOOTHING), method="sigmoid", cv=folds)


def version_of(examples: Sequence[Example]) -> str:
    digest = hashlib.blake2b(digest_size=6)
    for example in sorted(examples, key=lambda e: e.product_id):
        digest.update(f"{example.product_id}\x1f{example.label}\x1f{example.text}\x1e".encode())
    return f"{METHOD}@{digest.hexdigest()}"


class CategoryClassifier:
    """A trained model; immutable once built (retraining builds a new one)."""

    def __init__(self, examples: Sequence[Example], *, out_of_fold: bool = True) -> None:
        if len({e.label for e in examples}) < 2:
            raise ValueError("a category classifier needs at least two categories with products")
        texts = [e.text for e in examples]
        labels = [e.label for e in examples]
        smallest = min(Counter(labels).values())
        self.version = version_of(examples)
        self.calibrated = smallest >= CALIBRATE_FROM
        self.examples = len(examples)
        self._features = _features().fit(texts)
        matrix = self._features.transform(texts)
        self._names = self._features.get_feature_names_out()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # a class smaller than the folds
            self._model = _model(self.calibrated).fit(matrix, labels)
            self._held_out: dict[str, tuple[str, np.ndarray]] = {}
            if out_of_fold and smallest >= 2:
                folds = StratifiedKFold(
                    n_splits=min(OUT_OF_FOLD_FOLDS, smallest), shuffle=True, random_state=RANDOM_STATE
                )
                probabilities = cross_val_predict(
                    _model(self.calibrated), matrix, labels, cv=folds, method="predict_proba"
                )
                self._held_out = {e.product_id: (e.text, row) for e, row in zip(examples, probabilities, strict=True)}
        self.classes: tuple[str, ...] = tuple(str(c) for c in self._model.classes_)

    @property
    def method(self) -> str:
        return self.version if self.calibrated else f"{self.version} (uncalibrated)"

    def classify(self, text: str, product_id: str = "", *, top: int = 4, tokens: int = 5) -> Classification:
        """The categories by probability (at most `top`) and the n-grams that weighed most for the first."""
        found = self.classify_many([(product_id, text)], top=top)[0]
        return Classification(found.ranked, self._tokens(text, found.best.category_id, tokens), found.out_of_fold)

    def classify_many(self, items: Sequence[tuple[str, str]], *, top: int = 4) -> list[Classification]:
        """The categories of many (product_id, text) at once, without token drivers (an audit's pass).
        A catalog product whose text is what the model was trained on gets its out-of-fold answer."""
        fresh = [i for i, (pid, text) in enumerate(items) if self._held_out.get(pid, ("",))[0] != text or not text]
        computed = self._model.predict_proba(self._features.transform([items[i][1] for i in fresh])) if fresh else []
        by_index = dict(zip(fresh, computed, strict=True))
        found = []
        for i, (pid, _text) in enumerate(items):
            probabilities = by_index[i] if i in by_index else self._held_out[pid][1]
            order = np.argsort(-probabilities, kind="stable")[:top]
            ranked = tuple(Ranked(self.classes[j], round(float(probabilities[j]), 4)) for j in order)
            found.append(Classification(ranked, (), i not in by_index))
        return found

    def _bayes(self) -> list[ComplementNB]:
        if isinstance(self._model, CalibratedClassifierCV):
            return [calibrated.estimator for calibrated in self._model.calibrated_classifiers_]
        return [self._model]

    def _tokens(self, text: str, category_id: str, limit: int) -> tuple[TokenWeight, ...]:
        """Features of `text` by tf-idf x (the category's weight - the mean weight over categories),
        averaged over the calibration folds' models: what pulled the text towards the category."""
        row = self._features.transform([text]).tocsr()
        totals: dict[str, float] = {}
        models = self._bayes()
        for model in models:
            classes = [str(c) for c in model.classes_]
            if category_id not in classes:
                continue
            weights = model.feature_log_prob_
            relative = weights[classes.index(category_id)] - weights.mean(axis=0)
            for index, value in zip(row.indices, row.data, strict=True):
                name = str(self._names[index])
                totals[name] = totals.get(name, 0.0) + float(value * relative[index]) / len(models)
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        best = [(name, weight) for name, weight in ranked if weight > 0][:limit]
        return tuple(TokenWeight(_readable(name), round(weight, 4)) for name, weight in best)


def _readable(feature: str) -> str:
    kind, _, gram = feature.partition("__")
    return f"word:{gram}" if kind == "word" else f"chars:'{gram}'"
