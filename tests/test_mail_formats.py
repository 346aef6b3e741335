"""Money and dates in the customer's locale, and statutory interest to the exact Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mailer


@pytest.mark.parametrize(
    ("language", "money", "cny", "day"),
    [
        ("en", "-€1,234.50", "CN¥1,234.50", "Nov 3, 2026"),
        ("de", "-1.234,50\xa0€", "1.234,50\xa0CN¥", "03.11.2026"),
        ("fr", "-1\u202f234,50\xa0€", "1\u202f234,50\xa0CNY", "3 nov. 2026"),
        ("zh", "-€1,234.50", "¥1,234.50", "2026年11月3日"),
    ],
)
def test_money_and_dates_per_language(language, money, cny, day):
    fmt = mailer.formatter_for(language, "en")
    assert fmt.money(-123450, "EUR") == money
    assert fmt.money(123450, "CNY") == cny
    assert fmt.date(dt.date(2026, 11, 3)) == day
    assert fmt.date(pd.Timestamp("2026-11-03")) == day
    assert fmt.date(pd.NaT) == ""


def test_language_falls_back_to_company_locale_then_english():
    assert mailer.formatter_for("", "de_CH").language == "de"
    assert str(mailer.formatter_for("", "de_CH").locale) == "de_CH"  # the company's own region wins
    assert str(mailer.formatter_for("de", "en").locale) == "de_DE"
    assert mailer.formatter_for("xx", "yy").language == "en"
    assert mailer.formatter_for("ZH", "en").labels["statement"] == "对账单"


def test_worked_example_of_late_interest():
    interest = mailer.late_interest(500000, Decimal("12.25"), 101)
    assert interest == Decimal(5000) * Decimal("12.25") / 100 * 101 / 365
    assert str(interest)[:10] == "169.486301"
    assert mailer.round_cents(interest) == 16949


def test_no_interest_before_due_or_on_nothing_open():
    assert mailer.late_interest(500000, Decimal("12.25"), 0) == 0
    assert mailer.late_interest(500000, Decimal("12.25"), -5) == 0
    assert mailer.late_interest(-100, Decimal("12.25"), 30) == 0


def test_rate_from_settings_float_is_the_typed_decimal():
    assert mailer.rate_decimal(12.25) == Decimal("12.25")
    assert mailer.rate_decimal(9.12) == Decimal(
        "9.12"
    )  # not 9.1199999999999992184029906638897955417633056640625


@given(cents=st.integers(1, 10**11), rate=st.decimals("0", "40", places=2), days=st.integers(1, 3650))
def test_interest_rounds_like_exact_arithmetic(cents, rate, days):
    exact = Fraction(cents, 100) * Fraction(rate) / 100 * days / 365
    expected = int(exact * 100 + Fraction(1, 2))  # half up on a positive amount
    assert mailer.round_cents(mailer.late_interest(cents, rate, days)) == expected


@pytest.mark.parametrize(
    "language,fee,discount,writeoff",
    [
        ("en", "Bank charges", "Early-payment discount", "Written off"),
        ("de", "Bankgebühren", "Skonto", "Ausgebucht"),
        ("fr", "Frais bancaires", "Escompte", "Passé en perte"),
        ("zh", "银行手续费", "现金折扣", "核销"),
    ],
)
def test_settlements_without_cash_are_named_in_the_customers_language(language, fee, discount, writeoff):
    from mailer.compose import statement_view
    from mailer.statement import ActivityLine, StatementData

    day = dt.date(2026, 11, 20)
    activity = [
        ActivityLine(day, "bank_fee", "", "INV-1", -150, 9850),
        ActivityLine(day, "discount", "", "INV-1", -200, 9650),
        ActivityLine(day, "writeoff", "", "INV-2", -5, 9645),
    ]
    data = StatementData("C1", "EUR", day.replace(day=1), day, 10000, 9645, activity, [], [("Current", 9645)])
    customer = pd.Series({"CustomerID": "C1", "Name": "Acme", "Address": "", "ContactName": ""})
    company = mailer.Company("Beispiel AG", "Industriestr. 1", "ar@beispiel.example", "IBAN DE89")
    view = statement_view(data, customer, company, mailer.formatter_for(language, "en"), False)
    assert [(a["kind"], a["description"]) for a in view["activity"]] == [
        (fee, "INV-1"),
        (discount, "INV-1"),
        (writeoff, "INV-2"),
    ]
