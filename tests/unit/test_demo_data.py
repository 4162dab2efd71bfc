"""Tests of the deterministic demo catalog: shape, uniqueness, realism and determinism."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from hph.commerce.demo_data import DemoCatalog, DemoProduct, generate_catalog

SEEDS = (0, 1, 2026, 424242)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SKU = re.compile(r"^[A-Z]{3}-[0-9]{4}$")
US_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
CA_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$")
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
EMAIL = re.compile(r"^[a-z0-9._-]+@example\.com$")
US_STATES = frozenset(
    re.findall(
        r"[A-Z]{2}",
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
        "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY",
    )
)
CA_PROVINCES = frozenset(re.findall(r"[A-Z]{2}", "AB BC MB NB NL NS NT NU ON PE QC SK YT"))


@pytest.fixture(scope="module")
def catalog() -> DemoCatalog:
    return generate_catalog()


def leaf_ids(catalog: DemoCatalog) -> set[str]:
    parents = {c.parent_id for c in catalog.categories if c.parent_id}
    return {c.id for c in catalog.categories if c.id not in parents}


def sentence_count(text: str) -> int:
    # A sentence ends in . ! or ? followed by a space or the end; "5.5-quart" is not an end.
    return len(re.findall(r"[.!?](?:\s|$)", text))


# --- categories -----------------------------------------------------------------------------------


def test_categories_form_a_two_level_tree(catalog: DemoCatalog) -> None:
    assert len(catalog.categories) >= 16
    by_id = {c.id: c for c in catalog.categories}
    assert len(by_id) == len(catalog.categories), "category ids must be unique"
    top_level = [c for c in catalog.categories if not c.parent_id]
    children = [c for c in catalog.categories if c.parent_id]
    assert len(top_level) >= 6
    assert children
    for child in children:
        assert child.parent_id in by_id
        assert by_id[child.parent_id].parent_id == "", "tree must be exactly two levels deep"
    expected = {"toys-games", "electronics", "home-holiday-decor", "kitchen-entertaining", "outdoor-winter"}
    assert expected <= {c.id for c in top_level}
    assert {"board-games", "smart-home", "ornaments", "string-lights", "cookware"} <= {c.id for c in children}


def test_parents_come_before_children(catalog: DemoCatalog) -> None:
    seen: set[str] = set()
    for category in catalog.categories:
        assert not category.parent_id or category.parent_id in seen
        seen.add(category.id)


def test_category_fields_are_well_formed(catalog: DemoCatalog) -> None:
    for category in catalog.categories:
        assert SLUG.match(category.id) and 2 <= len(category.id) <= 64, category.id
        assert 1 <= len(category.name) <= 100
        assert 0 < len(category.description) <= 1000
        assert category.image_url == f"https://images.holidaypeak.example/categories/{category.id}.jpg"


# --- products -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_products_fill_every_leaf_and_only_leaves(seed: int) -> None:
    catalog = generate_catalog(seed)
    leaves = leaf_ids(catalog)
    assert len(catalog.products) >= 320
    per_category = Counter(p.category_id for p in catalog.products)
    assert set(per_category) == leaves, "products only in leaves, and no empty leaf"
    assert min(per_category.values()) >= 8


@pytest.mark.parametrize("seed", SEEDS)
def test_product_ids_and_names_are_unique(seed: int) -> None:
    products = generate_catalog(seed).products
    assert len({p.id for p in products}) == len(products)
    assert len({p.name for p in products}) == len(products)
    assert len({p.name.lower() for p in products}) == len(products), "names differing only in case confuse search"


@pytest.mark.parametrize("seed", SEEDS)
def test_sku_prefix_is_derived_from_the_category(seed: int) -> None:
    prefixes: dict[str, set[str]] = {}
    for product in generate_catalog(seed).products:
        assert SKU.match(product.id), product.id
        prefixes.setdefault(product.category_id, set()).add(product.id[:3])
    assert all(len(p) == 1 for p in prefixes.values()), "one prefix per category"
    all_prefixes = [next(iter(p)) for p in prefixes.values()]
    assert len(set(all_prefixes)) == len(all_prefixes), "no two categories share a prefix"


def test_product_fields_are_well_formed(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        assert isinstance(product.price_minor, int) and product.price_minor > 0
        assert product.price_minor % 100 == 99, f"charm price expected, got {product.price_minor}"
        assert product.currency_code == "USD"
        assert 1 <= len(product.name) <= 200
        assert product.brand and product.brand in product.name
        assert product.image_url == f"https://images.holidaypeak.example/products/{product.id}.jpg"
        assert 3 <= len(product.tags) <= 6, product.tags
        assert len(set(product.tags)) == len(product.tags)
        assert all(re.fullmatch(r"[a-z]+", tag) for tag in product.tags), product.tags
        assert " — " in product.name, "names carry a variant after an em dash"


def test_descriptions_are_two_or_three_sentences_about_gifting(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        description = product.description
        assert 2 <= sentence_count(description) <= 3, description
        assert "holiday" in description.lower() or "gift" in description.lower(), description
        assert len(description) <= 5000
        assert "{" not in description and "  " not in description, description


def test_plural_items_read_grammatically(catalog: DemoCatalog) -> None:
    descriptions = " ".join(p.description for p in catalog.products)
    for wrong in ("earrings is", "socks features", "headphones is", "lights comes", "This slipper socks"):
        assert wrong not in descriptions


def test_names_do_not_repeat_a_word_between_adjective_and_item(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        head = product.name.split(" — ")[0].removeprefix(product.brand).split()
        assert head[0].lower() not in [w.lower() for w in head[1:]], product.name


def test_catalog_has_many_brands_that_stay_in_their_lane(catalog: DemoCatalog) -> None:
    brands_by_category: dict[str, set[str]] = {}
    for product in catalog.products:
        brands_by_category.setdefault(product.category_id, set()).add(product.brand)
    assert len({p.brand for p in catalog.products}) >= 10
    assert all(len(brands) <= 3 for brands in brands_by_category.values())


def test_prices_are_realistic_per_category(catalog: DemoCatalog) -> None:
    def prices(category_id: str) -> list[int]:
        return [p.price_minor for p in catalog.products if p.category_id == category_id]

    assert max(prices("ornaments")) < 10000
    assert min(prices("cookware")) >= 1999
    assert sum(prices("smart-home")) / len(prices("smart-home")) > sum(prices("ornaments")) / len(prices("ornaments"))
    assert all(99 <= p.price_minor <= 50000 for p in catalog.products)


def test_variants_of_one_product_line_share_a_price(catalog: DemoCatalog) -> None:
    line_prices: dict[str, set[int]] = {}
    for product in catalog.products:
        line_prices.setdefault(product.name.split(" — ")[0], set()).add(product.price_minor)
    assert all(len(prices) == 1 for prices in line_prices.values())


# --- stock ----------------------------------------------------------------------------------------


def stock_situation(product: DemoProduct) -> str:
    if product.stock_on_hand == 0:
        return "out"
    if product.stock_on_hand < product.reorder_point:
        return "low"
    if product.stock_on_hand >= 500:
        return "very-high"
    return "healthy"


@pytest.mark.parametrize("seed", SEEDS)
def test_stock_levels_are_varied_but_mostly_healthy(seed: int) -> None:
    products = generate_catalog(seed).products
    situations = Counter(stock_situation(p) for p in products)
    assert situations["out"] >= 5
    assert situations["low"] >= 10
    assert situations["very-high"] >= 3
    assert situations["healthy"] > len(products) / 2


def test_reorder_point_and_safety_stock_are_sensible(catalog: DemoCatalog) -> None:
    for product in catalog.products:
        assert product.stock_on_hand >= 0
        assert 0 < product.safety_stock < product.reorder_point, product
    cheap = [p.reorder_point for p in catalog.products if p.price_minor < 3000]
    pricey = [p.reorder_point for p in catalog.products if p.price_minor >= 10000]
    assert sum(cheap) / len(cheap) > sum(pricey) / len(pricey), "fast movers reorder earlier"


# --- users ----------------------------------------------------------------------------------------


def test_users_cover_every_role(catalog: DemoCatalog) -> None:
    by_subject = {u.subject: u for u in catalog.users}
    assert len(by_subject) == len(catalog.users) >= 5
    assert by_subject["staff-sam"].role_name == "staff"
    assert by_subject["admin-ada"].role_name == "admin"
    assert by_subject["customer-ava"].role_name == "customer"
    customers = [u for u in catalog.users if u.role_name == "customer"]
    assert len(customers) >= 3
    assert all(u.subject.startswith("customer-") for u in customers)
    assert {u.role_name for u in catalog.users} == {"customer", "staff", "admin"}


def test_user_contact_details_are_well_formed(catalog: DemoCatalog) -> None:
    emails = [u.email for u in catalog.users]
    assert len(set(emails)) == len(emails)
    for user in catalog.users:
        assert EMAIL.match(user.email), user.email
        assert E164.match(user.phone), user.phone
        assert user.name
        if user.role_name == "customer":
            assert 1 <= len(user.addresses) <= 2
            assert sum(a.is_default for a in user.addresses) == 1


def test_addresses_pass_country_validation(catalog: DemoCatalog) -> None:
    addresses = [a for u in catalog.users for a in u.addresses]
    countries = Counter(a.country_code for a in addresses)
    assert countries["GB"] >= 1 and countries["CA"] >= 1 and countries["US"] >= 3
    assert set(countries) == {"US", "GB", "CA"}
    for address in addresses:
        assert address.name and address.line1 and address.city
        assert E164.match(address.phone), address.phone
        if address.country_code == "US":
            assert address.region in US_STATES, address
            assert US_ZIP.match(address.postal_code), address
        elif address.country_code == "GB":
            assert UK_POSTCODE.match(address.postal_code), address
        else:
            assert address.region in CA_PROVINCES, address
            assert CA_POSTAL_CODE.match(address.postal_code), address
    assert any("-" in a.postal_code for a in addresses if a.country_code == "US"), "a ZIP+4 example"


def test_postal_code_patterns_reject_bad_codes() -> None:
    # Guards the guards: the regexes above must be able to fail.
    assert not US_ZIP.match("9410") and not US_ZIP.match("94105-12")
    assert not UK_POSTCODE.match("SW1A1AA1") and not UK_POSTCODE.match("12345")
    assert not CA_POSTAL_CODE.match("D1A 0B1") and not CA_POSTAL_CODE.match("K1A0B")


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_catalog() -> None:
    assert generate_catalog(7) == generate_catalog(7)
    assert generate_catalog() == generate_catalog(2026)


def test_different_seed_gives_different_catalog() -> None:
    first, second = generate_catalog(1), generate_catalog(2)
    assert first != second
    assert [p.id for p in first.products] != [p.id for p in second.products]
    assert {p.name for p in first.products} != {p.name for p in second.products}


def catalog_digest(catalog: DemoCatalog) -> str:
    return hashlib.sha256(repr(catalog).encode()).hexdigest()


@pytest.mark.integration  # Python subprocesses
def test_output_does_not_depend_on_hash_randomization() -> None:
    # Set iteration order changes with PYTHONHASHSEED; a fresh interpreter per seed would expose it.
    script = (
        "import hashlib; from hph.commerce.demo_data import generate_catalog; "
        "print(hashlib.sha256(repr(generate_catalog()).encode()).hexdigest())"
    )
    expected = catalog_digest(generate_catalog())
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=60
        )
        assert result.stdout.strip() == expected


def test_generation_does_not_touch_global_random() -> None:
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    generate_catalog(5)
    assert random.random() == expected


def test_catalog_is_immutable(catalog: DemoCatalog) -> None:
    with pytest.raises(AttributeError):
        catalog.products[0].price_minor = 1  # type: ignore[misc]
    assert isinstance(catalog.products, tuple) and isinstance(catalog.categories, tuple)
    assert isinstance(catalog.users[0].addresses, tuple)
