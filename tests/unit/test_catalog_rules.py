"""Catalog rules without I/O: ids, tags, search text, category tree walks."""

from __future__ import annotations

from hph.commerce import identifiers
from hph.runtime.errors import Violations
from hph.services.catalog import rules


def test_generated_product_ids_follow_the_idempotency_key() -> None:
    assert rules.new_product_id("req-1") == rules.new_product_id("req-1")
    assert rules.new_product_id("req-1") != rules.new_product_id("req-2")
    assert identifiers.PRODUCT_ID.fullmatch(rules.new_product_id(""))


def test_slugify_makes_category_ids() -> None:
    assert rules.slugify("Stocking Stuffers & Más!") == "stocking-stuffers-mas"
    assert rules.CATEGORY_ID.fullmatch(rules.slugify("Ünïcode Cafe"))


def test_tags_are_lower_cased_and_deduplicated_in_order() -> None:
    assert rules.normalize_tags(["Gift", "  gift ", "Red  Ribbon", ""]) == ["gift", "red ribbon"]


def test_search_words_are_lower_cased_and_capped() -> None:
    assert rules.search_words("Glass  ORNAMENT") == ["glass", "ornament"]
    assert len(rules.search_words(" ".join(f"w{i}" for i in range(20)))) == rules.MAX_SEARCH_WORDS


def test_descendants_walk_the_whole_subtree() -> None:
    parents = {"toys": "", "games": "toys", "board": "games", "lights": ""}
    assert rules.descendants("toys", parents) == {"toys", "games", "board"}
    assert rules.descendants("lights", parents) == {"lights"}


def test_cycles_are_detected() -> None:
    parents = {"toys": "", "games": "toys", "board": "games"}
    assert rules.creates_cycle("toys", "board", parents)
    assert rules.creates_cycle("toys", "toys", parents)
    assert not rules.creates_cycle("board", "toys", parents)


def test_price_checks_return_minor_units() -> None:
    violations = Violations()
    assert rules.check_price(violations, 24.99, "USD") == 2499
    assert rules.check_price(violations, 0, "USD") is None
    assert rules.check_price(violations, 1.001, "USD") is None
    assert rules.check_price(violations, 5, "ZZZ") is None
    assert [v.field for v in violations.items] == ["price", "price", "currency_code"]


def test_attribute_names_and_values_are_checked_and_an_empty_value_removes_only_on_update() -> None:
    violations = Violations()
    rules.check_attributes(violations, {"colour": "red", "Bad-Name": "x", "size": ""}, removals=False)
    assert {v.field for v in violations.items} == {"attributes.Bad-Name", "attributes.size"}
    removals = Violations()
    rules.check_attributes(removals, {"size": ""}, removals=True)
    assert not removals
    many = Violations()
    rules.check_attributes(many, {f"a{i}": "v" for i in range(rules.MAX_ATTRIBUTES + 1)}, removals=False)
    assert [v.field for v in many.items] == ["attributes"]


def test_attribute_changes_merge_into_the_current_ones() -> None:
    merged = rules.merged_attributes({"colour": "red", "size": "M"}, {"colour": "", "material": " wool "})
    assert merged == {"material": "wool", "size": "M"}
