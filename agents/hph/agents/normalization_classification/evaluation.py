"""`hph eval classifier` and `hph eval normalization`: the category classifier and the title
normalisation measured on labelled data, with the floors CI holds them to.

Classifier: accuracy and macro-F1 on a held-out stratified quarter of the demo catalog (trained on
the other three quarters, fixed split), and on the hand-labelled messy titles of
data/messy_titles.json (trained on the whole catalog). Normalisation: the exact-match rate over the
hand-labelled pairs of data/normalization_eval.json plus the demo's messy products' expected titles
(hph.commerce.demo_messy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Final

from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from hph.agents.normalization_classification.normalize import known_brands, normalize_title
from hph.agents.product_catalog.classifier import RANDOM_STATE, CategoryClassifier, Example
from hph.commerce.demo_data import DemoCatalog, generate_catalog
from hph.commerce.demo_messy import messy_products

HELD_OUT_SHARE: Final = 0.25
# A little below what the shipped model measures (docs/agents/normalization-classification.md).
CLASSIFIER_FLOORS: Final = {
    "held_out_accuracy": 0.95,
    "held_out_macro_f1": 0.95,
    "messy_accuracy": 0.9,
    "messy_macro_f1": 0.85,
}
NORMALIZATION_FLOOR: Final = 0.95


@dataclass(frozen=True)
class Miss:
    text: str
    expected: str
    got: str


@dataclass(frozen=True)
class ClassifierReport:
    method: str
    held_out: int
    held_out_accuracy: float
    held_out_macro_f1: float
    messy: int
    messy_accuracy: float
    messy_macro_f1: float
    misses: tuple[Miss, ...]


@dataclass(frozen=True)
class NormalizationReport:
    pairs: int
    exact: int
    misses: tuple[Miss, ...]

    @property
    def exact_match(self) -> float:
        return self.exact / self.pairs if self.pairs else 0.0


def _data(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(resources.files(__package__).joinpath(f"data/{name}").read_text("utf-8"))
    return loaded


def examples(catalog: DemoCatalog) -> list[Example]:
    return [
        Example(
            p.id, " ".join(part for part in (p.name, p.brand, " ".join(p.tags), p.description) if part), p.category_id
        )
        for p in catalog.products
    ]


def messy_titles() -> list[tuple[str, str]]:
    titles = _data("messy_titles.json")["titles"]
    assert isinstance(titles, list)
    return [(str(t["title"]), str(t["category"])) for t in titles]


def evaluate_classifier(catalog: DemoCatalog | None = None) -> ClassifierReport:
    labelled = examples(catalog or generate_catalog())
    train, test = train_test_split(
        labelled, test_size=HELD_OUT_SHARE, stratify=[e.label for e in labelled], random_state=RANDOM_STATE
    )
    split_model = CategoryClassifier(train, out_of_fold=False)
    truth = [e.label for e in test]
    predicted = [split_model.classify(e.text).best.category_id for e in test]
    full_model = CategoryClassifier(labelled, out_of_fold=False)
    titles = messy_titles()
    title_truth = [category for _, category in titles]
    title_predicted = [full_model.classify(title).best.category_id for title, _ in titles]
    misses = [Miss(e.product_id, e.label, p) for e, p in zip(test, predicted, strict=True) if p != e.label]
    misses += [Miss(t, c, p) for (t, c), p in zip(titles, title_predicted, strict=True) if p != c]
    return ClassifierReport(
        method=full_model.method,
        held_out=len(test),
        held_out_accuracy=round(float(accuracy_score(truth, predicted)), 4),
        held_out_macro_f1=round(float(f1_score(truth, predicted, average="macro")), 4),
        messy=len(titles),
        messy_accuracy=round(float(accuracy_score(title_truth, title_predicted)), 4),
        messy_macro_f1=round(float(f1_score(title_truth, title_predicted, average="macro")), 4),
        misses=tuple(misses),
    )


def classifier_below_floors(report: ClassifierReport) -> list[str]:
    figures = {
        "held_out_accuracy": report.held_out_accuracy,
        "held_out_macro_f1": report.held_out_macro_f1,
        "messy_accuracy": report.messy_accuracy,
        "messy_macro_f1": report.messy_macro_f1,
    }
    return [
        f"{name} {figures[name]:.3f} < {floor}" for name, floor in CLASSIFIER_FLOORS.items() if figures[name] < floor
    ]


def render_classifier(report: ClassifierReport, *, per_case: bool) -> str:
    lines = [
        f"model {report.method}",
        f"held-out catalog products {report.held_out:>4}  accuracy {report.held_out_accuracy:.3f}  "
        f"macro-F1 {report.held_out_macro_f1:.3f}",
        f"hand-labelled messy titles {report.messy:>3}  accuracy {report.messy_accuracy:.3f}  "
        f"macro-F1 {report.messy_macro_f1:.3f}",
        "floors: " + ", ".join(f"{name} >= {floor}" for name, floor in CLASSIFIER_FLOORS.items()),
    ]
    if per_case:
        lines += [f"  miss: {m.text!r} -> {m.got} (labelled {m.expected})" for m in report.misses]
    return "\n".join(lines)


def normalization_pairs(catalog: DemoCatalog | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """The labelled pairs and the brands the case rule may use: the data file's, then the demo's
    messy titles with the demo catalog's brands."""
    raw = _data("normalization_eval.json")
    pairs_raw, brands_raw = raw["pairs"], raw["brands"]
    assert isinstance(pairs_raw, list) and isinstance(brands_raw, list)
    pairs = [(str(p["input"]), str(p["expected"])) for p in pairs_raw]
    demo = catalog or generate_catalog()
    pairs += [(m.product.name, m.expected_name) for m in messy_products(demo) if m.expected_name]
    return pairs, [str(b) for b in brands_raw] + [p.brand for p in demo.products]


def evaluate_normalization(catalog: DemoCatalog | None = None) -> NormalizationReport:
    pairs, brands = normalization_pairs(catalog)
    table = known_brands(brands)
    misses = []
    for text, expected in pairs:
        got = normalize_title(text, table).normalized
        if got != expected:
            misses.append(Miss(text, expected, got))
    return NormalizationReport(len(pairs), len(pairs) - len(misses), tuple(misses))


def normalization_below_floor(report: NormalizationReport) -> list[str]:
    if report.exact_match < NORMALIZATION_FLOOR:
        return [f"exact match {report.exact_match:.3f} < {NORMALIZATION_FLOOR}"]
    return []


def render_normalization(report: NormalizationReport, *, per_case: bool) -> str:
    lines = [
        f"labelled titles {report.pairs}  exact match {report.exact_match:.3f} ({report.exact} of {report.pairs})",
        f"floor: exact match >= {NORMALIZATION_FLOOR}",
    ]
    if per_case:
        lines += [f"  miss: {m.text!r} -> {m.got!r} (labelled {m.expected!r})" for m in report.misses]
    return "\n".join(lines)
