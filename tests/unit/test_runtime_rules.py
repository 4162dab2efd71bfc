"""Rules of the shared runtime: money conversion, settings parsing, field validation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hph.runtime import money, validation
from hph.runtime.errors import InvalidArgument, Violations
from hph.runtime.settings import Settings


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [(19.99, "USD", 1999), (0.1, "USD", 10), (1999, "JPY", 1999), (1.234, "KWD", 1234), (0.29, "EUR", 29)],
)
def test_major_units_convert_exactly(amount: float, currency: str, minor: int) -> None:
    assert money.to_minor(amount, currency) == minor
    assert money.to_major(minor, currency) == amount


@pytest.mark.parametrize(("amount", "currency"), [(19.999, "USD"), (0.5, "JPY"), (float("nan"), "USD"), (1e300, "USD")])
def test_amounts_that_cannot_be_represented_are_refused(amount: float, currency: str) -> None:
    with pytest.raises(money.MoneyError):
        money.to_minor(amount, currency)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(money.MoneyError):
        money.to_minor(1, "XXX")


def test_rounding_is_half_even() -> None:
    assert [money.round_half_even(Decimal(v)) for v in ("0.5", "1.5", "2.5", "-0.5")] == [0, 2, 2, 0]


def test_settings_come_from_hph_variables_and_flags_override() -> None:
    env = {"HPH_GRPC_PORT": "6000", "HPH_DEV_ISSUER_ENABLED": "off", "HPH_DATA_DIR": "/tmp/x"}
    settings = Settings.from_env(env, grpc_port=7000)
    assert settings.grpc_port == 7000 and settings.dev_issuer_enabled is False and settings.data_dir == Path("/tmp/x")
    assert Settings.from_env({}).grpc_port == 50051


@pytest.mark.parametrize(("name", "value"), [("HPH_GRPC_PORT", "abc"), ("HPH_SEED_DEMO_DATA", "maybe")])
def test_bad_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_violations_report_every_field_at_once() -> None:
    violations = Violations()
    validation.text(violations, "name", "", required=True)
    validation.text(violations, "title", "x" * 300, max_length=120)
    validation.http_url(violations, "image_url", "javascript:alert(1)")
    validation.page_size(violations, "limit", 500)
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    assert [v.field for v in caught.value.violations] == ["name", "title", "image_url", "limit"]
    status = caught.value.to_status()
    assert status.code == 3 and len(status.details) == 2  # ErrorInfo + BadRequest


def test_control_characters_are_refused() -> None:
    violations = Violations()
    assert not validation.text(violations, "name", "bad\x00name")


# --- amounts clients send back: the display double, its exact minor-unit twin, or both ---------------


def _exact(currency: str, major: float | None, minor: int | None) -> int | None:
    return validation.exact_amount(currency, major=major, major_field="amount", minor=minor, minor_field="amount_minor")


@pytest.mark.parametrize(
    ("currency", "major", "minor", "exact"),
    [
        ("USD", 19.99, None, 1999),
        ("USD", None, 1999, 1999),
        ("USD", 19.99, 1999, 1999),
        ("USD", 0.29, 29, 29),  # 0.29 * 100 is 28.999999999999996 in binary floating point
        ("JPY", 1999.0, 1999, 1999),
        ("KWD", 1.234, 1234, 1234),
        ("USD", None, None, None),
        ("USD", None, 0, 0),
    ],
)
def test_an_amount_sent_either_way_or_both_is_exact(
    currency: str, major: float | None, minor: int | None, exact: int | None
) -> None:
    assert _exact(currency, major, minor) == exact


@pytest.mark.parametrize(("currency", "major", "minor"), [("USD", 19.99, 1998), ("USD", 19.99, 0), ("JPY", 19.0, 1900)])
def test_both_forms_must_agree_and_a_disagreement_names_both_fields(currency: str, major: float, minor: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        _exact(currency, major, minor)
    assert [v.field for v in caught.value.violations] == ["amount", "amount_minor"]
    assert "disagree" in caught.value.message and caught.value.to_status().code == 3


@pytest.mark.parametrize("minor", [None, 1999])
def test_sub_minor_precision_in_the_double_stays_refused(minor: int | None) -> None:
    with pytest.raises(InvalidArgument) as caught:
        _exact("USD", 19.999, minor)
    assert [v.field for v in caught.value.violations] == ["amount"]


@pytest.mark.parametrize(
    ("value", "minimum", "ok"),
    [
        (None, 1, True),
        (0, 0, True),
        (1, 1, True),
        (money.MAX_MINOR_UNITS, 0, True),
        (0, 1, False),
        (-1, 0, False),
        (money.MAX_MINOR_UNITS + 1, 0, False),
        (2**63 - 1, 0, False),
    ],
)
def test_minor_amounts_are_refused_when_negative_or_too_large(value: int | None, minimum: int, ok: bool) -> None:
    violations = Violations()
    assert validation.minor_amount(violations, "amount_minor", value, minimum=minimum) is ok
    assert [v.field for v in violations.items] == ([] if ok else ["amount_minor"])
