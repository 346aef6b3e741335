"""Spreading one payment over one customer's open items, in cents; and screening lines."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.matcher.amounts import find_subsets, fits_for_customer, split_difference
from matching.matcher.memo import NOTHING, read_memos
from matching.matcher.screening import duplicate_of, non_receipt
from matching.matcher.vocabulary import vocabulary


def says(memo: str):
    """What the matcher reads from a memo (paid on 2026-10-10, in EUR)."""
    read = read_memos(
        pd.Series([memo]), pd.Series([pd.Timestamp("2026-10-10")]), pd.Series(["EUR"]), vocabulary()
    )
    return read.get(0, NOTHING)


def test_subsets_are_found_oldest_first_and_bounded():
    assert find_subsets([100, 200, 300, -50], 250, 250) == [(0, 1, 3), (2, 3)]
    assert find_subsets([100, 200, 300], 1000, 1000) == []
    assert find_subsets([5] * 30, 50, 50) == []  # would need 10 items: more than MAX_SUBSET_ITEMS


def by_fit(fits):
    return {(f.fit, f.rows, f.ambiguous) for f in fits}


def test_exact_single_item_is_preferred_over_subsets():
    fits = fits_for_customer(10000, [5000, 5000, 10000, 3000], [], fee_tolerance=1500, amount_tolerance=0)
    assert fits[0].rows == ((2, 10000, "payment"),) and fits[0].fit == "exact" and not fits[0].ambiguous


def test_equal_items_are_ambiguous_oldest_first():
    fits = fits_for_customer(5000, [5000, 5000], [], fee_tolerance=0, amount_tolerance=0)
    assert [(f.rows, f.ambiguous) for f in fits if f.fit == "exact"] == [
        (((0, 5000, "payment"),), True),
        (((1, 5000, "payment"),), True),
    ]


def test_referenced_items_with_a_fee_and_a_partial_alternative():
    fits = fits_for_customer(
        98800, [100000, 20000], [0], fee_tolerance=1500, amount_tolerance=0, says=says("INV-1")
    )
    assert ("fee", ((0, 98800, "payment"), (0, 1200, "fee")), False) in by_fit(fits)
    assert ("partial", ((0, 98800, "payment"),), False) in by_fit(fits)


def test_referenced_items_overpaid_rest_unapplied():
    fits = fits_for_customer(120500, [100000, 30000], [0], fee_tolerance=1500, amount_tolerance=0)
    assert fits[0].fit == "over" and fits[0].rows == ((0, 100000, "payment"), (-1, 20500, "unapplied"))


def test_referenced_items_completed_by_an_unreferenced_credit_note():
    fits = fits_for_customer(80000, [100000, -20000, 5000], [0], fee_tolerance=1500, amount_tolerance=0)
    assert fits[0].fit == "exact"
    assert set(fits[0].rows) == {(0, 100000, "payment"), (1, -20000, "payment")}
    assert (fits[0].referenced, fits[0].items) == (1, 2)


def test_referenced_invoice_already_paid_leaves_the_money_unapplied():
    fits = fits_for_customer(5000, [0, 7000], [0], fee_tolerance=0, amount_tolerance=0)
    assert fits[0].fit == "paid" and fits[0].rows == ((-1, 5000, "unapplied"),)


@pytest.mark.parametrize(
    "diff, invoiced, memo, tolerance, kind",
    [
        (1000, 50000, "", None, "discount"),  # 2 % exactly
        (1250, 100000, "", None, "fee"),
        (1000, 50000, "bank charges", None, "fee"),  # the memo says what it is
        (700, 100000, "abzgl. Skonto", None, "discount"),
        (2000, 100000, "", 1500, "discount"),  # 2 % above tolerance: still a discount (never auto)
        (3100, 200000, "", 1500, "fee"),  # 31.00 on 2,000.00: a plausible fee above tolerance
        (3100, 200000, "Teilzahlung", 1500, None),  # the payer says partial
        (60000, 100000, "", 1500, None),  # 600.00 short: a partial payment
    ],
)
def test_what_a_short_payment_is(diff, invoiced, memo, tolerance, kind):
    assert split_difference(diff, invoiced, says(memo), tolerance) == kind


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(1, 2_000_000),
    opens=st.lists(st.integers(-300_000, 1_000_000), min_size=0, max_size=12),
    data=st.data(),
)
def test_every_fit_spends_exactly_the_payment_and_never_more_than_an_item_holds(amount, opens, data):
    refs = data.draw(st.lists(st.integers(0, max(len(opens) - 1, 0)), max_size=3)) if opens else []
    for fit in fits_for_customer(amount, opens, refs, fee_tolerance=1500, amount_tolerance=0):
        money = sum(c for _, c, kind in fit.rows if kind in ("payment", "unapplied"))
        assert money == amount
        used: dict[int, int] = {}
        for item, cents, kind in fit.rows:
            if item >= 0:
                assert kind in ("payment", "fee", "discount")
                used[item] = used.get(item, 0) + cents
        for item, cents in used.items():
            assert 0 < cents <= opens[item] or opens[item] <= cents < 0


def lines(*rows):
    frame = pd.DataFrame(rows, columns=["LineID", "Date", "Amount", "Payer", "Memo", "BankRef", "SourceFile"])
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame["Amount"] = frame["Amount"].astype("Int64")
    frame["Account"] = "DE89"
    return frame


def test_duplicates_across_files_but_not_within_one_file():
    frame = lines(
        ("L1", "2026-10-01", 1000, "ACME", "INV 1", "R1", "a.sta"),
        ("L2", "2026-10-01", 1000, "ACME", "INV 1", "R1", "a.csv"),  # same transfer, other file
        ("L3", "2026-10-01", 1000, "ACME", "INV 1", "R1", "a.sta"),  # same file: a second payment
        ("L4", "2026-10-01", 1000, "Acme", "inv-1", "", "b.csv"),  # no bank ref: memo and payer decide
        ("L5", "2026-10-01", 1000, "ACME", "INV 1", "", "c.csv"),
        ("L6", "2026-10-02", 1000, "ACME", "INV 1", "R1", "a.csv"),  # another day
    )
    assert duplicate_of(frame).tolist() == ["", "L1", "", "", "L4", ""]


def test_not_receipts():
    frame = lines(
        ("L1", "2026-10-01", 1000, "Finanzamt", "USt", "", ""),
        ("L2", "2026-10-01", 1000, "Bank", "Habenzinsen Q3", "", ""),
        ("L3", "2026-10-01", 1000, "ACME GMBH", "INV-2026-00412", "", ""),
        ("L4", "2026-10-01", 1000, "Nordwerk GmbH", "Umbuchung", "", ""),
        ("L5", "2026-10-01", 1000, "Nordwerk Industrietechnik GmbH", "Transfer", "", ""),
        ("L6", "2026-10-01", 1000, "深圳供应商", "退款", "", ""),
    )
    assert non_receipt(frame, vocabulary(), "Nordwerk Industrietechnik GmbH").tolist() == [
        "a tax refund",
        "interest",
        "",
        "a transfer between own accounts",
        "a transfer between own accounts",
        "a refund or return",
    ]
