"""Postal address rules, free of I/O: ISO 3166 countries, per-country postal codes and regions, phones.

Shared by every context that takes an address (saved addresses here, shipping addresses in orders):
`check_address(violations, fields, prefix="shipping_address.")` records every problem under the
caller's field path and returns the normalized address (upper-case country and region, postal code
in the country's canonical spelling) to store.

Countries with a rule below get their postal format and, where mail needs it, a region from the
official list (US states incl. DC, territories and military codes; CA provinces; AU states). Every
other ISO country gets a lenient rule: optional postal code of 2..12 letters, digits, spaces, dashes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from hph.runtime import validation
from hph.runtime.errors import Violations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 3166-1 alpha-2, officially assigned codes (249).
COUNTRY_CODES = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
)

# USPS state codes: 50 states, DC, inhabited territories and the armed-forces "states".
US_STATES = _codes(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
    NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI UM AA AE AP
    """
)
CA_PROVINCES = _codes("AB BC MB NB NL NS NT NU ON PE QC SK YT")
AU_STATES = _codes("ACT NSW NT QLD SA TAS VIC WA")

NAME_MAX, LINE_MAX, CITY_MAX, REGION_MAX = 100, 200, 100, 100
PHONE_MAX_CHARS = 32
PHONE_DIGITS = (7, 20)
_PHONE = re.compile(r"\+?[0-9 ()\-]+")
_GENERIC_POSTAL = re.compile(r"[A-Z0-9][A-Z0-9 \-]{0,10}[A-Z0-9]")


def _as_matched(match: re.Match[str]) -> str:
    return match.group(0)


def _joined(separator: str) -> Callable[[re.Match[str]], str]:
    """Canonical form that joins the pattern's groups (skipping absent ones) with `separator`."""
    return lambda match: separator.join(g for g in match.groups() if g)


def _gb_canonical(match: re.Match[str]) -> str:
    compact = match.group(0).replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}"  # the inward code is always the last three characters


@dataclass(frozen=True)
class PostalRule:
    """How one country writes postal codes and regions."""

    pattern: re.Pattern[str]  # matched against the upper-cased, space-collapsed postal code
    example: str
    canonical: Callable[[re.Match[str]], str] = _as_matched
    regions: frozenset[str] = frozenset()  # non-empty: a region from this list is required
    region_label: str = "region"


# GB: the official outward/inward shape (area, district, sector, unit letters), GIR 0AA included.
_GB = (
    r"GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2}"
)
_CA = r"([ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]) ?([0-9][ABCEGHJ-NPRSTV-Z][0-9])"

POSTAL_RULES: dict[str, PostalRule] = {
    "US": PostalRule(
        re.compile(r"([0-9]{5})(?:-([0-9]{4}))?"),
        "94105 or 94105-1234",
        _joined("-"),
        regions=US_STATES,
        region_label="a US state code such as CA",
    ),
    "CA": PostalRule(
        re.compile(_CA),
        "K1A 0B1",
        _joined(" "),
        regions=CA_PROVINCES,
        region_label="a Canadian province or territory code such as ON",
    ),
    "GB": PostalRule(re.compile(_GB), "SW1A 1AA", _gb_canonical),
    "DE": PostalRule(re.compile(r"[0-9]{5}"), "10115"),
    "FR": PostalRule(re.compile(r"[0-9]{5}"), "75008"),
    "AU": PostalRule(
        re.compile(r"[0-9]{4}"),
        "2000",
        regions=AU_STATES,
        region_label="an Australian state or territory code such as NSW",
    ),
    "NL": PostalRule(re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})"), "1234 AB", _joined(" ")),
    "JP": PostalRule(re.compile(r"([0-9]{3})-?([0-9]{4})"), "123-4567", _joined("-")),
}


class HasPostalFields(Protocol):
    """Anything carrying the postal fields: Address, PostalAddress, CreateAddressRequest, ..."""

    @property
    def name(self) -> str: ...
    @property
    def line1(self) -> str: ...
    @property
    def line2(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def country_code(self) -> str: ...
    @property
    def phone(self) -> str: ...


@dataclass(frozen=True)
class PostalFields:
    """A postal address as stored and as sent on the wire (flat, snake_case)."""

    name: str
    line1: str
    city: str
    country_code: str
    line2: str = ""
    region: str = ""
    postal_code: str = ""
    phone: str = ""

    @classmethod
    def of(cls, source: HasPostalFields) -> PostalFields:
        return cls(
            name=source.name,
            line1=source.line1,
            line2=source.line2,
            city=source.city,
            region=source.region,
            postal_code=source.postal_code,
            country_code=source.country_code,
            phone=source.phone,
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def check_phone(violations: Violations, field: str, phone: str) -> str:
    """An optional phone: '+', digits, spaces, dashes, parentheses, with 7..20 digits; returns it trimmed."""
    value = phone.strip()
    if not value:
        return ""
    digits = sum(c.isdigit() for c in value)
    ok = (
        len(value) <= PHONE_MAX_CHARS and bool(_PHONE.fullmatch(value)) and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]
    )
    violations.check(
        ok,
        field,
        f"must be {PHONE_DIGITS[0]}..{PHONE_DIGITS[1]} digits with an optional leading '+', spaces, "
        f"dashes or parentheses, at most {PHONE_MAX_CHARS} characters",
    )
    return value


def check_country(violations: Violations, field: str, country_code: str) -> str:
    """An ISO 3166-1 alpha-2 code (any case); returns it upper case, or "" when invalid."""
    code = country_code.strip().upper()
    if not violations.check(bool(code), field, "is required"):
        return ""
    ok = violations.check(code in COUNTRY_CODES, field, "must be an ISO 3166-1 alpha-2 country code such as US")
    return code if ok else ""


def check_postal_code(violations: Violations, field: str, postal_code: str, country: str) -> str:
    """The postal code in the country's canonical form; required for countries with a rule."""
    value = " ".join(postal_code.upper().split())
    rule = POSTAL_RULES.get(country)
    if rule is None:
        if value:
            violations.check(
                bool(_GENERIC_POSTAL.fullmatch(value)), field, "must be 2..12 letters, digits, spaces or dashes"
            )
        return value
    if not violations.check(bool(value), field, f"is required for {country} (e.g. {rule.example})"):
        return ""
    match = rule.pattern.fullmatch(value)
    if match is None:
        violations.add(field, f"is not a valid {country} postal code (e.g. {rule.example})")
        return value
    return rule.canonical(match)


def check_region(violations: Violations, field: str, region: str, country: str) -> str:
    """The region: from the official list (upper case) where the country needs one, else free text."""
    value = " ".join(region.split())
    rule = POSTAL_RULES.get(country)
    if rule is not None and rule.regions:
        code = value.upper()
        if not violations.check(bool(code), field, f"is required for {country}: {rule.region_label}"):
            return ""
        violations.check(code in rule.regions, field, f"must be {rule.region_label}")
        return code
    validation.text(violations, field, value, max_length=REGION_MAX)
    return value


def check_address(violations: Violations, address: PostalFields, *, prefix: str = "") -> PostalFields:
    """Records every problem of `address` (fields named `prefix + field`) and returns it normalized.

    The returned value is meaningful only when no violation was recorded.
    """
    validation.text(violations, f"{prefix}name", address.name, required=True, max_length=NAME_MAX)
    validation.text(violations, f"{prefix}line1", address.line1, required=True, max_length=LINE_MAX)
    validation.text(violations, f"{prefix}line2", address.line2, max_length=LINE_MAX)
    validation.text(violations, f"{prefix}city", address.city, required=True, max_length=CITY_MAX)
    country = check_country(violations, f"{prefix}country_code", address.country_code)
    # Without a valid country the postal code and region cannot be judged; only the country is reported.
    region = check_region(violations, f"{prefix}region", address.region, country) if country else address.region
    postal = (
        check_postal_code(violations, f"{prefix}postal_code", address.postal_code, country)
        if country
        else address.postal_code
    )
    phone = check_phone(violations, f"{prefix}phone", address.phone)
    return PostalFields(
        name=address.name.strip(),
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        city=address.city.strip(),
        region=region,
        postal_code=postal,
        country_code=country or address.country_code.strip().upper(),
        phone=phone,
    )
