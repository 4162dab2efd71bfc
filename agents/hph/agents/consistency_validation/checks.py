"""The decision core of consistency-validation: the findings of one product against the whole
catalog's statistics (pure; no I/O, no protos).

- missing or short fields: below each field's minimum length (data/rules.json);
- a price of zero or less;
- a price outlier within its category: the robust z-score of ln(price), 0.6745 x (x - median) / MAD
  over the category's priced products (Iglewicz and Hoaglin's modified z-score; when the MAD is 0,
  1.2533 x the mean absolute deviation stands in for it), beyond the threshold;
- a duplicate SKU: another product whose id is the same once case and separators are ignored
  (`TOY-0042`, `toy_0042`);
- a near-duplicate title: Jaccard similarity of the normalised titles' shingles (words and word
  pairs) at or above the threshold;
- a category the classifier disagrees with: its out-of-fold prediction is another category at
  CONFIDENT_DISAGREEMENT or more, and the product's category is not a parent of it;
- an image URL that is not an absolute http(s) URL to an image path.
A finding that has a fix the agent may propose (a category, an image URL whose scheme is merely
missing or misspelt) carries it as a ProposalDraft.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlparse

from hph.agents.consistency_validation.rules import Rules
from hph.agents.normalization_classification.normalize import canonical_unit
from hph.agents.product_catalog.classifier import CONFIDENT_DISAGREEMENT, Classification
from hph.agents.product_catalog.records import ProductRecord
from hph.agents.runtime import Driver
from hph.commerce.product_truth import Evidence, ProposalDraft

AGENT: Final = "consistency-validation"
MISSING_FIELD, SHORT_FIELD, NON_POSITIVE_PRICE = "MISSING_FIELD", "SHORT_FIELD", "NON_POSITIVE_PRICE"
PRICE_OUTLIER, DUPLICATE_SKU, NEAR_DUPLICATE_TITLE = "PRICE_OUTLIER", "DUPLICATE_SKU", "NEAR_DUPLICATE_TITLE"
CATEGORY_MISMATCH, INVALID_IMAGE_URL = "CATEGORY_MISMATCH", "INVALID_IMAGE_URL"
CODES: Final = (
    MISSING_FIELD,
    SHORT_FIELD,
    NON_POSITIVE_PRICE,
    PRICE_OUTLIER,
    DUPLICATE_SKU,
    NEAR_DUPLICATE_TITLE,
    CATEGORY_MISMATCH,
    INVALID_IMAGE_URL,
)
MAD_SCALE: Final = 0.6745
MEAN_AD_SCALE: Final = 1.2533
# A proposed image URL fix is a guess about the scheme only.
IMAGE_FIX_CONFIDENCE: Final = 0.7
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_MISSPELT_SCHEME = re.compile(r"^(?:h?t?t?p?s?:?/{0,3}|//)(?=[a-z0-9-]+(?:\.[a-z0-9-]+)+/)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    code: str
    field: str
    severity: int
    message: str
    related: tuple[str, ...] = ()
    evidence: tuple[Driver, ...] = ()
    proposal: ProposalDraft | None = None


@dataclass(frozen=True)
class PriceStats:
    median: float
    spread: float
    products: int


@dataclass
class CatalogStats:
    """What one product's checks need to know of the whole catalog."""

    prices: dict[str, PriceStats] = field(default_factory=dict)
    sku_groups: dict[str, list[str]] = field(default_factory=dict)
    near_duplicates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


# --- the catalog's statistics ---------------------------------------------------------------------


def sku_key(product_id: str) -> str:
    return re.sub(r"[-_]", "", product_id).upper()


def shingles(title: str) -> frozenset[str]:
    words = _TOKEN.findall(canonical_unit(title).lower())
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    union = len(left | right)
    return len(left & right) / union if union else 0.0


def price_stats(records: Iterable[ProductRecord], min_products: int) -> dict[str, PriceStats]:
    by_category: dict[str, list[float]] = defaultdict(list)
    for record in records:
        if record.price is not None and record.price > 0 and record.category_id:
            by_category[record.category_id].append(math.log(record.price))
    stats = {}
    for category, logs in by_category.items():
        if len(logs) < min_products:
            continue
        median = statistics.median(logs)
        mad = statistics.median(abs(x - median) for x in logs)
        spread = mad / MAD_SCALE if mad > 0 else MEAN_AD_SCALE * statistics.fmean(abs(x - median) for x in logs)
        if spread > 0:
            stats[category] = PriceStats(median, spread, len(logs))
    return stats


def near_duplicate_pairs(records: Sequence[ProductRecord], threshold: float) -> dict[str, list[tuple[str, float]]]:
    """For each product, the others whose title is at least `threshold` similar (an inverted index
    over shingles keeps it to pairs sharing one)."""
    sets = {r.id: shingles(r.name) for r in records if r.name.strip()}
    index: dict[str, list[str]] = defaultdict(list)
    for product_id, found in sets.items():
        for shingle in found:
            index[shingle].append(product_id)
    pairs: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for product_id, found in sets.items():
        candidates = {other for shingle in found for other in index[shingle] if other > product_id}
        for other in sorted(candidates):
            similarity = jaccard(found, sets[other])
            if similarity >= threshold:
                pairs[product_id].append((other, round(similarity, 4)))
                pairs[other].append((product_id, round(similarity, 4)))
    return dict(pairs)


def catalog_stats(records: Sequence[ProductRecord], rules: Rules) -> CatalogStats:
    groups: dict[str, list[str]] = defaultdict(list)
    for record in records:
        groups[sku_key(record.id)].append(record.id)
    return CatalogStats(
        prices=price_stats(records, rules.outlier_min_products),
        sku_groups={key: sorted(ids) for key, ids in groups.items() if len(ids) > 1},
        near_duplicates=near_duplicate_pairs(records, rules.near_duplicate_threshold),
    )


# --- one product's findings ----------------------------------------------------------------------


def check_product(
    record: ProductRecord,
    stats: CatalogStats,
    rules: Rules,
    classification: Classification | None,
    ancestors: Callable[[str], list[str]],
    model_method: str = "",
) -> list[Finding]:
    """Every finding of `record`, most severe first."""
    found = [
        *_fields(record, rules),
        *_price(record, stats, rules),
        *_duplicates(record, stats, rules),
        *_category(record, classification, ancestors, rules, model_method),
        *_image(record, rules),
    ]
    return sorted(found, key=lambda f: (-f.severity, CODES.index(f.code), f.field))


def _size(record: ProductRecord, field_name: str) -> int:
    if field_name == "tags":
        return len([tag for tag in record.tags if tag.strip()])
    value = getattr(record, field_name)
    return len(value.strip()) if isinstance(value, str) else 0


def _fields(record: ProductRecord, rules: Rules) -> list[Finding]:
    found = []
    for rule in rules.fields:
        size = _size(record, rule.field)
        unit = "tags" if rule.field == "tags" else "characters"
        evidence = (Driver(f"{rule.field}_length", size, f"{size} {unit}", threshold=rule.min_length, unit=unit),)
        if size == 0:
            found.append(Finding(MISSING_FIELD, rule.field, rule.missing, f"{rule.field} is empty", evidence=evidence))
        elif size < rule.min_length:
            found.append(
                Finding(
                    SHORT_FIELD,
                    rule.field,
                    rule.short,
                    f"{rule.field} has {size} {unit}, fewer than {rule.min_length}",
                    evidence=evidence,
                )
            )
    return found


def robust_z(price: float, stats: PriceStats) -> float:
    return (math.log(price) - stats.median) / stats.spread


def _price(record: ProductRecord, stats: CatalogStats, rules: Rules) -> list[Finding]:
    if record.price is None:
        return []
    if record.price <= 0:
        return [
            Finding(
                NON_POSITIVE_PRICE,
                "price",
                rules.non_positive_price,
                f"price {record.price:.2f} is not positive",
                evidence=(Driver("price", record.price, "a sellable price is above 0", threshold=0, unit="major"),),
            )
        ]
    category = stats.prices.get(record.category_id)
    if category is None:
        return []
    z = robust_z(record.price, category)
    if abs(z) <= rules.outlier_threshold:
        return []
    median_price = math.exp(category.median)
    return [
        Finding(
            PRICE_OUTLIER,
            "price",
            rules.outlier_high_severity if abs(z) > rules.outlier_high_at else rules.outlier_severity,
            f"price {record.price:.2f} is {abs(z):.1f} robust deviations {'above' if z > 0 else 'below'} the "
            f"median {median_price:.2f} of {category.products} products in {record.category_id}",
            evidence=(
                Driver(
                    "robust_z",
                    round(z, 3),
                    "0.6745 x (ln price - median ln price) / MAD",
                    threshold=rules.outlier_threshold,
                ),
                Driver("category_median_price", round(median_price, 2), f"over {category.products} products"),
                Driver("price", record.price, "the product's price", unit="major"),
            ),
        )
    ]


def _duplicates(record: ProductRecord, stats: CatalogStats, rules: Rules) -> list[Finding]:
    found = []
    same_sku = [pid for pid in stats.sku_groups.get(sku_key(record.id), []) if pid != record.id]
    if same_sku:
        found.append(
            Finding(
                DUPLICATE_SKU,
                "id",
                rules.duplicate_sku,
                f"SKU {record.id} is the same as {', '.join(same_sku)} once case and separators are ignored",
                related=tuple(same_sku),
                evidence=(Driver("same_sku_products", len(same_sku), f"key {sku_key(record.id)}"),),
            )
        )
    similar = [(pid, score) for pid, score in stats.near_duplicates.get(record.id, []) if pid != record.id]
    if similar:
        similar.sort(key=lambda pair: (-pair[1], pair[0]))
        found.append(
            Finding(
                NEAR_DUPLICATE_TITLE,
                "name",
                rules.near_duplicate,
                f"title is {similar[0][1]:.2f} similar to {similar[0][0]}"
                + (f" and {len(similar) - 1} more" if len(similar) > 1 else ""),
                related=tuple(pid for pid, _ in similar),
                evidence=tuple(
                    Driver(
                        "title_jaccard", score, f"shingles shared with {pid}", threshold=rules.near_duplicate_threshold
                    )
                    for pid, score in similar
                ),
            )
        )
    return found


def _category(
    record: ProductRecord,
    classification: Classification | None,
    ancestors: Callable[[str], list[str]],
    rules: Rules,
    model_method: str,
) -> list[Finding]:
    if classification is None or not record.category_id:
        return []
    best = classification.best
    if best.category_id == record.category_id or best.confidence < CONFIDENT_DISAGREEMENT:
        return []
    if record.category_id in ancestors(best.category_id):  # filed under a parent: broad, not wrong
        return []
    current = next((r.confidence for r in classification.ranked if r.category_id == record.category_id), 0.0)
    evidence = (
        Driver(
            "predicted_confidence",
            best.confidence,
            f"classifier's probability of {best.category_id}",
            threshold=CONFIDENT_DISAGREEMENT,
            unit="probability",
        ),
        Driver("current_confidence", current, f"probability of {record.category_id}", unit="probability"),
    )
    return [
        Finding(
            CATEGORY_MISMATCH,
            "category_id",
            rules.category_mismatch,
            f"the classifier predicts {best.category_id} at {best.confidence:.2f}; the product is in "
            f"{record.category_id} ({current:.2f})",
            evidence=evidence,
            proposal=_draft(
                record,
                "category_id",
                record.category_id,
                best.category_id,
                best.confidence,
                tuple(Evidence(d.name, d.value, d.reason, d.unit) for d in evidence)
                + ((Evidence("model", 1.0, model_method),) if model_method else ()),
            ),
        )
    ]


def image_url_valid(url: str, extensions: Sequence[str]) -> bool:
    parsed = urlparse(url.strip())
    if url != url.strip() or " " in url or parsed.scheme not in {"http", "https"} or not parsed.netloc:
        return False
    return parsed.path.lower().endswith(tuple(extensions))


def image_url_fix(url: str, extensions: Sequence[str]) -> str | None:
    """An https URL when only the scheme is missing or misspelt (`htp://host/a.jpg`, `//host/a.jpg`,
    `host/a.jpg`) and the rest is a valid image URL; None otherwise."""
    if image_url_valid(url, extensions):
        return None
    stripped = url.strip()
    match = _MISSPELT_SCHEME.match(stripped)
    if match is None:
        return None
    candidate = "https://" + stripped[match.end() :]
    return candidate if image_url_valid(candidate, extensions) and candidate != url else None


def _image(record: ProductRecord, rules: Rules) -> list[Finding]:
    if not record.image_url or image_url_valid(record.image_url, rules.image_extensions):
        return []
    fix = image_url_fix(record.image_url, rules.image_extensions)
    return [
        Finding(
            INVALID_IMAGE_URL,
            "image_url",
            rules.invalid_image,
            f"image URL {record.image_url!r} is not an absolute http(s) URL ending in "
            f"{'/'.join(rules.image_extensions)}",
            evidence=(Driver("image_url_valid", 0, "scheme, host and an image path", threshold=1),),
            proposal=_draft(
                record,
                "image_url",
                record.image_url,
                fix,
                IMAGE_FIX_CONFIDENCE,
                (Evidence("scheme_fixed", 1.0, "only the scheme was missing or misspelt"),),
            )
            if fix
            else None,
        )
    ]


def _draft(
    record: ProductRecord,
    field_name: str,
    current: str,
    proposed: str,
    confidence: float,
    evidence: tuple[Evidence, ...],
) -> ProposalDraft:
    return ProposalDraft(
        product_id=record.id,
        field=field_name,
        current_value=current,
        proposed_value=proposed,
        source_agent=AGENT,
        confidence=round(confidence, 4),
        product_etag=record.etag,
        evidence=evidence,
    )


def classifications_by_id(
    records: Sequence[ProductRecord], classify_many: Callable[[list[tuple[str, str]]], list[Classification]] | None
) -> Mapping[str, Classification]:
    if classify_many is None:
        return {}
    found = classify_many([(r.id, r.text()) for r in records])
    return {r.id: c for r, c in zip(records, found, strict=True)}
