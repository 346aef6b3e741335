"""Values as people type them are accepted (docs/contract.md): through a real workbook read by FileBook,
and as properties of the one set of parsers in common/values.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.values import MAX_AMOUNT_CENTS, cents_to_decimal, format_cents, parse_amount_cents, parse_date
from tests.xlsx_factory import TableSpec, build_book
from workbook.filebook import FileBook

CUSTOMERS = TableSpec(
    "Customers",
    ["CustomerID", "Name", "Language", "DunningBlocked"],
    [
        [100999, "Acme", "DE", "Y"],
        ["C2", "Beta", "en_GB", "yes"],
        ["C3", "Gamma", "de-CH", True],
        ["C4", "Delta", "zh", "是"],
        ["C5", "Eps", None, "X"],
        ["C6", "Zeta", "fr", 1],
        ["C7", "Eta", "en", "True"],
        ["C8", "Theta", "en", "N"],
        ["C9", "Iota", "en", None],
        ["C10", "Kappa", "en", "No"],
        ["C11", "Lambda", "en", 0],
        ["C12", "Mu", "en", "否"],
        ["C13", "Nu", "en", False],
    ],
)
BLOCKED = [True] * 7 + [False] * 6

# (typed in the Amount cell, cents)
AMOUNTS = [
    (1234.56, 123456),
    (500, 50000),
    ("€ 1.234,56", 123456),
    ("1,234.56", 123456),
    ("CHF 1'234.50", 123450),
    ("(12.50)", -1250),
    ("12.50-", -1250),
    ("1234,5", 123450),
    ("$1,234", 123400),
    ("1\u00a0234,56 EUR", 123456),
    ("-99.99", -9999),
    ("USD 1,000,000.01", 100000001),
    ("1.000", 100000),
    (" 7 ", 700),
    ("１２３．４５", 12345),
    ("－１，２３４．５０", -123450),
]
# (typed in the InvoiceDate cell, date under dmy, date under mdy)
DATES = [
    (dt.date(2026, 11, 3), "2026-11-03", "2026-11-03"),
    ("2026-11-03", "2026-11-03", "2026-11-03"),
    ("03/11/2026", "2026-11-03", "2026-03-11"),
    ("03.11.2026", "2026-11-03", "2026-11-03"),
    ("13/02/2026", "2026-02-13", "2026-02-13"),
    ("02/13/2026", "2026-02-13", "2026-02-13"),
    ("2026年11月3日", "2026-11-03", "2026-11-03"),
    ("20261103", "2026-11-03", "2026-11-03"),
    (46329, "2026-11-03", "2026-11-03"),
    ("46329", "2026-11-03", "2026-11-03"),
    ("3-11-26", "2026-11-03", "2026-03-11"),
    (dt.datetime(2026, 11, 3, 14, 30), "2026-11-03", "2026-11-03"),
]


def _book(path: Path, date_order: str) -> Path:
    invoices = [
        [f"INV-{i}", "C2", DATES[i % len(DATES)][0], amount, "Y" if i % 2 else None]
        for i, (amount, _) in enumerate(AMOUNTS)
    ]
    invoices.append([20261, 100999, "2026-11-30", 1, "N"])
    return build_book(
        path,
        [
            TableSpec("Settings", ["Key", "Value"], [["date_order", date_order], ["company_name", None]]),
            CUSTOMERS,
            TableSpec("Invoices", ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "Disputed"], invoices),
        ],
    )


@pytest.mark.parametrize("date_order", ["dmy", "mdy"])
def test_values_as_people_type_them_are_read_as_the_contract_types(tmp_path, date_order):
    with FileBook(_book(tmp_path / f"{date_order}.xlsx", date_order)) as fb:
        assert fb.settings().date_order == date_order
        assert fb.settings().company_name == ""  # an empty value takes the default
        customers = fb.read("Customers")
        invoices = fb.read("Invoices")
    assert customers["CustomerID"].tolist()[:2] == ["100999", "C2"]
    assert customers["Language"].tolist()[:6] == ["de", "en", "de", "zh", "", "fr"]
    assert customers["DunningBlocked"].tolist() == BLOCKED
    assert invoices["Amount"].tolist() == [cents for _, cents in AMOUNTS] + [100]
    expected_dates = [DATES[i % len(DATES)][1 if date_order == "dmy" else 2] for i in range(len(AMOUNTS))]
    assert [d.date().isoformat() for d in invoices["InvoiceDate"]] == [*expected_dates, "2026-11-30"]
    assert invoices["InvoiceNo"].iloc[-1] == "20261" and invoices["CustomerID"].iloc[-1] == "100999"
    assert invoices["Disputed"].tolist() == [bool(i % 2) for i in range(len(AMOUNTS))] + [False]
    assert list(invoices.index) == list(range(2, len(AMOUNTS) + 3))
    assert str(invoices["InvoiceDate"].dtype) == "datetime64[ns]" and str(invoices["Amount"].dtype) == "Int64"


# -- properties of common/values.py -----------------------------------------------------------------


def _grouped(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


def _styled(cents: int, style: str) -> str:
    """How the amount is written in an English, German or Swiss document."""
    whole, frac = divmod(abs(cents), 100)
    body = {
        "en": f"{_grouped(whole, ',')}.{frac:02d}",
        "de": f"{_grouped(whole, '.')},{frac:02d}",
        "ch": f"{_grouped(whole, chr(39))}.{frac:02d}",
        "plain": f"{whole}.{frac:02d}",
        "plain-comma": f"{whole},{frac:02d}",
        "space": f"{_grouped(whole, ' ')},{frac:02d}",
    }[style]
    return body


amounts = st.integers(min_value=-MAX_AMOUNT_CENTS, max_value=MAX_AMOUNT_CENTS)
styles = st.sampled_from(["en", "de", "ch", "plain", "plain-comma", "space"])
signs = st.sampled_from(["-{}", "({})", "{}-"])
symbols = st.sampled_from(["{}", "€ {}", "{} €", "EUR {}", "{} CHF", "${}", "£{}", "{} 元", "USD{}"])


@given(amounts, styles, signs, symbols)
def test_formatted_amounts_parse_back_to_their_cents(cents, style, sign, symbol):
    text = _styled(cents, style)
    if cents < 0:
        text = sign.format(text)
    assert parse_amount_cents(symbol.format(text)) == cents


@given(amounts)
def test_cents_survive_their_plain_text_and_decimal_forms(cents):
    assert parse_amount_cents(format_cents(cents)) == cents
    assert parse_amount_cents(cents_to_decimal(cents)) == cents
    assert cents_to_decimal(cents) == Decimal(cents) / 100


@given(
    st.integers(min_value=MAX_AMOUNT_CENTS + 1, max_value=10**30),
    st.sampled_from([-1, 1]),
    st.sampled_from(["plain", "grouped", float, Decimal]),
)
def test_an_amount_beyond_the_largest_is_refused_whatever_its_form(cents, sign, form):
    value = cents_to_decimal(sign * cents)
    typed = {"plain": f"{value:f}", "grouped": f"{value:,.2f}"}.get(form) or form(value)  # type: ignore[operator]
    limit = "beyond the largest amount arbook takes (expected at most 999,999,999.99 either way)"
    with pytest.raises(ValueError, match=re.escape(limit)):
        parse_amount_cents(typed)


def test_the_largest_amount_reads_back_exactly_from_every_form():
    for cents in (MAX_AMOUNT_CENTS, -MAX_AMOUNT_CENTS):
        assert parse_amount_cents(cents / 100) == cents  # the double Excel holds
        assert parse_amount_cents(format_cents(cents)) == cents
    assert parse_amount_cents(10**9, largest=10**11) == 10**11, "a caller may allow more (sums)"


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_floats_from_excel_with_two_decimals_are_exact_cents(cents):
    assert parse_amount_cents(cents / 100) == cents


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=1, max_value=9))
def test_a_third_decimal_is_refused_not_rounded(cents, third):
    text = f"{cents_to_decimal(cents):.2f}{third}"
    for typed in (text, float(text), Decimal(text)):
        with pytest.raises(ValueError, match="at most 2 decimals"):
            parse_amount_cents(typed, decimal_comma=False)
    if abs(cents) < 100:  # "0.005": a lone mark after a zero is never a thousands separator
        with pytest.raises(ValueError, match="at most 2 decimals"):
            parse_amount_cents(text)


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates, st.sampled_from(["dmy", "mdy"]))
def test_dates_parse_back_from_every_accepted_form(day, order):
    serial = (day - dt.date(1899, 12, 30)).days
    unambiguous = [
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        day.strftime("%d.%m.%Y"),
        f"{day.day}.{day.month}.{day.year}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        serial,
        float(serial),
        str(serial),
        dt.datetime.combine(day, dt.time(23, 59)),
        pd.Timestamp(day),
    ]
    for typed in unambiguous:
        assert parse_date(typed, date_order=order) == day, typed
    slashed = day.strftime("%d/%m/%Y") if order == "dmy" else day.strftime("%m/%d/%Y")
    assert parse_date(slashed, date_order=order) == day
    if day.year >= 2000:
        assert parse_date(day.strftime("%d.%m.%y"), date_order=order) == day


@given(dates)
def test_a_day_above_twelve_is_read_whatever_the_date_order(day):
    if day.day > 12:
        assert parse_date(day.strftime("%d/%m/%Y"), date_order="mdy") == day
        assert parse_date(day.strftime("%m/%d/%Y"), date_order="dmy") == day
