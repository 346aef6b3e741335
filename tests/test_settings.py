"""The Settings table read once into typed `Settings`; a setting that makes no sense is refused, located."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbook.check import check
from arbook.runner import run
from common.errors import InputError, Problem
from workbook.contract import SETTINGS, Settings
from workbook.filebook import FileBook
from workbook.settings import settings_from_frame
from workbook.template import build_workbook


def frame(*rows: tuple[str, str]) -> pd.DataFrame:
    """Settings rows as Book.read gives them: the index is the Excel row (the header is row 1)."""
    return pd.DataFrame(
        {"Key": [k for k, _ in rows], "Value": [v for _, v in rows]}, index=range(2, 2 + len(rows))
    )


def refusal(*rows: tuple[str, str]) -> list[Problem]:
    with pytest.raises(InputError) as refused:
        settings_from_frame(frame(*rows))
    assert "the Settings table was refused" in str(refused.value)
    return refused.value.problems


def test_every_declared_key_is_typed_and_missing_keys_take_the_declared_default() -> None:
    settings = settings_from_frame(
        frame(
            ("aging_buckets", "15; 45"),
            ("Match_Auto_Threshold", "95 %"),
            ("fee_tolerance", "12,50"),
            ("late_interest", "ja"),
            ("report_recipients", "a@x.example; b@x.example\nc@x.example"),
            ("base_currency", "chf"),
            ("dso_period_days", ""),
        )
    )
    assert settings.aging_buckets == (15, 45)
    assert settings.match_auto_threshold == 95.0
    assert settings.fee_tolerance == 1250
    assert settings.late_interest is True
    assert settings.report_recipients == ("a@x.example", "b@x.example", "c@x.example")
    assert settings.base_currency == "CHF"
    assert settings.dso_period_days == 90  # an empty value takes the declared default
    assert settings == Settings(
        aging_buckets=(15, 45),
        match_auto_threshold=95.0,
        fee_tolerance=1250,
        late_interest=True,
        report_recipients=("a@x.example", "b@x.example", "c@x.example"),
        base_currency="CHF",
    )


def test_keys_the_contract_does_not_declare_stay_available_as_text() -> None:
    settings = settings_from_frame(frame(("dunning_word", " Mahnung "), ("company_name", "Muster AG")))
    assert dict(settings.other) == {"dunning_word": "Mahnung"}
    assert settings.company_name == "Muster AG"
    with pytest.raises(TypeError):
        settings.other["x"] = "y"  # type: ignore[index]


def test_the_declarations_are_the_fields_of_settings() -> None:
    defaults = Settings()
    assert [s.key for s in SETTINGS] == [f for f in vars(defaults) if f != "other"]
    assert all(getattr(defaults, s.key) == s.default for s in SETTINGS)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("dso_period_days", "0", "dso_period_days: expected a whole number from 1 to 3660, got '0'"),
        ("dso_period_days", "-30", "dso_period_days: expected a whole number from 1 to 3660, got '-30'"),
        (
            "credit_limit_step",
            "0",
            "credit_limit_step: expected an amount from 0.01 to 10000000.00, got '0'",
        ),
        (
            "credit_limit_step",
            "-100",
            "credit_limit_step: expected an amount from 0.01 to 10000000.00, got '-100'",
        ),
        (
            "match_suggest_threshold",
            "NaN",
            "match_suggest_threshold: expected a number from 0 to 100, got 'NaN'",
        ),
        (
            "match_suggest_threshold",
            "inf",
            "match_suggest_threshold: expected a number from 0 to 100, got 'inf'",
        ),
        (
            "match_suggest_threshold",
            "-1",
            "match_suggest_threshold: expected a number from 0 to 100, got '-1'",
        ),
        (
            "match_auto_threshold",
            "100.5",
            "match_auto_threshold: expected a number from 0 to 100, at least match_suggest_threshold, "
            "got '100.5'",
        ),
        (
            "credit_review_utilization",
            "120 %",
            "credit_review_utilization: expected a number from 0 to 100, got '120 %'",
        ),
        (
            "base_currency",
            "EURO",
            "base_currency: expected an ISO 4217 currency code such as EUR, got 'EURO'",
        ),
        ("base_currency", "€", "base_currency: expected an ISO 4217 currency code such as EUR, got '€'"),
        (
            "mail_from",
            "ar@x.example\nBcc: all@y.example",
            "mail_from: expected text on one line, got 'ar@x.example\\nBcc: all@y.example'",
        ),
        (
            "mail_reply_to",
            "ar@x.example\r\nBcc: y@z",
            "mail_reply_to: expected text on one line, got 'ar@x.example\\r\\nBcc: y@z'",
        ),
        (
            "company_name",
            "Muster AG\nSubject: x",
            "company_name: expected text on one line, got 'Muster AG\\nSubject: x'",
        ),
        (
            "company_email",
            "ar@x.example\nx",
            "company_email: expected text on one line, got 'ar@x.example\\nx'",
        ),
        ("smtp_port", "0", "smtp_port: expected a whole number from 1 to 65535, got '0'"),
        ("smtp_port", "65536", "smtp_port: expected a whole number from 1 to 65535, got '65536'"),
        ("forecast_months", "-1", "forecast_months: expected a whole number from 0 to 120, got '-1'"),
        ("forecast_months", "1200", "forecast_months: expected a whole number from 0 to 120, got '1200'"),
        (
            "dunning_min_interval_days",
            "-7",
            "dunning_min_interval_days: expected a whole number from 0 to 365, got '-7'",
        ),
        (
            "dunning_min_interval_days",
            "100000",
            "dunning_min_interval_days: expected a whole number from 0 to 365, got '100000'",
        ),
        ("credit_hold_days", "-1", "credit_hold_days: expected a whole number from 1 to 3660, got '-1'"),
        (
            "credit_hold_days",
            "99999999",
            "credit_hold_days: expected a whole number from 1 to 3660, got '99999999'",
        ),
        (
            "mail_rate_per_minute",
            "-5",
            "mail_rate_per_minute: expected a whole number from 1 to 10000, got '-5'",
        ),
        (
            "mail_rate_per_minute",
            "1000000",
            "mail_rate_per_minute: expected a whole number from 1 to 10000, got '1000000'",
        ),
        (
            "aging_buckets",
            "30,60,99999",
            "aging_buckets: expected increasing day limits such as 30,60,90,120, at most 3660 days, got '30,60,99999'",
        ),
        ("aging_buckets", "30,30", "aging_buckets: expected increasing day limits above 0, got '30,30'"),
        ("aging_buckets", "60,30", "aging_buckets: expected increasing day limits above 0, got '60,30'"),
        ("aging_buckets", "0,30", "aging_buckets: expected increasing day limits above 0, got '0,30'"),
        ("aging_buckets", "x", "aging_buckets: expected day limits such as 30,60,90,120, got 'x'"),
    ],
)
def test_a_setting_that_makes_no_sense_is_refused_naming_row_column_key_and_expectation(
    key: str, text: str, message: str
) -> None:
    assert refusal(("company_name", "Muster AG"), (key, text)) == [Problem("Settings", 3, "Value", message)]


def test_auto_threshold_below_suggest_threshold_is_refused_on_the_row_given() -> None:
    both = refusal(("match_suggest_threshold", "80"), ("match_auto_threshold", "70"))
    assert both == [
        Problem(
            "Settings",
            3,
            "Value",
            "match_auto_threshold: expected at least match_suggest_threshold (80), got 70",
        )
    ]
    only_suggest = refusal(("locale", "de"), ("match_suggest_threshold", "95"))
    assert only_suggest == [
        Problem(
            "Settings",
            3,
            "Value",
            "match_suggest_threshold: expected at most match_auto_threshold (90), got 95",
        )
    ]
    equal = settings_from_frame(frame(("match_suggest_threshold", "90"), ("match_auto_threshold", "90")))
    assert (equal.match_auto_threshold, equal.match_suggest_threshold) == (90.0, 90.0)


def test_every_problem_is_reported_at_once() -> None:
    problems = refusal(("smtp_port", "0"), ("base_currency", "XX"), ("dso_period_days", "soon"))
    assert [(p.row, p.message.partition(":")[0]) for p in problems] == [
        (2, "smtp_port"),
        (3, "base_currency"),
        (4, "dso_period_days"),
    ]
    assert problems[2].message == "dso_period_days: expected a whole number, got 'soon'"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_threshold_is_accepted_exactly_when_it_is_a_finite_percentage(value: float) -> None:
    rows = (("match_suggest_threshold", "0"), ("credit_review_utilization", repr(value)))
    if math.isfinite(value) and 0 <= value <= 100:
        assert settings_from_frame(frame(*rows)).credit_review_utilization == value
    else:
        assert [p.message.partition(":")[0] for p in refusal(*rows)] == ["credit_review_utilization"]


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("settings") / "Book.xlsx"
    settings = pd.DataFrame(
        {"Key": ["dso_period_days", "mail_from"], "Value": ["0", "ar@x.example\nBcc: y@z"]}
    )
    build_workbook(path, rows={"Settings": settings})
    return path


def test_check_refuses_nonsense_settings_naming_their_rows(bad_book: Path) -> None:
    with FileBook(bad_book, lock=False) as book, pytest.raises(InputError) as refused:
        check(book)
    keys = {p.message.partition(":")[0]: p for p in refused.value.problems}
    row = {key: p.row for key, p in keys.items()}
    assert set(keys) == {"dso_period_days", "mail_from"}
    assert all(p.table == "Settings" and p.column == "Value" for p in keys.values())
    order = [s.key for s in SETTINGS]  # the template lists every setting in declaration order
    assert row == {
        "dso_period_days": order.index("dso_period_days") + 2,
        "mail_from": order.index("mail_from") + 2,
    }


def test_nonsense_settings_stop_an_operation_before_it_writes(bad_book: Path) -> None:
    before = hashlib.sha256(bad_book.read_bytes()).hexdigest()
    with FileBook(bad_book) as book, pytest.raises(InputError, match="dso_period_days"):
        run(book, "aging", as_of=date(2026, 6, 30))
    assert hashlib.sha256(bad_book.read_bytes()).hexdigest() == before
    assert not (bad_book.parent / "backups").exists()
