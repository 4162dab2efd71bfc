"""Per-country postal address rules: formats, required regions, normalization, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hph.commerce.demo_data import generate_catalog
from hph.runtime.errors import Violations
from hph.services.users.address_rules import (
    AU_STATES,
    CA_PROVINCES,
    COUNTRY_CODES,
    US_STATES,
    PostalFields,
    check_address,
    check_phone,
)


def address(country: str, postal: str = "", region: str = "", **overrides: str) -> PostalFields:
    fields = {"name": "Ava Thompson", "line1": "1 Main Street", "city": "Springfield", **overrides}
    return PostalFields(country_code=country, postal_code=postal, region=region, **fields)


def problems(fields: PostalFields, prefix: str = "") -> dict[str, str]:
    violations = Violations()
    check_address(violations, fields, prefix=prefix)
    return {v.field: v.description for v in violations.items}


def normalized(fields: PostalFields) -> PostalFields:
    violations = Violations()
    result = check_address(violations, fields)
    assert not violations, violations.items
    return result


def test_country_list_is_the_249_official_alpha2_codes() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"US", "GB", "DE", "JP", "AX", "SS", "XK"} - COUNTRY_CODES == {"XK"}  # Kosovo is user-assigned
    assert not {"UK", "EU", "EL", "ZZ"} & COUNTRY_CODES
    assert len(US_STATES) == 60 and {"CA", "DC", "PR", "AE"} <= US_STATES
    assert len(CA_PROVINCES) == 13 and len(AU_STATES) == 8


def test_country_list_matches_the_system_iso3166_table_when_present() -> None:
    table = Path("/usr/share/zoneinfo/iso3166.tab")
    if not table.exists():
        pytest.skip("no tzdata iso3166.tab on this machine")
    codes = {line.split("\t")[0] for line in table.read_text().splitlines() if line and not line.startswith("#")}
    assert codes == COUNTRY_CODES


@pytest.mark.parametrize(
    ("country", "postal", "region", "expected_postal", "expected_region"),
    [
        ("US", "94105", "CA", "94105", "CA"),
        ("us", "94105-1234", "ny", "94105-1234", "NY"),
        ("CA", "k1a0b1", "on", "K1A 0B1", "ON"),
        ("CA", "K2P 1L4", "QC", "K2P 1L4", "QC"),
        ("GB", "sw1a1aa", "", "SW1A 1AA", ""),
        ("GB", "W8 4EP", "London", "W8 4EP", "London"),
        ("GB", "EC1A 1BB", "", "EC1A 1BB", ""),
        ("GB", "M1 1AE", "", "M1 1AE", ""),
        ("GB", "CR2 6XH", "", "CR2 6XH", ""),
        ("GB", "DN55 1PT", "", "DN55 1PT", ""),
        ("GB", "GIR 0AA", "", "GIR 0AA", ""),
        ("DE", "10115", "", "10115", ""),
        ("FR", "75008", "Île-de-France", "75008", "Île-de-France"),
        ("AU", "2000", "nsw", "2000", "NSW"),
        ("NL", "1234ab", "", "1234 AB", ""),
        ("JP", "1000001", "Tokyo", "100-0001", "Tokyo"),
        ("JP", "100-0001", "", "100-0001", ""),
        ("BR", "01310-100", "SP", "01310-100", "SP"),
        ("IE", "", "", "", ""),  # generic rule: optional
    ],
)
def test_valid_addresses_are_normalized(
    country: str, postal: str, region: str, expected_postal: str, expected_region: str
) -> None:
    result = normalized(address(country, postal, region))
    assert result.country_code == country.upper()
    assert result.postal_code == expected_postal
    assert result.region == expected_region


@pytest.mark.parametrize(
    ("country", "postal", "region", "bad_field"),
    [
        ("US", "9410", "CA", "postal_code"),
        ("US", "94105-12", "CA", "postal_code"),
        ("US", "ABCDE", "CA", "postal_code"),
        ("US", "", "CA", "postal_code"),
        ("US", "94105", "", "region"),
        ("US", "94105", "California", "region"),
        ("US", "94105", "ZZ", "region"),
        ("CA", "K1A 0B", "ON", "postal_code"),
        ("CA", "D1A 0B1", "ON", "postal_code"),  # D is never a first letter
        ("CA", "K1A 0B1", "XX", "region"),
        ("CA", "K1A 0B1", "", "region"),
        ("GB", "XX1 1XX", "", "postal_code"),
        ("GB", "SW1A", "", "postal_code"),
        ("GB", "", "", "postal_code"),
        ("DE", "1011", "", "postal_code"),
        ("FR", "750081", "", "postal_code"),
        ("AU", "200", "NSW", "postal_code"),
        ("AU", "2000", "", "region"),
        ("AU", "2000", "XYZ", "region"),
        ("NL", "0123 AB", "", "postal_code"),
        ("NL", "1234 A", "", "postal_code"),
        ("JP", "12-34567", "", "postal_code"),
        ("BR", "0131@100", "", "postal_code"),
        ("BR", "1234567890123", "", "postal_code"),
    ],
)
def test_invalid_postal_codes_and_regions_name_the_field(
    country: str, postal: str, region: str, bad_field: str
) -> None:
    found = problems(address(country, postal, region))
    assert list(found) == [bad_field], found


def test_every_missing_required_field_is_reported_at_once() -> None:
    found = problems(PostalFields(name=" ", line1="", city="", country_code=""))
    assert set(found) == {"name", "line1", "city", "country_code"}
    assert all(d == "is required" for d in found.values())


def test_unknown_country_is_reported_without_judging_postal_code_or_region() -> None:
    found = problems(address("XX", "whatever!!", "??"))
    assert set(found) == {"country_code"}


def test_prefix_names_nested_fields_for_other_contexts() -> None:
    found = problems(address("US", "1", "", name=""), prefix="shipping_address.")
    assert set(found) == {"shipping_address.name", "shipping_address.postal_code", "shipping_address.region"}


def test_lengths_and_control_characters_are_checked() -> None:
    found = problems(address("DE", "10115", name="x" * 101, line1="a\x00b", line2="y" * 201, city="c" * 101))
    assert set(found) == {"name", "line1", "line2", "city"}


@pytest.mark.parametrize("phone", ["+14155550123", "+1 (415) 555-0123", "020 7946 0321", "5550123"])
def test_valid_phones(phone: str) -> None:
    violations = Violations()
    assert check_phone(violations, "phone", f"  {phone} ") == phone
    assert not violations


@pytest.mark.parametrize("phone", ["555012", "+1 415 555 0123 ext 4", "1+4155550123", "+" + "1" * 21, "call me"])
def test_invalid_phones(phone: str) -> None:
    violations = Violations()
    check_phone(violations, "phone", phone)
    assert [v.field for v in violations.items] == ["phone"]


def test_empty_phone_is_allowed() -> None:
    violations = Violations()
    assert check_phone(violations, "phone", "  ") == ""
    assert not violations


def test_every_demo_address_is_valid_and_already_canonical() -> None:
    for user in generate_catalog().users:
        for demo in user.addresses:
            fields = PostalFields.of(demo)
            assert normalized(fields) == fields
