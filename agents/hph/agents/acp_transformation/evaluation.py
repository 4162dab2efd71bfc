"""Feed validation quality: over the hand-labelled items of data/feed_eval.json, the share whose
pass/fail verdict, availability and checkout eligibility match the labels, and the precision and
recall of the fields reported as errors. `hph eval feed` prints it and exits 1 below the floors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hph.agents.acp_transformation import spec
from hph.runtime.data_tables import as_list, as_mapping, load_json

DATA_PACKAGE = "hph.agents.acp_transformation"
DATASET = "feed_eval.json"
# Every case is labelled by hand from the spec's rules: one case wrong is a regression.
FLOORS = {"accuracy": 1.0, "field_precision": 1.0, "field_recall": 1.0}
SELLER = spec.Seller(
    name="Holiday Peak Hub",
    url="https://shop.holidaypeak.example",
    return_policy="https://shop.holidaypeak.example/returns-policy",
    return_window_days=30,
    store_country="US",
    target_countries=("US",),
)


@dataclass(frozen=True)
class Outcome:
    case_id: str
    why: str
    expected: dict[str, Any]
    entry: spec.Entry

    @property
    def errors(self) -> set[str]:
        return {i.field for i in self.entry.issues if i.severity == spec.ERROR}

    @property
    def right(self) -> bool:
        item = self.entry.item
        checkout = self.expected.get("checkout")
        return (
            self.entry.valid == self.expected["valid"]
            and self.errors == set(self.expected["errors"])
            and item.availability == self.expected["availability"]
            and (checkout is None or item.is_eligible_checkout == checkout)
        )


@dataclass(frozen=True)
class Report:
    version: str
    outcomes: tuple[Outcome, ...]

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def _field_counts(self) -> tuple[int, int, int]:
        hits = reported = labelled = 0
        for o in self.outcomes:
            expected = set(o.expected["errors"])
            hits += len(o.errors & expected)
            reported += len(o.errors)
            labelled += len(expected)
        return hits, reported, labelled

    @property
    def field_precision(self) -> float:
        hits, reported, _ = self._field_counts()
        return hits / reported if reported else 1.0

    @property
    def field_recall(self) -> float:
        hits, _, labelled = self._field_counts()
        return hits / labelled if labelled else 1.0


def evaluate(raw: Any | None = None) -> Report:
    """Runs the validation over every labelled case (the shipped file unless `raw` is given)."""
    table = as_mapping(raw if raw is not None else load_json(DATA_PACKAGE, DATASET), DATASET)
    outcomes = []
    for entry in as_list(table.get("cases"), f"{DATASET}: cases"):
        case = as_mapping(entry, f"{DATASET}: case")
        values = as_mapping(case["product"], f"{DATASET}: {case['id']}.product")
        product = spec.Product(
            product_id=str(case.get("product_id", "EVAL-0001")),
            title=str(values["title"]),
            description=str(values["description"]),
            brand=str(values["brand"]),
            category_path=str(values["category_path"]),
            image_url=str(values["image_url"]),
            price_minor=int(values["price_minor"]),
            currency_code=str(values["currency_code"]),
            active=bool(values["active"]),
        )
        stock = spec.Stock(int(case["available"]), bool(case.get("backorder", False)))
        outcomes.append(
            Outcome(str(case["id"]), str(case["why"]), dict(case["expected"]), spec.entry(product, stock, SELLER))
        )
    return Report(str(table.get("version", "")), tuple(outcomes))


def below_floors(report: Report) -> list[str]:
    figures = {
        "accuracy": report.accuracy,
        "field_precision": report.field_precision,
        "field_recall": report.field_recall,
    }
    return [f"{name} {figures[name]:.3f} < {floor}" for name, floor in FLOORS.items() if figures[name] < floor]


def render(report: Report, *, per_case: bool) -> str:
    lines = [
        f"{len(report.outcomes)} labelled items ({report.version}): accuracy {report.accuracy:.3f}, "
        f"error fields precision {report.field_precision:.3f}, recall {report.field_recall:.3f}",
        "floors: " + ", ".join(f"{name} >= {floor}" for name, floor in FLOORS.items()),
    ]
    for o in report.outcomes:
        if per_case or not o.right:
            mark = "ok  " if o.right else "MISS"
            found = ",".join(sorted(o.errors)) or "-"
            lines.append(f"{mark} {o.case_id}: errors {found}, {o.entry.item.availability} ({o.why})")
    return "\n".join(lines)
