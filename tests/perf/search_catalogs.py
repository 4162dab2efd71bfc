"""Generated catalogs for the search benchmarks: the demo catalog repeated under other seeds (each
seed words its descriptions, prices and stock differently) with SKUs made unique, up to any size."""

from __future__ import annotations

import dataclasses

from hph.agents.catalog_search.demo_documents import category_paths, document
from hph.agents.catalog_search.documents import SearchDocument
from hph.commerce.demo_data import DEFAULT_SEED, generate_catalog


def generated_documents(count: int) -> list[SearchDocument]:
    docs: list[SearchDocument] = []
    seed = DEFAULT_SEED
    paths = None
    while len(docs) < count:
        catalog = generate_catalog(seed)
        paths = paths or category_paths(catalog.categories)
        for product in catalog.products:
            if len(docs) == count:
                break
            doc = document(product, paths)
            unique = doc if seed == DEFAULT_SEED else dataclasses.replace(doc, product_id=f"{doc.product_id}-{seed}")
            docs.append(unique)
        seed += 1
    return docs
