"""normalization-classification's rules: unit forms, casing, whitespace, punctuation and brands each
move a title the right way and name the rule; the clean demo catalog is left as it is; attributes
come from the synonym tables with a confidence that drops for synonyms, weaker fields and ambiguity;
proposals are made only for catalog products and only for what changed."""

from __future__ import annotations

import argparse

import pytest

from holidaypeak.commerce.v1 import product_pb2
from hph.agents.normalization_classification import evaluation
from hph.agents.normalization_classification.attributes import (
    FIELD_TRUST,
    SYNONYM_FACTOR,
    extract,
    shipped_synonyms,
    synonyms_from,
)
from hph.agents.normalization_classification.core import ATTRIBUTE_PROPOSAL_FLOOR, normalize_product
from hph.agents.normalization_classification.normalize import known_brands, normalize_brand, normalize_title
from hph.agents.product_catalog.records import ProductRecord, current_attributes
from hph.commerce.demo_data import generate_catalog
from hph.host import evaluate

BRANDS = known_brands(["Lumiere & Co", "Aurora", "Aurora", "AURORA", "Frostline"])


@pytest.mark.parametrize(
    ("written", "canonical", "rule"),
    [
        ('Wreath 24"', "Wreath 24 in", "unit:in"),
        ("Wreath 24''", "Wreath 24 in", "unit:in"),
        ("Wreath 24 inch", "Wreath 24 in", "unit:in"),
        ("Wreath 24-inch", "Wreath 24 in", "unit:in"),
        ("Wreath 24in", "Wreath 24 in", "unit:in"),
        ("Wreath 24 inches", "Wreath 24 in", "unit:in"),
        ("Garland 6ft", "Garland 6 ft", "unit:ft"),
        ("Garland 6 feet", "Garland 6 ft", "unit:ft"),
        ("Candle 8 ounces", "Candle 8 oz", "unit:oz"),
        ("Pot 5.5 QT", "Pot 5.5 qt", "unit:qt"),
        ("Skillet 30 centimetres", "Skillet 30 cm", "unit:cm"),
    ],
)
def test_every_unit_form_becomes_its_one_canonical_form_and_names_the_rule(
    written: str, canonical: str, rule: str
) -> None:
    result = normalize_title(written, BRANDS)
    assert result.normalized == canonical
    assert rule in result.rules and result.changed


def test_a_canonical_quantity_is_no_change_and_a_unit_word_needs_a_number() -> None:
    assert normalize_title("Wreath 24 in", BRANDS).rules == ()
    # "in" after a word is the preposition, not inches.
    assert normalize_title("Made in Vermont", BRANDS).normalized == "Made in Vermont"


def test_whitespace_is_trimmed_and_collapsed_with_the_rules_named() -> None:
    result = normalize_title("\t Aurora\u00a0 Fairy   Lights \n", BRANDS)
    assert result.normalized == "Aurora Fairy Lights"
    assert result.rules == ("space:trim", "space:collapse")


def test_shouted_and_flat_titles_get_title_case_mixed_case_is_kept() -> None:
    shouted = normalize_title("FROSTLINE PUFFER JACKET WITH HOOD", BRANDS)
    assert shouted.normalized == "Frostline Puffer Jacket with Hood"
    assert "case:title" in shouted.rules and "case:brand" in shouted.rules
    assert normalize_title("frostline puffer jacket", BRANDS).normalized == "Frostline Puffer Jacket"
    # Half the words must be shouted or flat: a meant lower-case word in a cased title stays.
    assert normalize_title("Fir & Fable Eau de Parfum", BRANDS).rules == ()
    # Acronyms keep their capitals, in a shouted title too.
    assert normalize_title("AURORA LED STRING LIGHTS", BRANDS).normalized == "Aurora LED String Lights"


def test_punctuation_repeats_and_spaces_before_marks_go() -> None:
    result = normalize_title("Aurora Lights , Warm!!", BRANDS)
    assert result.normalized == "Aurora Lights, Warm!"
    assert {"punct:repeat", "punct:space"} <= set(result.rules)


def test_a_brand_takes_the_casing_the_catalog_uses_most() -> None:
    assert BRANDS["aurora"] == "Aurora"
    brand = normalize_brand("  AURORA ", BRANDS)
    assert brand.normalized == "Aurora" and brand.rules == ("space:trim", "brand:catalog")
    assert normalize_brand("glowmere", BRANDS).normalized == "Glowmere"  # unknown: title case
    assert normalize_brand("Aurora", BRANDS).changed is False


def test_the_clean_demo_catalog_needs_no_normalisation() -> None:
    catalog = generate_catalog()
    brands = known_brands(p.brand for p in catalog.products)
    changed = [p.name for p in catalog.products if normalize_title(p.name, brands).changed]
    assert changed == []


def test_synonyms_map_to_their_canonical_value_with_a_lower_confidence_than_the_word_itself() -> None:
    exact = extract({"title": "Red Wool Stocking"}, {})
    synonym = extract({"title": "Crimson Merino Stocking"}, {})
    assert [(a.name, a.value) for a in exact] == [("color", "red"), ("material", "wool")]
    assert [(a.name, a.value, a.source_text) for a in synonym] == [
        ("color", "red", "Crimson"),
        ("material", "wool", "Merino"),
    ]
    assert exact[0].confidence == FIELD_TRUST["title"]
    assert synonym[0].confidence == pytest.approx(FIELD_TRUST["title"] * SYNONYM_FACTOR)


def test_the_longest_phrase_wins_and_ambiguity_and_weaker_fields_lower_the_confidence() -> None:
    assert extract({"title": "Forest Green Scarf"}, {})[0].source_text == "Forest Green"
    two_colours = extract({"title": "Red and Blue Scarf"}, {})[0]
    assert two_colours.confidence == pytest.approx(FIELD_TRUST["title"] / 2)
    from_description = extract({"description": "A red scarf."}, {})[0]
    assert from_description.source_field == "description"
    assert from_description.confidence == FIELD_TRUST["description"]
    # The title wins over the description.
    assert extract({"title": "Blue Scarf", "description": "red"}, {})[0].value == "blue"


def test_sizes_counts_and_the_current_value() -> None:
    found = {a.name: a for a in extract({"title": 'Ring Trio 18" Large'}, {"size": "small"})}
    assert found["size"].value == "18 in" and found["size"].current_value == "small"
    assert found["count"].value == "3"
    assert {a.value for a in extract({"title": "Set of 4 mugs"}, {}) if a.name == "count"} == {"4"}
    assert {a.value for a in extract({"title": "Smart Plug 4-Pack"}, {}) if a.name == "count"} == {"4"}
    assert {a.value for a in extract({"title": "Extra small mug"}, {}) if a.name == "size"} == {"extra small"}


def test_the_synonym_table_is_data() -> None:
    table = synonyms_from({"color": {"teal": ["aqua"]}, "material": {}, "size": {}})
    assert extract({"title": "Aqua Mug"}, {}, table)[0].value == "teal"
    assert shipped_synonyms().value_of("color", "crimson") == "red"


def test_proposals_only_for_catalog_products_and_only_what_changed() -> None:
    messy = ProductRecord("JWL-0001", "  LUMIERE & CO crimson ring trio ", "lumiere & co", etag="e1")
    result = normalize_product(messy, known_brands(["Lumiere & Co"]))
    by_field = {p.field: p for p in result.proposals}
    assert by_field["name"].proposed_value == "Lumiere & Co Crimson Ring Trio"
    assert by_field["brand"].proposed_value == "Lumiere & Co"
    assert by_field["attributes.color"].proposed_value == "red"
    assert by_field["attributes.count"].proposed_value == "3"
    assert all(p.product_etag == "e1" and p.source_agent == "normalization-classification" for p in result.proposals)
    assert all(p.confidence >= ATTRIBUTE_PROPOSAL_FLOOR for p in result.proposals)
    clean = ProductRecord("JWL-0002", "Lumiere & Co Ring", "Lumiere & Co", attributes={})
    assert normalize_product(clean, known_brands(["Lumiere & Co"])).proposals == ()
    draft = ProductRecord("", "LUMIERE & CO RING", "lumiere & co")
    assert normalize_product(draft, {}).proposals == ()


def test_an_attribute_the_product_already_has_is_not_proposed_again() -> None:
    record = ProductRecord("JWL-0003", "Red Ring", "Opaline", attributes={"color": "red"})
    assert normalize_product(record, {}).proposals == ()


def test_current_attributes_reads_a_products_map() -> None:
    product = product_pb2.Product(id="SKU-1", attributes={"color": "red"})
    assert current_attributes(product) == {"color": "red"}
    assert current_attributes(product_pb2.Product(id="SKU-2")) == {}


def test_normalisation_holds_its_floor_on_the_labelled_titles_and_the_floor_can_fail() -> None:
    report = evaluation.evaluate_normalization()
    assert report.pairs >= 50
    assert evaluation.normalization_below_floor(report) == [], evaluation.render_normalization(report, per_case=True)
    pairs, _ = evaluation.normalization_pairs()
    blind = evaluation.NormalizationReport(len(pairs), 0, ())
    assert evaluation.normalization_below_floor(blind) != []


def test_hph_eval_runs_the_product_datasets() -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["normalization", "--queries"])) == 0
    assert evaluate.run(parser.parse_args(["outliers"])) == 0
    assert evaluate.run(parser.parse_args(["classifier", "--grpc", "127.0.0.1:1"])) == 2  # in process only
