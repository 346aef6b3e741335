"""Early-payment discount terms as people type them, and the discount a payment earns by them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.matcher.terms import Tier, discounts, parse_terms


def tiers(*pairs: tuple[str, int]) -> tuple[Tier, ...]:
    return tuple(Tier(Decimal(rate), days) for rate, days in pairs)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2/10 net 30", tiers(("2", 10))),
        ("2/10, n/30", tiers(("2", 10))),
        ("1.5/10 net 45", tiers(("1.5", 10))),
        ("1,5/10 net 45", tiers(("1.5", 10))),
        ("3/10 2/20 net 60", tiers(("3", 10), ("2", 20))),
        ("2 % 10 Tage", tiers(("2", 10))),
        ("2% 10 days", tiers(("2", 10))),
        ("2 % 10 jours", tiers(("2", 10))),
        ("10 Tage 2 %", tiers(("2", 10))),
        ("2 % Skonto bei Zahlung innerhalb von 10 Tagen, 30 Tage netto", tiers(("2", 10))),
        ("3 % 7 Tage, 2 % 14 Tage, 30 Tage netto", tiers(("3", 7), ("2", 14))),
        ("netto 30 Tage; 2,5 % 8 Tage", tiers(("2.5", 8))),
        ("10天内付款2%", tiers(("2", 10))),
        ("2%/10天", tiers(("2", 10))),
        ("１，５ ％ １４ Tage", tiers(("1.5", 14))),  # full-width, as typed on a Chinese keyboard
        ("net 30", ()),
        ("30 Tage netto", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_terms(text) == expected


@pytest.mark.parametrize(
    "text", ["2 %", "Skonto", "2 % Skonto", "abc 12", "25/10 net 30", "2 % 10 Tage 3 % 5 Tage"]
)
def test_anything_else_is_refused_naming_what_was_expected(text):
    with pytest.raises(ValueError, match="discount terms such as '2/10 net 30' or '2 % 10 Tage'"):
        parse_terms(text)


def test_the_discount_is_earned_on_the_last_day_of_the_period_and_late_the_day_after():
    two_ten = parse_terms("2/10 net 30")
    invoiced = np.datetime64("2026-03-01")
    assert discounts(two_ten, invoiced, 127239, np.datetime64("2026-03-11")) == (2545, 0)
    assert discounts(two_ten, invoiced, 127239, np.datetime64("2026-03-12")) == (0, 2545)
    assert discounts((), invoiced, 127239, np.datetime64("2026-03-05")) == (0, 0)


def test_tiers_earn_the_best_rate_still_open_and_remember_the_one_missed():
    three_two = parse_terms("3 % 7 Tage, 2 % 14 Tage")
    invoiced = np.datetime64("2026-03-01")
    assert discounts(three_two, invoiced, 100000, np.datetime64("2026-03-05")) == (3000, 0)
    assert discounts(three_two, invoiced, 100000, np.datetime64("2026-03-10")) == (2000, 3000)
    assert discounts(three_two, invoiced, 100000, np.datetime64("2026-03-20")) == (0, 3000)


@given(rate=st.integers(1, 99), days=st.integers(1, 365), net=st.integers(1, 120), style=st.integers(0, 3))
def test_any_rate_and_period_round_trips(rate, days, net, style):
    pct = Decimal(rate) / 10  # 0.1 % .. 9.9 %
    written = [
        f"{pct}/{days} net {net}",
        f"{pct} % {days} Tage, {net} Tage netto",
        f"{days} days {pct}%",
        f"{days}天内{pct}%",
    ][style]
    assert parse_terms(written) == (Tier(pct, days),)
