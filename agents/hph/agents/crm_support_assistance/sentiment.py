"""The tone of a ticket: VADER (vaderSentiment, a lexicon- and rule-based scorer) with the support
adjustments of data/support_lexicon.json, labelled by its thresholds.

VADER's compound score is its normalised sum of word valences (-1..1) after its rules (negation,
intensifiers, "but", capitals, punctuation); pos/neu/neg are the shares of the text in each. The
default thresholds (+-0.05) call most polite questions positive, so positive starts at 0.4 here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, Final

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

LEXICON_FILE: Final = "support_lexicon.json"
METHOD: Final = "vader-3.3+support-lexicon"


class Label(Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Tone:
    label: Label
    compound: float
    positive: float
    neutral: float
    negative: float


@dataclass(frozen=True)
class Thresholds:
    positive: float
    negative: float

    def label(self, compound: float) -> Label:
        if compound >= self.positive:
            return Label.POSITIVE
        if compound <= self.negative:
            return Label.NEGATIVE
        return Label.NEUTRAL


VADER_DEFAULTS: Final = Thresholds(0.05, -0.05)


def _settings() -> dict[str, Any]:
    text = resources.files("hph.agents.crm_support_assistance").joinpath("data", LEXICON_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class ToneScorer:
    """One analyzer (its lexicon loads once) with or without the support adjustments."""

    def __init__(self, *, adjusted: bool = True) -> None:
        settings = _settings()
        self._analyzer = SentimentIntensityAnalyzer()
        if adjusted:
            self._analyzer.lexicon.update({word: float(v) for word, v in settings["valences"].items()})
            self.thresholds = Thresholds(float(settings["positive_threshold"]), float(settings["negative_threshold"]))
        else:
            self.thresholds = VADER_DEFAULTS

    def score(self, text: str) -> Tone:
        scores = self._analyzer.polarity_scores(text)
        compound = float(scores["compound"])
        return Tone(
            self.thresholds.label(compound),
            round(compound, 4),
            float(scores["pos"]),
            float(scores["neu"]),
            float(scores["neg"]),
        )


@cache
def shipped_scorer() -> ToneScorer:
    """The scorer the agent uses (built once per process)."""
    return ToneScorer(adjusted=True)
