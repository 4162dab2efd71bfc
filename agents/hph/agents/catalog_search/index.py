"""The search index: tantivy (BM25, filters, facet aggregations, in RAM) plus the small in-process
tables the answers need beside it (documents by ordinal, vocabulary with document frequencies for
typo correction, type-ahead entries).

Everything runs on the caller's thread: the agent mutates and searches it from its event loop only,
and the first build runs on a worker thread on an index nobody searches yet.

Ranking is tantivy's BM25 over five analysed fields with field boosts, each query word a
disjunction-max over the fields (and its synonyms), multiplied in tantivy by the document's boost
multiplier (`weight_by_field`; see documents.tantivy_weight). The hits of a result window are then
put in the total order (score, product id) in Python, so pages are stable.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import tantivy
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hph.agents.catalog_search import analysis, paging
from hph.agents.catalog_search.documents import Boosts, SearchDocument, boosts_of, tantivy_weight
from hph.agents.catalog_search.query import Concept, QueryPlan

# Text fields with their BM25 boosts: a word in the name says more than one in the description.
FIELD_BOOSTS: Mapping[str, float] = {"name": 3.0, "category": 2.0, "brand": 2.0, "tags": 1.5, "description": 0.5}
# A synonym matches a little less than the word itself.
ALTERNATIVE_BOOST = 0.8
# Dis-max tie breaker: a word found in several fields scores its best field plus this share of the others.
FIELD_TIE_BREAKER = 0.2
# The deepest result a query pages to (as search engines' result windows); total_size still counts all.
MAX_RESULT_WINDOW = 1000
# Extra hits fetched past a page, so ties at its end are put in id order among all of them.
TIE_MARGIN = 32
# Price bands of the price facet, minor units [low, high); None = unbounded.
PRICE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 2500),
    (2500, 5000),
    (5000, 10000),
    (10000, 20000),
    (20000, None),
)
# Values per facet (most products first), as a results page shows.
FACET_SIZE = 20
SUGGESTION_CANDIDATES = 200
# Products whose analysed fields are kept for explaining hits (which fields and words matched):
# analysing a hit's description again at every query was a quarter of an uncached search.
FIELD_TERMS_ENTRIES = 4096
# Facet counts kept per (query words, relaxed, filters) until the next commit: every page of a query,
# and the catalog's `?search=` beside `/api/search`, count the same facets.
FACET_ENTRIES = 1024
WRITER_HEAP_BYTES = 64_000_000


@dataclass(frozen=True)
class Filters:
    """What the hits are narrowed to; brands are folded (lower case)."""

    category: str = ""
    min_price_minor: int | None = None
    max_price_minor: int | None = None
    in_stock: bool = False
    brands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    doc: SearchDocument
    score: float
    text_score: float
    boosts: Boosts
    matched_fields: tuple[str, ...]
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool
    min_price_minor: int | None = None
    max_price_minor: int | None = None


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    next_cursor: paging.Cursor | None
    facets: dict[str, list[FacetCount]]
    relaxed: bool


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "product", "category" or "brand"
    id: str
    product_count: int


@dataclass
class _Vocabulary:
    frequencies: Counter[str] = field(default_factory=Counter)
    surfaces: dict[str, Counter[str]] = field(default_factory=dict)
    _choices: list[str] | None = None

    def add(self, field_words: Mapping[str, Sequence[str]], sign: int) -> None:
        """Counts (sign +1) or uncounts (-1) one document given the folded words of its fields."""
        seen: dict[str, str] = {}
        for words in field_words.values():
            for word in words:
                seen.setdefault(analysis.stem(word), word)
        for term, word in seen.items():
            before = self.frequencies[term]
            self.frequencies[term] += sign
            surfaces = self.surfaces.get(term)
            if surfaces is None:
                surfaces = self.surfaces[term] = Counter()
            surfaces[word] += sign
            if self.frequencies[term] <= 0:
                del self.frequencies[term]
                self.surfaces.pop(term, None)
                self._choices = None
            elif before <= 0:
                self._choices = None

    def choices(self) -> list[str]:
        if self._choices is None:
            self._choices = sorted(self.frequencies)
        return self._choices


def _texts(doc: SearchDocument) -> dict[str, str]:
    return {
        "name": doc.name,
        "brand": doc.brand,
        "description": doc.description,
        "tags": " ".join(doc.tags),
        "category": " ".join(doc.category_names),
    }


def _field_words(doc: SearchDocument) -> dict[str, list[str]]:
    return {name: analysis.words(text) for name, text in _texts(doc).items()}


def _tails(name: str) -> list[str]:
    """The name from each of its words on, folded: what a type-ahead prefix may start."""
    words = analysis.words(name)
    return [" ".join(words[i:]) for i in range(len(words))]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw")
    builder.add_unsigned_field("ord", fast=True)
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("category_ids", tokenizer_name="raw", fast=True)
    builder.add_text_field("brand_key", tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("price_minor", indexed=True, fast=True)
    builder.add_boolean_field("in_stock", indexed=True, fast=True)
    builder.add_float_field("weight", fast=True)
    return builder.build()


def _indexed_form(doc: SearchDocument) -> tuple[SearchDocument, float]:
    """What of `doc` the tantivy index and the counts hold: all but the stock count and the units
    sold, which reach it only through the stock flag and the ranking weight."""
    return dataclasses.replace(doc, available=None, units_sold=0), tantivy_weight(boosts_of(doc).multiplier)


class SearchIndex:
    """The index of active products; `commit()` makes changes visible to searches."""

    def __init__(self) -> None:
        self._schema = _schema()
        self._index = tantivy.Index(self._schema)
        self._writer = self._index.writer(WRITER_HEAP_BYTES, 1)
        self._searcher = self._index.searcher()
        self._docs: dict[str, SearchDocument] = {}
        self._ord_of: dict[str, int] = {}
        self._by_ord: dict[int, SearchDocument] = {}
        # Ordinals of replaced versions: the current searcher may still return them until a commit.
        self._retired: list[int] = []
        self._next_ord = 0
        self._vocabulary = _Vocabulary()
        self._brand_counts: Counter[str] = Counter()
        self._brand_names: dict[str, Counter[str]] = {}
        self._category_counts: Counter[str] = Counter()
        self._category_names: dict[str, str] = {}
        self._tails: list[tuple[str, str]] = []
        self._facet_counts: dict[tuple[object, ...], dict[str, list[FacetCount]]] = {}
        # Product id -> (the document version, its fields' term sets); see FIELD_TERMS_ENTRIES.
        self._field_terms: OrderedDict[str, tuple[SearchDocument, tuple[tuple[str, frozenset[str]], ...]]] = (
            OrderedDict()
        )
        # While bulk loading, type-ahead entries are appended and sorted once at the end.
        self._bulk = False
        self._dirty = False

    # --- writing ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, product_id: str) -> SearchDocument | None:
        return self._docs.get(product_id)

    def documents(self) -> Iterable[SearchDocument]:
        return self._docs.values()

    def upsert(self, doc: SearchDocument) -> None:
        """Adds the product or replaces its previous version (visible after `commit`)."""
        self._forget(doc.product_id)
        ordinal = self._next_ord
        self._next_ord += 1
        self._docs[doc.product_id] = doc
        self._ord_of[doc.product_id] = ordinal
        self._by_ord[ordinal] = doc
        field_words = _field_words(doc)
        self._writer.add_document(self._tantivy_document(doc, ordinal, field_words))
        self._count(doc, field_words, +1)
        self._dirty = True

    def revise(self, doc: SearchDocument) -> bool:
        """Replaces the product's stored document, and re-indexes it only when something the index
        holds changed (text, categories, brand, price, the stock flag or the ranking weight): a
        stock count or a sale that moves none of them (most of an order's stock events) costs a
        dictionary write, not a delete and re-add with every word counted again. True when the
        change waits for `commit`; a product not indexed yet is added."""
        old = self._docs.get(doc.product_id)
        if old is None or _indexed_form(old) != _indexed_form(doc):
            self.upsert(doc)
            return True
        self._docs[doc.product_id] = doc
        self._by_ord[self._ord_of[doc.product_id]] = doc
        return False

    def upsert_many(self, docs: Iterable[SearchDocument]) -> None:
        """Bulk load: like `upsert` each, with the type-ahead table sorted once at the end."""
        self._bulk = True
        try:
            for doc in docs:
                self.upsert(doc)
        finally:
            self._bulk = False
            self._tails.sort()

    def remove(self, product_id: str) -> bool:
        """Drops the product (visible after `commit`); False when it was not indexed."""
        if product_id not in self._docs:
            return False
        self._forget(product_id)
        self._dirty = True
        return True

    @property
    def uncommitted(self) -> bool:
        """Whether changes wait for `commit` to become searchable."""
        return self._dirty

    def commit(self) -> bool:
        """Makes every change since the last commit searchable; False when there was none."""
        if not self._dirty:
            return False
        self._writer.commit()
        self._index.reload()
        self._searcher = self._index.searcher()
        self._facet_counts.clear()  # counted on the previous searcher
        for ordinal in self._retired:
            self._by_ord.pop(ordinal, None)
        self._retired.clear()
        self._dirty = False
        return True

    def _forget(self, product_id: str) -> None:
        old = self._docs.pop(product_id, None)
        if old is None:
            return
        self._retired.append(self._ord_of.pop(product_id))
        self._writer.delete_documents_by_term("id", product_id)
        self._field_terms.pop(product_id, None)
        self._count(old, _field_words(old), -1)

    def _count(self, doc: SearchDocument, field_words: Mapping[str, Sequence[str]], sign: int) -> None:
        self._vocabulary.add(field_words, sign)
        brand_key = analysis.fold(doc.brand)
        if brand_key:
            self._brand_counts[brand_key] += sign
            names = self._brand_names.setdefault(brand_key, Counter())
            names[doc.brand] += sign
            if self._brand_counts[brand_key] <= 0:
                del self._brand_counts[brand_key]
                del self._brand_names[brand_key]
        for category_id, name in zip(doc.category_path, doc.category_names, strict=False):
            self._category_counts[category_id] += sign
            self._category_names[category_id] = name
            if self._category_counts[category_id] <= 0:
                del self._category_counts[category_id]
        for tail in _tails(doc.name):
            entry = (tail, doc.product_id)
            if sign > 0 and self._bulk:
                self._tails.append(entry)
            elif sign > 0:
                bisect.insort(self._tails, entry)
            else:
                at = bisect.bisect_left(self._tails, entry)
                if at < len(self._tails) and self._tails[at] == entry:
                    del self._tails[at]

    def _tantivy_document(
        self, doc: SearchDocument, ordinal: int, field_words: Mapping[str, Sequence[str]]
    ) -> tantivy.Document:
        document = tantivy.Document()
        document.add_text("id", doc.product_id)
        document.add_unsigned("ord", ordinal)
        for name, words in field_words.items():
            document.add_text(name, " ".join(analysis.stem(w) for w in words))
        for category_id in doc.category_path:
            document.add_text("category_ids", category_id)
        document.add_text("brand_key", analysis.fold(doc.brand))
        document.add_unsigned("price_minor", doc.price_minor)
        document.add_boolean("in_stock", doc.in_stock)
        document.add_float("weight", tantivy_weight(boosts_of(doc).multiplier))
        return document

    # --- vocabulary (query.Vocabulary) ------------------------------------------------------

    def document_frequency(self, term: str) -> int:
        return self._vocabulary.frequencies.get(term, 0)

    def nearest(self, term: str, max_distance: int) -> tuple[str, int] | None:
        found = process.extract(
            term, self._vocabulary.choices(), scorer=OSA.distance, score_cutoff=max_distance, limit=20
        )
        if not found:
            return None
        best = min(found, key=lambda m: (m[1], -self.document_frequency(m[0]), m[0]))
        return best[0], int(best[1])

    def surface(self, term: str) -> str:
        surfaces = self._vocabulary.surfaces.get(term)
        return surfaces.most_common(1)[0][0] if surfaces else term

    # --- searching --------------------------------------------------------------------------

    def search(
        self,
        plan: QueryPlan,
        filters: Filters,
        *,
        page_size: int,
        cursor: paging.Cursor | None,
        reuse_facets: bool = True,
    ) -> SearchResult:
        """A page of hits in (score, id) order with the facets; `reuse_facets=False` counts them anew
        even when this query's were counted since the last commit."""
        if plan.matches_nothing:
            return SearchResult([], 0, None, self._empty_facets(filters), relaxed=False)
        filter_queries = self._filter_queries(filters)
        text = self._text_query(plan.concepts, relaxed=False)
        relaxed = False
        query = self._and(text, *filter_queries.values())
        offset_hint = cursor.offset if cursor else 0
        window, total = self._window(query, offset_hint + page_size)
        if total == 0 and len(plan.concepts) > 1:
            relaxed_text = self._text_query(plan.concepts, relaxed=True)
            relaxed_query = self._and(relaxed_text, *filter_queries.values())
            window, total = self._window(relaxed_query, offset_hint + page_size)
            if total:
                text, query, relaxed = relaxed_text, relaxed_query, True
        start = 0
        if cursor is not None:
            start = _after(window, cursor)
            if start + page_size >= len(window) and len(window) < min(total, MAX_RESULT_WINDOW):
                window, total = self._window(query, MAX_RESULT_WINDOW)
                start = _after(window, cursor)
        page = window[start : start + page_size]
        more = start + page_size < min(total, MAX_RESULT_WINDOW)
        next_cursor = None
        if page and more:
            last = page[-1]
            next_cursor = paging.Cursor(last[0], last[1].product_id, start + len(page))
        wanted = frozenset(t for c in plan.concepts for t in c.terms)
        hits = [self._hit(score, doc, bool(plan.concepts), wanted) for score, doc in page]
        key = (tuple((c.term, c.alternatives) for c in plan.concepts), relaxed, filters)
        facets = self._facet_counts.get(key) if reuse_facets else None
        if facets is None:
            facets = self._facets(text, filters, filter_queries)
            if len(self._facet_counts) >= FACET_ENTRIES:
                self._facet_counts.clear()
            self._facet_counts[key] = facets
        return SearchResult(hits, total, next_cursor, facets, relaxed)

    def _window(self, query: tantivy.Query, needed: int) -> tuple[list[tuple[float, SearchDocument]], int]:
        """The best hits up to `needed` (and the ties at its end) in result order, and the match count."""
        limit = min(MAX_RESULT_WINDOW, needed + TIE_MARGIN)
        while True:
            result = self._searcher.search(query, limit, count=True, weight_by_field="weight")
            addresses = [address for _, address in result.hits]
            ordinals = self._searcher.fast_field_values("ord", addresses)
            window = [
                (paging.rounded(score), self._by_ord[int(ordinal or 0)])
                for (score, _), ordinal in zip(result.hits, ordinals, strict=True)
            ]
            total = int(getattr(result, "count", 0) or 0)  # tantivy's stubs omit `count`
            # A tie running past the fetched hits may hide smaller ids: fetch on until it ends.
            if len(window) < limit or limit >= MAX_RESULT_WINDOW or needed >= len(window):
                break
            if window[-1][0] != window[min(needed, len(window)) - 1][0]:
                break
            limit = min(MAX_RESULT_WINDOW, limit * 4)
        window.sort(key=_order)
        return window, total

    def _hit(self, score: float, doc: SearchDocument, has_words: bool, wanted: frozenset[str]) -> Hit:
        boosts = boosts_of(doc)
        fields: list[str] = []
        matched: list[str] = []
        for name, field_terms in self._terms_of(doc):
            found = wanted.intersection(field_terms)
            if found:
                fields.append(name)
                matched.extend(t for t in sorted(found) if t not in matched)
        text_score = score / boosts.multiplier if has_words else 0.0
        return Hit(doc, score, text_score, boosts, tuple(fields), tuple(matched))

    def _terms_of(self, doc: SearchDocument) -> tuple[tuple[str, frozenset[str]], ...]:
        """The index terms of each text field of this version of `doc` (a replaced product is another
        SearchDocument object, so an entry never outlives its version)."""
        entry = self._field_terms.get(doc.product_id)
        if entry is not None and entry[0] is doc:
            self._field_terms.move_to_end(doc.product_id)
            return entry[1]
        field_terms = tuple((name, frozenset(analysis.terms(text))) for name, text in _texts(doc).items())
        self._field_terms[doc.product_id] = (doc, field_terms)
        self._field_terms.move_to_end(doc.product_id)
        if len(self._field_terms) > FIELD_TERMS_ENTRIES:
            self._field_terms.popitem(last=False)
        return field_terms

    def _text_query(self, concepts: Sequence[Concept], *, relaxed: bool) -> tantivy.Query:
        if not concepts:
            return tantivy.Query.all_query()
        clauses = [self._concept_query(c) for c in concepts]
        if not relaxed:
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])
        needed = max(1, math.ceil(len(clauses) / 2))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses], needed)

    def _concept_query(self, concept: Concept) -> tantivy.Query:
        per_field = []
        for name, boost in FIELD_BOOSTS.items():
            alternatives = [
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(self._schema, name, term, index_option="freq"),
                    boost * (1.0 if term == concept.term else ALTERNATIVE_BOOST),
                )
                for term in concept.terms
            ]
            per_field.append(
                alternatives[0]
                if len(alternatives) == 1
                else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in alternatives])
            )
        return tantivy.Query.disjunction_max_query(per_field, FIELD_TIE_BREAKER)

    def _filter_queries(self, filters: Filters) -> dict[str, tantivy.Query]:
        """One query per filtered dimension (category, brand, price, availability)."""
        queries: dict[str, tantivy.Query] = {}
        if filters.category:
            queries["category"] = tantivy.Query.term_query(self._schema, "category_ids", filters.category)
        if filters.brands:
            queries["brand"] = tantivy.Query.term_set_query(self._schema, "brand_key", list(filters.brands))
        if filters.min_price_minor is not None or filters.max_price_minor is not None:
            queries["price"] = tantivy.Query.range_query(
                self._schema,
                "price_minor",
                tantivy.FieldType.Unsigned,
                max(0, filters.min_price_minor) if filters.min_price_minor is not None else None,
                max(0, filters.max_price_minor) if filters.max_price_minor is not None else None,
            )
        if filters.in_stock:
            queries["availability"] = tantivy.Query.term_query(self._schema, "in_stock", True)
        return queries

    @staticmethod
    def _and(first: tantivy.Query, *others: tantivy.Query) -> tantivy.Query:
        if not others:
            return first
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (first, *others)])

    # --- facets -----------------------------------------------------------------------------

    def _facets(
        self, text: tantivy.Query, filters: Filters, filter_queries: Mapping[str, tantivy.Query]
    ) -> dict[str, list[FacetCount]]:
        """Each facet counted with every filter but its own, so a shopper sees the other values they
        could switch to; the facets of unfiltered dimensions share one aggregation."""
        specs = {
            "category": {"terms": {"field": "category_ids", "size": FACET_SIZE}},
            "brand": {"terms": {"field": "brand_key", "size": FACET_SIZE}},
            "price": {
                "range": {
                    "field": "price_minor",
                    "ranges": [
                        {"from": low, **({"to": high} if high is not None else {})} for low, high in PRICE_BANDS
                    ],
                }
            },
            "availability": {"terms": {"field": "in_stock"}},
        }
        raw: dict[str, dict[str, object]] = {}
        shared = [name for name in specs if name not in filter_queries]
        if shared:
            answer = self._searcher.aggregate(
                self._and(text, *filter_queries.values()), {name: specs[name] for name in shared}
            )
            raw.update({name: answer.get(name, {}) for name in shared})
        for name in filter_queries:
            others = [q for other, q in filter_queries.items() if other != name]
            raw[name] = self._searcher.aggregate(self._and(text, *others), {name: specs[name]}).get(name, {})
        return {
            "category": self._category_facet(raw["category"], filters),
            "brand": self._brand_facet(raw["brand"], filters),
            "price": self._price_facet(raw["price"], filters),
            "availability": self._availability_facet(raw["availability"], filters),
        }

    def _empty_facets(self, filters: Filters) -> dict[str, list[FacetCount]]:
        return {"category": [], "brand": [], "price": [], "availability": []}

    def _category_facet(self, raw: Mapping[str, object], filters: Filters) -> list[FacetCount]:
        return [
            FacetCount(key, self._category_names.get(key, key), count, key == filters.category)
            for key, count in _buckets(raw)
        ]

    def _brand_facet(self, raw: Mapping[str, object], filters: Filters) -> list[FacetCount]:
        return [
            FacetCount(self._brand_label(key), self._brand_label(key), count, key in filters.brands)
            for key, count in _buckets(raw)
        ]

    def _brand_label(self, key: str) -> str:
        names = self._brand_names.get(key)
        # most_common(1) without its heap: the first spelling with the highest count, as it picks.
        return max(names.items(), key=_count_of)[0] if names else key

    def _price_facet(self, raw: Mapping[str, object], filters: Filters) -> list[FacetCount]:
        # Buckets by their lower bound (an index without documents answers none).
        buckets = raw.get("buckets", [])
        assert isinstance(buckets, list)
        by_low = {int(b.get("from", 0)): int(b["doc_count"]) for b in buckets}
        facet = []
        for low, high in PRICE_BANDS:
            count = by_low.get(low, 0)
            if not count:
                continue
            value = f"{low // 100}-{high // 100 if high is not None else ''}"
            label = f"${low // 100} to ${high // 100}" if high is not None else f"${low // 100} and up"
            top = filters.max_price_minor is None if high is None else filters.max_price_minor == high - 1
            selected = (filters.min_price_minor or 0) == low and top and filters != Filters(category=filters.category)
            facet.append(FacetCount(value, label, count, selected, low, high))
        return facet

    def _availability_facet(self, raw: Mapping[str, object], filters: Filters) -> list[FacetCount]:
        facet = []
        for key, count in _buckets(raw):
            in_stock = key in ("true", "1", True, 1)
            facet.append(
                FacetCount(
                    "in_stock" if in_stock else "out_of_stock",
                    "In stock" if in_stock else "Out of stock",
                    count,
                    filters.in_stock and in_stock,
                )
            )
        return sorted(facet, key=lambda f: f.value)

    # --- type-ahead -------------------------------------------------------------------------

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        """Categories and brands with a word starting the prefix, then product names, each by count."""
        wanted = " ".join(analysis.words(prefix))
        if prefix[-1:].isspace():
            wanted += " "
        if not wanted.strip():
            return []
        found: list[Suggestion] = []
        for category_id, count in self._category_counts.items():
            name = self._category_names.get(category_id, category_id)
            if _completes(name, wanted):
                found.append(Suggestion(name, "category", category_id, count))
        for brand_key, count in self._brand_counts.items():
            if _completes(brand_key, wanted):
                found.append(Suggestion(self._brand_label(brand_key), "brand", self._brand_label(brand_key), count))
        found.sort(key=lambda s: (-s.product_count, s.text))
        products: dict[str, SearchDocument] = {}
        at = bisect.bisect_left(self._tails, (wanted, ""))
        while at < len(self._tails) and len(products) < SUGGESTION_CANDIDATES:
            tail, product_id = self._tails[at]
            if not tail.startswith(wanted):
                break
            products[product_id] = self._docs[product_id]
            at += 1
        ranked = sorted(products.values(), key=lambda d: (-boosts_of(d).multiplier, d.name, d.product_id))
        groups = found[: max(1, limit // 2)]
        groups += [Suggestion(d.name, "product", d.product_id, 1) for d in ranked[: limit - len(groups)]]
        return groups[:limit]


def _after(window: Sequence[tuple[float, SearchDocument]], cursor: paging.Cursor) -> int:
    """Where the page after `cursor` starts: right after its product when that is still in the
    window (any index change moves every BM25 score a little, as document counts change, so the
    product anchors the page, not its old score); else after its (score, id) position."""
    for position, (_, doc) in enumerate(window):
        if doc.product_id == cursor.product_id:
            return position + 1
    return bisect.bisect_right(window, paging.sort_key(cursor.score, cursor.product_id), key=_order)


def _count_of(item: tuple[str, int]) -> int:
    return item[1]


def _order(entry: tuple[float, SearchDocument]) -> tuple[float, str]:
    return paging.sort_key(entry[0], entry[1].product_id)


def _buckets(raw: Mapping[str, object]) -> list[tuple[str, int]]:
    buckets = raw.get("buckets", [])
    assert isinstance(buckets, list)
    pairs = [(str(b.get("key_as_string", b["key"])), int(b["doc_count"])) for b in buckets]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def _completes(name: str, wanted: str) -> bool:
    return any(tail.startswith(wanted) for tail in _tails(name))
