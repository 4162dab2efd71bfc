"""Search documents straight from the deterministic demo catalog (hph.commerce.demo_data): what
`hph eval` and the benchmarks index without running the services, and what the generated large
catalogs of the benchmarks are made of."""

from __future__ import annotations

from collections.abc import Iterable

from hph.agents.catalog_search.documents import SearchDocument
from hph.commerce.demo_data import DemoCatalog, DemoCategory, DemoProduct


def category_paths(categories: Iterable[DemoCategory]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each category's (ids, names) from itself up to its top level."""
    by_id = {c.id: c for c in categories}
    paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for category in by_id.values():
        ids: list[str] = []
        names: list[str] = []
        current: DemoCategory | None = category
        while current is not None and current.id not in ids:
            ids.append(current.id)
            names.append(current.name)
            current = by_id.get(current.parent_id)
        paths[category.id] = (tuple(ids), tuple(names))
    return paths


def document(product: DemoProduct, paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> SearchDocument:
    ids, names = paths[product.category_id]
    available = product.stock_on_hand
    return SearchDocument(
        product_id=product.id,
        name=product.name,
        brand=product.brand,
        description=product.description,
        tags=product.tags,
        category_id=product.category_id,
        category_path=ids,
        category_names=names,
        price_minor=product.price_minor,
        currency_code=product.currency_code,
        image_url=product.image_url,
        in_stock=available > 0,
        available=available,
    )


def documents(catalog: DemoCatalog) -> list[SearchDocument]:
    paths = category_paths(catalog.categories)
    return [document(p, paths) for p in catalog.products]
