"""The catalog-search engine's rules: analysis, synonyms data, price intents, typo tolerance, filters,
facets, boosts and stable pagination, on an index of the demo catalog (tantivy in memory)."""

from __future__ import annotations

import dataclasses

import pytest

from hph.agents.catalog_search import analysis, evaluation, paging
from hph.agents.catalog_search.demo_documents import documents
from hph.agents.catalog_search.documents import boosts_of, tantivy_weight
from hph.agents.catalog_search.index import Filters, SearchIndex
from hph.agents.catalog_search.query import RewriteKind, Synonyms, plan_query, price_intent
from hph.commerce.demo_data import generate_catalog

pytestmark = pytest.mark.unit

SYNONYMS = Synonyms.shipped()


@pytest.fixture(scope="module")
def demo_docs() -> list:  # type: ignore[type-arg]
    return documents(generate_catalog())


@pytest.fixture(scope="module")
def index(demo_docs: list) -> SearchIndex:  # type: ignore[type-arg]
    built = SearchIndex()
    built.upsert_many(demo_docs)
    built.commit()
    return built


NO_FILTERS = Filters()


def search(index: SearchIndex, text: str, filters: Filters = NO_FILTERS, page_size: int = 20, cursor=None):  # type: ignore[no-untyped-def]
    plan = plan_query(text, index, SYNONYMS)
    merged = dataclasses.replace(
        filters,
        min_price_minor=filters.min_price_minor if filters.min_price_minor is not None else plan.min_price_minor,
        max_price_minor=filters.max_price_minor if filters.max_price_minor is not None else plan.max_price_minor,
    )
    return plan, index.search(plan, merged, page_size=page_size, cursor=cursor)


# --- analysis ----------------------------------------------------------------------------------


def test_analysis_folds_accents_splits_on_punctuation_and_stems_plurals() -> None:
    assert analysis.terms("Noël 100-LED Fairy Lights & Berries") == ["noel", "100", "led", "fairy", "light", "berry"]
    assert analysis.stem("boxes") == "box"
    assert analysis.stem("glass") == "glass"
    assert analysis.stem("christmas") == "christmas"
    assert analysis.stem("pajamas") == "pajama"
    assert analysis.stem("gas") == "gas"  # too short to stem


# --- synonyms and price intents ----------------------------------------------------------------


def test_the_shipped_synonyms_carry_the_holiday_vocabulary() -> None:
    assert SYNONYMS.replace[("xmas",)] == "christmas"
    assert SYNONYMS.replace[("lites",)] == "lights"
    assert SYNONYMS.replace[("tv",)] == "television"
    assert "father" in SYNONYMS.groups["dad"]


def test_a_malformed_synonyms_table_is_refused_naming_the_entry() -> None:
    with pytest.raises(ValueError, match="needs at least two words"):
        Synonyms.parse({"equivalent": [["alone"]]})
    with pytest.raises(ValueError, match=r"'a b c d' must be 1\.\.3 words"):
        Synonyms.parse({"replace": {"a b c d": "x"}})


@pytest.mark.parametrize(
    ("text", "low", "high", "rest"),
    [
        ("headphones under $100", None, 9999, "headphones"),
        ("candles under 25 dollars", None, 2499, "candles"),
        ("jewelry over 100", 10001, None, "jewelry"),
        ("board games between 20 and 40", 2000, 4000, "board games"),
        ("wreath $30-$60", 3000, 6000, "wreath"),
        ("gifts up to 50", None, 5000, "gifts"),
        ("100-led fairy lights", None, None, "100-led fairy lights"),
        ("12-pack glass ornament set", None, None, "12-pack glass ornament set"),
    ],
)
def test_price_words_become_a_price_filter_and_bare_numbers_do_not(
    text: str, low: int | None, high: int | None, rest: str
) -> None:
    remaining, found_low, found_high, _ = price_intent(text)
    assert (found_low, found_high) == (low, high)
    assert remaining == rest


def test_xmas_lites_is_rewritten_to_christmas_lights(index: SearchIndex) -> None:
    plan = plan_query("xmas lites", index, SYNONYMS)
    assert plan.effective == "christmas lights"
    assert [(r.kind, r.original, r.rewritten) for r in plan.rewrites] == [
        (RewriteKind.SYNONYM, "xmas", "christmas"),
        (RewriteKind.SYNONYM, "lites", "lights"),
    ]


def test_a_word_absent_from_the_catalog_searches_its_equivalents(index: SearchIndex) -> None:
    plan = plan_query("gifts for dad", index, SYNONYMS)
    dad = plan.concepts[-1]
    assert dad.typed == "dad"
    assert "him" in dad.terms
    assert plan.rewrites[0].kind is RewriteKind.SYNONYM


# --- typo tolerance ----------------------------------------------------------------------------


def test_typos_are_corrected_to_the_nearest_catalog_word(index: SearchIndex) -> None:
    plan = plan_query("chrismas lihgts", index, SYNONYMS)
    assert plan.effective == "christmas lights"
    assert [r.kind for r in plan.rewrites] == [RewriteKind.TYPO, RewriteKind.TYPO]
    assert "1 edit" in plan.rewrites[0].reason


def test_short_words_are_never_corrected_and_unknown_words_are_dropped(index: SearchIndex) -> None:
    plan = plan_query("zqx", index, SYNONYMS)
    assert plan.concepts == ()
    assert plan.matches_nothing
    _, result = search(index, "zqxwvbn")
    assert result.total == 0 and result.hits == []


# --- ranking, filters, facets ------------------------------------------------------------------


def test_every_hit_of_a_filtered_search_satisfies_every_filter(index: SearchIndex) -> None:
    filters = Filters(category="home-holiday-decor", in_stock=True, min_price_minor=2000, max_price_minor=6000)
    _, result = search(index, "christmas", filters, page_size=100)
    assert result.hits
    for hit in result.hits:
        assert "home-holiday-decor" in hit.doc.category_path
        assert hit.doc.in_stock
        assert 2000 <= hit.doc.price_minor <= 6000


def test_a_category_filter_includes_its_subcategories(index: SearchIndex, demo_docs: list) -> None:  # type: ignore[type-arg]
    _, result = search(index, "", Filters(category="kitchen-entertaining"), page_size=100)
    expected = {d.product_id for d in demo_docs if "kitchen-entertaining" in d.category_path}
    assert result.total == len(expected)
    assert {h.doc.category_id for h in result.hits} == {"cookware", "bakeware", "serveware"}


def test_brand_filter_is_case_insensitive(index: SearchIndex) -> None:
    _, result = search(index, "lights", Filters(brands=("aurora",)), page_size=100)
    assert result.hits and {h.doc.brand for h in result.hits} == {"Aurora"}


def test_facets_count_the_matches_and_each_ignores_its_own_filter(index: SearchIndex) -> None:
    _, unfiltered = search(index, "lights")
    _, by_brand = search(index, "lights", Filters(brands=("aurora",)))
    brands = {v.value: v.count for v in by_brand.facets["brand"]}
    assert brands == {v.value: v.count for v in unfiltered.facets["brand"]}  # the brand facet ignores the brand filter
    assert [v.value for v in by_brand.facets["brand"] if v.selected] == ["Aurora"]
    assert sum(v.count for v in by_brand.facets["availability"]) == by_brand.total
    assert sum(v.count for v in by_brand.facets["price"]) == by_brand.total
    categories = {v.value: v.count for v in unfiltered.facets["category"]}
    assert categories["string-lights"] <= categories["home-holiday-decor"]


def test_in_stock_products_outrank_an_otherwise_equal_out_of_stock_one(demo_docs: list) -> None:  # type: ignore[type-arg]
    base = demo_docs[0]
    twins = [
        dataclasses.replace(base, product_id="TWN-0001", in_stock=False),
        dataclasses.replace(base, product_id="TWN-0002", in_stock=True),
    ]
    index = SearchIndex()
    index.upsert_many(twins)
    index.commit()
    _, result = search(index, base.name.split()[-1])
    assert [h.doc.product_id for h in result.hits] == ["TWN-0002", "TWN-0001"]
    assert result.hits[0].score == pytest.approx(result.hits[1].score * 1.3, rel=1e-3)


def test_boosts_show_every_driver_and_the_tantivy_weight_reproduces_the_multiplier(demo_docs: list) -> None:  # type: ignore[type-arg]
    doc = dataclasses.replace(demo_docs[0], in_stock=True, rating=5.0, review_count=10, units_sold=200)
    boosts = boosts_of(doc)
    assert [b.name for b in boosts.items] == ["in_stock_boost", "rating_boost", "popularity_boost"]
    assert boosts.multiplier == pytest.approx(1.75)
    import math

    assert math.log2(2 + tantivy_weight(boosts.multiplier)) == pytest.approx(1.75)
    assert boosts_of(dataclasses.replace(doc, in_stock=False, review_count=0, units_sold=0)).multiplier == 1.0


def test_no_product_has_every_word_then_most_of_them_are_enough(index: SearchIndex) -> None:
    _, result = search(index, "shovel beanie")
    assert result.relaxed and result.total > 0


# --- pagination --------------------------------------------------------------------------------


def test_pages_are_in_score_then_id_order_without_repeats_or_gaps(index: SearchIndex) -> None:
    _, everything = search(index, "gift", page_size=100)
    seen: list[str] = []
    cursor = None
    while True:
        _, page = search(index, "gift", page_size=7, cursor=cursor)
        seen += [h.doc.product_id for h in page.hits]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == min(everything.total, 1000)
    assert seen[: len(everything.hits)] == [h.doc.product_id for h in everything.hits]


def test_ties_are_broken_by_product_id(index: SearchIndex) -> None:
    _, result = search(index, "", page_size=100)
    for before, after in zip(result.hits, result.hits[1:], strict=False):
        assert paging.sort_key(before.score, before.doc.product_id) < paging.sort_key(after.score, after.doc.product_id)


def test_a_page_token_is_bound_to_its_query() -> None:
    token = paging.encode(paging.Cursor(1.5, "LGT-0001", 20), paging.query_digest("lights", "", None))
    assert paging.decode(token, paging.query_digest("lights", "", None)).product_id == "LGT-0001"
    with pytest.raises(paging.BadToken, match="another query"):
        paging.decode(token, paging.query_digest("wreath", "", None))
    with pytest.raises(paging.BadToken):
        paging.decode("not-a-token", paging.query_digest("lights", "", None))


def test_a_product_changed_between_pages_is_neither_repeated_nor_skipped_for_the_others(demo_docs: list) -> None:  # type: ignore[type-arg]
    index = SearchIndex()
    index.upsert_many(demo_docs)
    index.commit()
    _, first = search(index, "ornament", page_size=5)
    moved = first.hits[0].doc
    index.upsert(dataclasses.replace(moved, in_stock=not moved.in_stock))
    index.commit()
    _, second = search(index, "ornament", page_size=5, cursor=first.next_cursor)
    first_ids = {h.doc.product_id for h in first.hits} - {moved.product_id}
    assert not first_ids & {h.doc.product_id for h in second.hits}


# --- index updates and type-ahead ---------------------------------------------------------------


def test_changes_are_searchable_after_commit_and_removed_products_are_gone(demo_docs: list) -> None:  # type: ignore[type-arg]
    index = SearchIndex()
    index.upsert_many(demo_docs[:50])
    index.commit()
    renamed = dataclasses.replace(demo_docs[0], name="Zanzibar Snow Globe")
    index.upsert(renamed)
    _, before_commit = search(index, "zanzibar")
    assert before_commit.total == 0
    index.commit()
    _, after = search(index, "zanzibar")
    assert [h.doc.product_id for h in after.hits] == [renamed.product_id]
    assert index.document_frequency("zanzibar") == 1
    index.remove(renamed.product_id)
    index.commit()
    assert search(index, "zanzibar")[1].total == 0
    assert index.document_frequency("zanzibar") == 0
    assert len(index) == 49


def test_a_stock_count_is_shown_at_once_and_only_a_flag_or_weight_change_is_reindexed(demo_docs: list) -> None:  # type: ignore[type-arg]
    index = SearchIndex()
    stocked = dataclasses.replace(demo_docs[0], in_stock=True, available=40, units_sold=0)
    index.upsert_many([stocked, *demo_docs[1:20]])
    index.commit()
    words = stocked.name.split()[0]
    # Fewer units, still in stock: the hit shows the new count with no commit, and nothing waits.
    assert index.revise(dataclasses.replace(stocked, available=39)) is False
    assert not index.uncommitted
    hits = {h.doc.product_id: h.doc for h in search(index, words)[1].hits}
    assert hits[stocked.product_id].available == 39
    # A sale moves the ranking weight (popularity): re-indexed, searchable after the commit.
    assert index.revise(dataclasses.replace(stocked, available=39, units_sold=3)) is True
    assert index.uncommitted
    index.commit()
    # Sold out: the stock flag is in the index, so the in-stock filter leaves it out after the commit.
    assert index.revise(dataclasses.replace(stocked, available=0, in_stock=False, units_sold=3)) is True
    index.commit()
    in_stock_only = search(index, words, Filters(in_stock=True))[1]
    assert stocked.product_id not in {h.doc.product_id for h in in_stock_only.hits}
    assert index.get(stocked.product_id).available == 0  # type: ignore[union-attr]


def test_a_hit_explains_the_fields_of_the_current_version_of_its_product(demo_docs: list) -> None:  # type: ignore[type-arg]
    index = SearchIndex()
    index.upsert_many(demo_docs[:50])
    index.commit()
    first = dataclasses.replace(demo_docs[0], name="Zanzibar Snow Globe", tags=())
    index.upsert(first)
    index.commit()
    hit = search(index, "zanzibar")[1].hits[0]
    assert hit.matched_fields == ("name",) and hit.matched_terms == ("zanzibar",)
    # The analysed fields of a hit are kept per product: a new version is analysed anew.
    moved = dataclasses.replace(first, name="Snow Globe", tags=("zanzibar",))
    index.upsert(moved)
    index.commit()
    hit = search(index, "zanzibar")[1].hits[0]
    assert hit.doc is moved and hit.matched_fields == ("tags",)


def test_facets_are_counted_once_per_query_and_anew_after_each_commit(demo_docs: list) -> None:  # type: ignore[type-arg]
    index = SearchIndex()
    index.upsert_many(demo_docs)
    index.commit()
    _, first = search(index, "gift", page_size=5)
    _, second = search(index, "gift", page_size=5, cursor=first.next_cursor)
    assert second.facets is first.facets  # the next page counts nothing again

    top = first.hits[0].doc
    changed = dataclasses.replace(top, brand="Zanzibar Goods", in_stock=not top.in_stock)
    index.upsert(changed)
    assert search(index, "gift", page_size=5)[1].facets is first.facets  # not searchable until the commit
    index.commit()
    _, after = search(index, "gift", page_size=5)
    # Counted anew, exactly as an index built with the change from the start counts them.
    fresh = SearchIndex()
    fresh.upsert_many([changed if d.product_id == changed.product_id else d for d in demo_docs])
    fresh.commit()
    assert after.facets != first.facets
    assert after.facets == search(fresh, "gift", page_size=5)[1].facets


def test_an_empty_index_answers_with_no_hits_and_empty_facets() -> None:
    empty = SearchIndex()
    empty.commit()
    for text in ("", "lights"):
        _, result = search(empty, text, Filters(in_stock=True, brands=("aurora",), min_price_minor=100))
        assert result.total == 0 and result.hits == []
        assert all(values == [] for values in result.facets.values())
    assert empty.suggest("a", 5) == []


def test_suggest_completes_categories_brands_and_product_names(index: SearchIndex) -> None:
    suggestions = index.suggest("wrea", 6)
    assert suggestions[0].kind == "category" and suggestions[0].id == "wreaths-garlands"
    assert all(s.kind == "product" and "wreath" in s.text.lower() for s in suggestions[1:])
    brands = index.suggest("auro", 4)
    assert brands[0].kind == "brand" and brands[0].text == "Aurora"
    assert index.suggest("   ", 5) == []


# --- evaluation --------------------------------------------------------------------------------


def test_metrics_reward_relevant_products_ranked_first() -> None:
    grades = {"a": 3, "b": 1}
    assert evaluation.ndcg_at(["a", "b"], grades) == pytest.approx(1.0)
    assert evaluation.ndcg_at(["b", "a"], grades) < 1.0
    assert evaluation.ndcg_at(["x", "y"], grades) == 0.0
    assert evaluation.reciprocal_rank(["x", "b", "a"], grades) == pytest.approx(1 / 3)


def test_the_labelled_dataset_is_large_varied_and_resolves_on_the_demo_catalog(demo_docs: list) -> None:  # type: ignore[type-arg]
    queries = evaluation.load_dataset()
    assert len(queries) >= 60
    assert {"typo", "synonym", "multi_word", "category", "price"} <= {q.type for q in queries}
    rows = [
        evaluation.CatalogRow(d.product_id, d.name, d.brand, d.tags, d.price_minor / 100, d.category_path, d.in_stock)
        for d in demo_docs
    ]
    for query in queries:
        assert query.grades(rows), query.id


def test_a_judgment_with_an_unknown_condition_is_refused() -> None:
    table = {"queries": [{"id": "q", "query": "x", "type": "keyword", "judgments": [{"grade": 3, "colour": "red"}]}]}
    with pytest.raises(ValueError, match="conditions of"):
        evaluation.load_dataset(table)
