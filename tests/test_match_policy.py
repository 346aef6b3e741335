"""Cash-application policy on a small book written for these tests: what posts itself, what is
only suggested, and the exact allocations either way.

The book: a German supplier's customers (one with 2 % Skonto terms, a US one with 2/10 net 30,
a group of two members and its holding, near twins that differ only by legal form) and
invoices numbered 2026 + serial (202603074), one Chinese 20-digit e-invoice, one in USD.
"""

from __future__ import annotations

import pandas as pd
import pytest

from arbook.match import match_settings, open_amounts
from common.currency import Rates
from matching.matcher import ALLOCATION_COLUMNS, match_lines
from receivables import LATEST, Ledger, no_rates
from workbook.contract import Settings

CUSTOMERS = [  # id, name, aliases, group, terms
    ("K1", "Becker Elektrotechnik GmbH", "", "", "2 % 10 Tage, 30 Tage netto"),
    ("K2", "Lakeshore Plumbing Inc.", "", "", "2/10 net 30"),
    ("K3", "Lange Stahlhandel Bayern GmbH", "", "Lange Holding GmbH", ""),
    ("K4", "Lange Stahlhandel West GmbH", "", "Lange Holding GmbH", ""),
    ("K5", "宏悦科技（广州）有限公司", "", "", ""),
    ("K6", "宏悦科技（广州）股份有限公司", "", "", ""),
    ("K7", "Wartungsdienst Kraus KG", "", "", ""),
    ("K8", "Hailong Trading (HK) Ltd", "", "", ""),
]
INVOICES = [  # number, customer, date, cents, currency, reference, own terms
    ("202603074", "K1", "2026-03-02", 100000, "EUR", "", ""),
    ("202603075", "K1", "2026-02-10", 50000, "EUR", "", ""),
    ("202603076", "K1", "2026-03-03", 80000, "EUR", "", "3 % 14 Tage"),
    ("202603080", "K2", "2026-03-01", 127239, "EUR", "PO 4500012345", ""),
    ("202603081", "K3", "2026-02-20", 40000, "EUR", "", ""),
    ("202603082", "K4", "2026-02-21", 60000, "EUR", "", ""),
    ("202603083", "K3", "2026-02-22", 30000, "EUR", "", ""),
    ("26442000000377913461", "K5", "2026-03-05", 500000, "EUR", "", ""),
    ("26442000000377913462", "K6", "2026-03-05", 500000, "EUR", "", ""),
    ("202601010", "K7", "2026-01-02", 12000, "EUR", "", ""),
    ("202602010", "K7", "2026-02-02", 12000, "EUR", "", ""),
    ("202603010", "K7", "2026-03-02", 12000, "EUR", "", ""),
    ("202603090", "K8", "2026-03-04", 8630940, "USD", "", ""),
    ("202603099", "K1", "2026-03-28", 45000, "EUR", "", ""),
    ("202603084", "K4", "2026-03-04", 70000, "EUR", "", ""),
]
NO_ALLOCATIONS = pd.DataFrame(columns=ALLOCATION_COLUMNS)


def book(more_customers=(), more_invoices=()):
    customers = pd.DataFrame(
        [*CUSTOMERS, *more_customers], columns=["CustomerID", "Name", "Aliases", "Group", "DiscountTerms"]
    )
    customers.index += 2
    invoices = pd.DataFrame(
        [*INVOICES, *more_invoices],
        columns=[
            "InvoiceNo",
            "CustomerID",
            "InvoiceDate",
            "Amount",
            "Currency",
            "Reference",
            "DiscountTerms",
        ],
    )
    invoices["InvoiceDate"] = pd.to_datetime(invoices["InvoiceDate"])
    invoices["Amount"] = invoices["Amount"].astype("Int64")
    invoices.index += 2
    return customers, invoices


def bank(*lines: tuple[str, str, int, str, str], currency: str = "EUR") -> pd.DataFrame:
    """(LineID, date, cents, payer, memo) per line."""
    frame = pd.DataFrame(lines, columns=["LineID", "Date", "Amount", "Payer", "Memo"])
    frame["Amount"] = frame["Amount"].astype("Int64")
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame["Currency"] = currency
    frame["BankRef"] = frame["LineID"] + "-REF"
    frame["Account"] = "DE89370400440532013000"
    frame["SourceFile"] = "maerz.xml"
    frame["Status"] = ""
    frame.index += 2
    return frame


def run(
    lines: pd.DataFrame,
    rates: Rates | None = None,
    dated: dict[str, str] | None = None,
    more: tuple[list, list] = ([], []),
    **settings: object,
):
    """Match `lines` on the book (`dated`: invoice number -> another InvoiceDate; `more`: customers
    and invoices added to it)."""
    customers, invoices = book(*more)
    for number, day in (dated or {}).items():
        invoices.loc[invoices["InvoiceNo"] == number, "InvoiceDate"] = pd.Timestamp(day)
    opens = open_amounts(
        lines, Ledger(invoices, NO_ALLOCATIONS, customers, as_of=LATEST, rates=no_rates("EUR"))
    )
    typed = match_settings(Settings(**settings))  # the declared defaults but for `settings`
    return match_lines(
        lines, customers, opens, None, typed, posted_at=pd.Timestamp("2026-04-01 09:00"), rates=rates
    )


def ecb(*rows: tuple[str, str, float]) -> Rates:
    """A Rates table of (date, currency, units per EUR) rows, as the ECB publishes them."""
    frame = pd.DataFrame(rows, columns=["Date", "Currency", "Rate"])
    frame["Date"] = pd.to_datetime(frame["Date"])
    return Rates(frame, base="EUR", max_age_days=7)


def posted(result) -> set[tuple[str, str, str, int, str]]:
    return {
        (r.LineID, r.InvoiceNo, r.CustomerID, int(r.Amount), r.Kind) for r in result.allocations.itertuples()
    }


def best(result, line: str) -> set[tuple[str, str, int, str]]:
    """The rows of a line's best proposal in Matches (posted or suggested)."""
    m = result.matches[result.matches["LineID"] == line]
    first = m[m["MatchID"] == m["MatchID"].iloc[0]]
    return {(r.InvoiceNo, r.CustomerID, int(r.Amount), r.Kind) for r in first.itertuples()}


def decisions(result, line: str) -> set[str]:
    return set(result.matches.loc[result.matches["LineID"] == line, "Decision"])


# --- evidence must agree -------------------------------------------------------------------


def test_a_reference_from_a_named_stranger_with_an_amount_that_does_not_fit_is_only_suggested():
    result = run(bank(("L1", "2026-03-20", 40000, "Autohaus Ziegler GmbH", "RE 202603074")))
    assert posted(result) == set()
    assert best(result, "L1") == {("202603074", "K1", 40000, "payment")}
    assert decisions(result, "L1") == {"suggested"}


def test_a_partial_payment_with_reference_posts_when_the_payer_is_the_customer():
    result = run(bank(("L1", "2026-03-20", 40000, "BECKER ELEKTROTECHNIK GMBH", "RE 202603074 Teilzahlung")))
    assert posted(result) == {("L1", "202603074", "K1", 40000, "payment")}


def test_a_reference_and_the_exact_amount_post_even_from_a_third_party():
    result = run(bank(("L1", "2026-03-20", 100000, "Factoring Bank AG", "RE 202603074")))
    assert posted(result) == {("L1", "202603074", "K1", 100000, "payment")}


def test_the_customers_name_and_an_equal_amount_are_not_enough_when_the_memo_says_rebate():
    result = run(bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", "Jahresbonus 2025")))
    assert posted(result) == set() and result.matches.empty
    assert result.statuses.to_dict("records") == [{"LineID": "L1", "Status": "Unmatched"}]
    assert any("a rebate or bonus" in note for note in result.notes)


def test_the_companys_own_word_keeps_money_out():
    lines = bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", "Mieteinnahme Halle 2"))
    assert posted(run(lines)) == {("L1", "202603074", "K1", 100000, "payment")}
    assert posted(run(lines, match_non_receipt_words=("Mieteinnahme",))) == set()


# --- prepayments and invoices dated after the payment --------------------------------------


def test_an_exact_number_dated_after_the_payment_posts_with_the_exact_amount():
    # 202603099 is dated 28.03., the transfer 10.03. (a proforma paid ahead, or a later-typed date)
    result = run(
        bank(("L1", "2026-03-10", 45000, "Becker Elektrotechnik GmbH", "Vorauszahlung RE 202603099"))
    )
    assert posted(result) == {("L1", "202603099", "K1", 45000, "payment")}


def test_an_exact_number_dated_after_the_payment_with_a_partial_amount_is_only_suggested():
    result = run(bank(("L1", "2026-03-10", 20000, "Becker Elektrotechnik GmbH", "Anzahlung RE 202603099")))
    assert posted(result) == set()
    assert best(result, "L1") == {("202603099", "K1", 20000, "payment")}


def test_the_exact_number_wins_over_an_invoice_one_character_away():
    # 202603075 exists (K1, 500.00); 202603074 is one digit away and its 1,000.00 would fit the
    # amount: the invoice named is paid and the rest left on the customer, never 202603074.
    result = run(bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", "RE 202603075")))
    assert posted(result) == {
        ("L1", "202603075", "K1", 50000, "payment"),
        ("L1", "", "K1", 50000, "unapplied"),
    }
    assert not result.matches["Reason"].str.contains("one character off").any()


def test_a_number_of_another_customers_invoice_is_never_read_as_a_typo_of_the_payers():
    # 202603084 is K4's; K1's 202603074 is one digit away and would fit payer and amount.
    result = run(bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", "RE 202603084")))
    assert posted(result) == set()
    assert not result.matches["Reason"].str.contains("one character off").any()


def test_an_advance_on_an_order_stays_on_the_customers_account():
    # An open invoice of exactly this amount exists (202603074): the memo says advance, so it is not paid.
    result = run(
        bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", "Anzahlung Auftrag AB-2026-0765"))
    )
    assert posted(result) == {("L1", "", "K1", 100000, "unapplied")}
    assert "advance on an order" in result.matches["Reason"].iloc[0]


def test_an_advance_from_a_payer_we_cannot_name_is_only_suggested():
    result = run(bank(("L1", "2026-03-20", 100000, "Becker Elektrik GmbH", "Anzahlung Auftrag AB-2026-0765")))
    assert posted(result) == set()
    assert best(result, "L1") == {("", "K1", 100000, "unapplied")}


def test_an_advance_kept_on_either_of_two_customers_is_two_proposals():
    # The payer is as close to K5 as to K6: each keeping the money is its own proposal (its own
    # MatchID), so approving one does not post the other's row too.
    result = run(bank(("L1", "2026-03-20", 300000, "HONGYUE KEJI GUANGZHOU", "预付款 合同 HT-2026-0765")))
    assert posted(result) == set()
    assert result.matches[["InvoiceNo", "CustomerID", "Amount", "Kind", "Decision"]].values.tolist() == [
        ["", "K5", 300000, "unapplied", "suggested"],
        ["", "K6", 300000, "unapplied", "suggested"],
    ]
    assert result.matches["MatchID"].nunique() == 2


# --- why a proposal that scores high enough did not post itself ------------------------------


def test_a_held_suggestion_says_which_rule_holds_it_in_its_reason():
    result = run(bank(("L1", "2026-03-20", 40000, "Autohaus Ziegler GmbH", "RE 202603074")))
    assert result.matches[["InvoiceNo", "Amount", "Score", "Decision"]].values.tolist() == [
        ["202603074", 40000, 95.6, "suggested"]
    ]
    assert result.matches["Reason"].iloc[0] == (
        "invoice number 202603074 in memo; partial payment: 400.00 of 1000.00 open (202603074); "
        "payer 'Autohaus Ziegler GmbH' is not customer Becker Elektrotechnik GmbH's name; "
        "left to a person: a partial payment or overpayment needs the invoice named and the payer "
        "agreeing: the payer does not agree"
    )


@pytest.mark.parametrize(
    "line, held",
    [
        (
            ("L1", "2026-03-05", 97000, "Becker Elektrotechnik GmbH", "RE 202603074"),
            "the deduction is above the fee tolerance",
        ),
        (
            ("L1", "2026-03-20", 20000, "Becker Elektrotechnik GmbH", "RE 202603099"),
            "the invoice named is dated after the payment: only its exact amount posts itself",
        ),
        (
            ("L1", "2026-03-20", 100000, "Becker Elektrik GmbH", "Anzahlung Auftrag AB-2026-0765"),
            "an advance posts itself only from the customer by name or with its customer number",
        ),
        (
            ("L1", "2026-03-20", 90000, "Inkasso Nord GmbH", "202603081 202603082"),
            "a partial payment or overpayment needs the invoice named and the payer agreeing: "
            "the payer does not agree",
        ),
    ],
    ids=["fee-above-tolerance", "invoice-dated-later", "advance-from-a-stranger", "group-short"],
)
def test_the_rule_that_holds_a_certain_suggestion(line, held):
    result = run(bank(line))
    assert posted(result) == set()
    assert (result.matches["Score"] >= 90).all()
    assert set(result.matches["Reason"].str.split("; left to a person: ").str[1]) == {held}


def test_a_posted_proposal_and_an_uncertain_suggestion_carry_no_such_words():
    posted_line = run(bank(("L1", "2026-03-20", 100000, "Factoring Bank AG", "RE 202603074")))
    equal = run(bank(("L1", "2026-03-20", 500000, "HONGYUE KEJI GUANGZHOU", "货款")))  # near twins
    assert posted_line.matches["Decision"].tolist() == ["auto"]
    assert equal.matches["Score"].tolist() == [49.3, 49.3]
    assert (
        not pd.concat([posted_line.matches, equal.matches])["Reason"].str.contains("left to a person").any()
    )


# --- groups ----------------------------------------------------------------------------------


def test_a_holding_pays_invoices_of_two_members_each_allocation_keeps_its_customer():
    result = run(
        bank(("L1", "2026-03-20", 130000, "Lange Holding GmbH", "RE 202603081, 202603082 und 202603083"))
    )
    assert posted(result) == {
        ("L1", "202603081", "K3", 40000, "payment"),
        ("L1", "202603082", "K4", 60000, "payment"),
        ("L1", "202603083", "K3", 30000, "payment"),
    }
    assert result.allocations["AllocationID"].nunique() == 3


def test_a_member_pays_for_its_sister_company():
    result = run(bank(("L1", "2026-03-20", 100000, "Lange Stahlhandel Bayern GmbH", "202603081 202603082")))
    assert posted(result) == {
        ("L1", "202603081", "K3", 40000, "payment"),
        ("L1", "202603082", "K4", 60000, "payment"),
    }


def test_a_stranger_naming_invoices_of_two_members_with_a_short_amount_is_only_suggested():
    result = run(bank(("L1", "2026-03-20", 90000, "Inkasso Nord GmbH", "202603081 202603082")))
    assert posted(result) == set()
    assert best(result, "L1") == {
        ("202603081", "K3", 40000, "payment"),
        ("202603082", "K4", 50000, "payment"),
    }


# --- references in the forms people type ----------------------------------------------------


@pytest.mark.parametrize(
    "memo",
    ["Re.-Nr. 3074/2026", "RE 3074/26", "Rechnung 2026-3074", "Rechnung 2026/03074", "RE 202603074"],
)
def test_year_inside_an_all_digit_number_serial_first_or_last(memo):
    result = run(bank(("L1", "2026-03-20", 100000, "Becker Elektrotechnik GmbH", memo)))
    assert posted(result) == {("L1", "202603074", "K1", 100000, "payment")}


@pytest.mark.parametrize("memo", ["票号77913461", "发票7913461", "货款 发票913461"])
def test_a_long_e_invoice_number_quoted_by_its_tail(memo):
    result = run(bank(("L1", "2026-03-20", 500000, "宏悦科技（广州）有限公司", memo)))
    assert posted(result) == {("L1", "26442000000377913461", "K5", 500000, "payment")}


def test_a_po_number_kept_in_invoices_reference():
    result = run(bank(("L1", "2026-03-25", 127239, "LAKESHORE PLUMBING", "PO# 4500012345")))
    assert posted(result) == {("L1", "202603080", "K2", 127239, "payment")}


def test_numbers_found_nowhere_leave_no_remainder_unapplied_by_itself():
    # 202603074 is named and paid; 202603199 is no invoice of ours: the 500.00 more is the
    # customer's 202603075 (an open item that fits exactly), not money left on account.
    result = run(bank(("L1", "2026-03-20", 150000, "Becker Elektrotechnik GmbH", "RE 202603074 202603199")))
    assert posted(result) == {
        ("L1", "202603074", "K1", 100000, "payment"),
        ("L1", "202603075", "K1", 50000, "payment"),
    }


def test_numbers_found_nowhere_and_no_item_that_fits_make_the_overpayment_a_suggestion():
    result = run(bank(("L1", "2026-03-20", 107000, "Becker Elektrotechnik GmbH", "RE 202603074 202603199")))
    assert posted(result) == set()
    assert best(result, "L1") == {("202603074", "K1", 100000, "payment"), ("", "K1", 7000, "unapplied")}
    # ...while without the unknown number the 70.00 more is an overpayment left on the customer
    plain = run(bank(("L1", "2026-03-20", 107000, "Becker Elektrotechnik GmbH", "RE 202603074")))
    assert posted(plain) == {
        ("L1", "202603074", "K1", 100000, "payment"),
        ("L1", "", "K1", 7000, "unapplied"),
    }


# --- early-payment discount terms ------------------------------------------------------------


def test_a_payment_inside_the_period_short_by_the_terms_discount_settles_whatever_the_fee_tolerance():
    # 2 % of 1,000.00 = 20.00 > fee_tolerance 15.00; paid on day 8 of 10.
    result = run(bank(("L1", "2026-03-10", 98000, "Becker Elektrotechnik GmbH", "RE 202603074")))
    assert posted(result) == {
        ("L1", "202603074", "K1", 98000, "payment"),
        ("L1", "202603074", "K1", 2000, "discount"),
    }
    assert "the discount its terms grant" in result.matches["Reason"].iloc[0]


def test_the_terms_discount_without_any_reference_from_the_customer():
    result = run(bank(("L1", "2026-03-10", 98000, "Becker Elektrotechnik GmbH", "Zahlung")))
    assert posted(result) == {
        ("L1", "202603074", "K1", 98000, "payment"),
        ("L1", "202603074", "K1", 2000, "discount"),
    }


def test_an_invoices_own_terms_win_over_its_customers():
    # 202603076 carries 3 % 14 Tage: 24.00 on 800.00, paid on day 12.
    result = run(
        bank(("L1", "2026-03-15", 77600, "Becker Elektrotechnik GmbH", "RE 202603076 abzgl. 3 % Skonto"))
    )
    assert posted(result) == {
        ("L1", "202603076", "K1", 77600, "payment"),
        ("L1", "202603076", "K1", 2400, "discount"),
    }


@pytest.mark.parametrize(
    "memo",
    [
        "INV 202603080 LESS 2% DISC",
        "RMR*IV*202603080*1246.94*1272.39*25.45\\",
        "202603080 2/10 NET 30 DISC TAKEN",
    ],
)
def test_us_remittance_discounts_are_discounts_not_bank_fees(memo):
    result = run(bank(("L1", "2026-03-09", 124694, "LAKESHORE PLUMBING", memo)))
    assert posted(result) == {
        ("L1", "202603080", "K2", 124694, "payment"),
        ("L1", "202603080", "K2", 2545, "discount"),
    }


def test_a_discount_taken_after_the_period_is_a_suggestion_and_the_difference_stays_open():
    result = run(
        bank(("L1", "2026-03-20", 98000, "Becker Elektrotechnik GmbH", "RE 202603074 abzgl. 2 % Skonto"))
    )
    assert posted(result) == set()
    assert best(result, "L1") == {("202603074", "K1", 98000, "payment")}
    reason = result.matches["Reason"].iloc[0]
    assert "a discount of 20.00 was taken after its period" in reason
    assert "202603074 on 2026-03-12" in reason and "the difference stays open" in reason
    granted = result.matches[result.matches["Kind"] == "discount"]
    assert granted[["InvoiceNo", "Amount", "Decision"]].values.tolist() == [["202603074", 2000, "suggested"]]


def test_abzgl_skonto_without_terms_is_a_discount_within_the_fee_tolerance():
    # K3 has no terms: a 2 % Skonto of 8.00 is booked as discount (the memo says so), not as a fee.
    result = run(
        bank(("L1", "2026-03-20", 39200, "Lange Stahlhandel Bayern GmbH", "RE 202603081 abzgl. 2 % Skonto"))
    )
    assert posted(result) == {
        ("L1", "202603081", "K3", 39200, "payment"),
        ("L1", "202603081", "K3", 800, "discount"),
    }


# --- months named, near twins, other currencies -------------------------------------------------


@pytest.mark.parametrize(
    "memo, invoice",
    [
        ("Wartung 02/2026", "202602010"),
        ("Wartungspauschale Januar 2026", "202601010"),
        ("付2月服务费", "202602010"),
    ],
)
def test_the_month_the_memo_names_picks_among_equal_invoices(memo, invoice):
    result = run(bank(("L1", "2026-03-20", 12000, "Wartungsdienst Kraus KG", memo)))
    assert posted(result) == {("L1", invoice, "K7", 12000, "payment")}


def test_equal_invoices_without_a_month_the_customers_payment_settles_the_oldest():
    result = run(bank(("L1", "2026-03-20", 12000, "Wartungsdienst Kraus KG", "Wartung")))
    assert posted(result) == {("L1", "202601010", "K7", 12000, "payment")}
    assert "the oldest of them (oldest first)" in result.matches["Reason"].iloc[0]


def test_two_payments_for_equal_invoices_naming_nothing_are_left_to_a_person_in_payment_order():
    result = run(
        bank(
            ("L1", "2026-03-20", 12000, "Wartungsdienst Kraus KG", "Wartung"),
            ("L2", "2026-03-24", 12000, "Wartungsdienst Kraus KG", "Wartungsvertrag"),
        )
    )
    assert posted(result) == set()
    assert best(result, "L1") == {("202601010", "K7", 12000, "payment")}
    assert best(result, "L2") == {("202602010", "K7", 12000, "payment")}
    held = result.matches.loc[result.matches["Decision"] == "suggested", "Reason"]
    assert len(held) == 2
    assert held.str.endswith(
        "left to a person: 2 payments of this run pay this customer's equal open items: "
        "which pays which is for a person to say"
    ).all()


def test_equal_payments_take_equal_invoices_in_the_order_of_their_dates_not_of_the_statement():
    # L3 is dated between L1 and L2: it takes the second oldest, L2 the third; approving all
    # three settles all three invoices, each once.
    result = run(
        bank(
            ("L1", "2026-03-20", 12000, "Wartungsdienst Kraus KG", "Wartung"),
            ("L2", "2026-03-24", 12000, "Wartungsdienst Kraus KG", "Wartung"),
            ("L3", "2026-03-22", 12000, "Wartungsdienst Kraus KG", "Wartung"),
        )
    )
    assert posted(result) == set()
    assert {line: best(result, line) for line in ("L1", "L2", "L3")} == {
        "L1": {("202601010", "K7", 12000, "payment")},
        "L2": {("202603010", "K7", 12000, "payment")},
        "L3": {("202602010", "K7", 12000, "payment")},
    }
    reason = result.matches.set_index("LineID")["Reason"]
    assert "the oldest of them (oldest first)" in reason["L1"]
    assert "the oldest of them but 2: 2 earlier payments of this run take the older" in reason["L2"]


def test_a_payment_naming_a_month_takes_its_invoice_before_the_oldest_first_one():
    result = run(
        bank(
            ("L1", "2026-03-20", 12000, "Wartungsdienst Kraus KG", "Wartung"),
            ("L2", "2026-03-24", 12000, "Wartungsdienst Kraus KG", "Wartung 01/2026"),
        )
    )
    assert posted(result) == {
        ("L2", "202601010", "K7", 12000, "payment"),
        ("L1", "202602010", "K7", 12000, "payment"),
    }


def test_equal_invoices_from_a_payer_we_cannot_name_stay_a_suggestion_oldest_first():
    result = run(bank(("L1", "2026-03-20", 12000, "", "Wartung")))
    assert posted(result) == set()
    assert best(result, "L1") == {("202601010", "K7", 12000, "payment")}


@pytest.mark.parametrize(
    "payer, customer, invoice",
    [
        ("宏悦科技（广州）有限公司", "K5", "26442000000377913461"),
        ("宏悦科技（广州）股份有限公司", "K6", "26442000000377913462"),
    ],
)
def test_near_twins_are_told_apart_by_the_legal_form_the_payer_writes(payer, customer, invoice):
    result = run(bank(("L1", "2026-03-20", 500000, payer, "货款")))
    assert posted(result) == {("L1", invoice, customer, 500000, "payment")}


def test_a_payer_without_the_legal_form_of_near_twins_is_left_to_a_person():
    result = run(bank(("L1", "2026-03-20", 500000, "HONGYUE KEJI GUANGZHOU", "货款")))
    assert posted(result) == set()
    assert decisions(result, "L1") == {"suggested"}


def test_equally_likely_near_twins_show_first_the_one_the_payer_spells_letter_for_letter():
    # The payer is Moller's name as written; Möller's only once the umlaut is folded (and its
    # bank is known to write 'Moeller'). Möller's invoice is older: the name decides first.
    twins = (
        [
            ("K9", "Möller Elektro GmbH", "Moeller Elektro GmbH", "", ""),
            ("K10", "Moller Elektro GmbH", "", "", ""),
        ],
        [
            ("202602201", "K9", "2026-02-02", 20170, "EUR", "", ""),
            ("202603201", "K10", "2026-03-05", 20170, "EUR", "", ""),
        ],
    )
    result = run(bank(("L1", "2026-03-20", 20170, "Moller Elektro GmbH", "Zahlung")), more=twins)
    assert posted(result) == set()
    assert result.matches[["InvoiceNo", "CustomerID", "Score", "Decision"]].values.tolist() == [
        ["202603201", "K10", 49.3, "suggested"],
        ["202602201", "K9", 49.3, "suggested"],
    ]


@pytest.mark.parametrize("older", ["26442000000377913461", "26442000000377913462"])
def test_equally_likely_suggestions_show_the_older_invoice_first(older):
    lines = bank(("L1", "2026-03-20", 500000, "HONGYUE KEJI GUANGZHOU", "货款"))
    result = run(lines, dated={older: "2026-02-05"})
    assert posted(result) == set()
    assert result.matches["Score"].tolist() == [49.3, 49.3]
    assert result.matches["InvoiceNo"].iloc[0] == older


def test_a_payment_in_another_currency_names_the_rate_it_implies():
    lines = bank(
        ("L1", "2026-03-16", 61970149, "HAILONG TRADING (HK) LTD", "USD 86,309.40 发票号202603090"),
        currency="CNY",
    )
    result = run(lines)
    assert posted(result) == set()
    assert best(result, "L1") == {("202603090", "K8", 61970149, "payment")}
    reason = result.matches["Reason"].iloc[0]
    assert "paid 619701.49 CNY for 86309.40 USD open (202603090): 7.1800 CNY per USD" in reason
    assert "the memo states that amount" in reason


def test_an_amount_in_another_currency_stated_in_the_memo_finds_the_invoice_without_its_number():
    lines = bank(
        ("L1", "2026-03-16", 61970149, "HAILONG TRADING (HK) LTD", "USD 86,309.40 货款"), currency="CNY"
    )
    result = run(lines)
    assert posted(result) == set()
    assert best(result, "L1") == {("202603090", "K8", 61970149, "payment")}


USD_RATE = ecb(("2026-03-13", "USD", 1.1684))
HAILONG = "Hailong Trading (HK) Ltd"


def crossed(result) -> set[tuple[str, str, str, int, str, str, object, str]]:
    return {
        (r.LineID, r.InvoiceNo, r.CustomerID, int(r.Amount), r.Kind, r.Currency, r.LineAmount, r.LineCurrency)
        for r in result.allocations.itertuples()
    }


def test_a_payment_in_euro_of_a_dollar_invoice_named_by_its_customer_posts_itself_within_the_tolerance():
    # 73,500.00 EUR for 86,309.40 USD implies 1.174277 USD per EUR, 0.50 % from the table's 1.1684:
    # worth 85,877.40 USD at the table's rate, the 432.00 USD left is the exchange difference.
    result = run(bank(("L1", "2026-03-16", 7350000, HAILONG, "Invoice 202603090")), rates=USD_RATE)
    assert crossed(result) == {
        ("L1", "202603090", "K8", 8587740, "payment", "USD", 7350000, "EUR"),
        ("L1", "202603090", "K8", 43200, "fx", "USD", pd.NA, ""),
    }
    assert result.statuses.values.tolist() == [["L1", "Matched"]]
    reason = result.matches["Reason"].iloc[0]
    assert "the Rates table's of 2026-03-13: 0.8559 EUR per USD (0.50 % apart)" in reason


def test_a_payment_in_another_currency_outside_the_tolerance_is_a_suggestion_with_both_rates():
    result = run(bank(("L1", "2026-03-16", 7000000, HAILONG, "Invoice 202603090")), rates=USD_RATE)
    assert posted(result) == set()
    assert best(result, "L1") == {("202603090", "K8", 7000000, "payment")}
    reason = result.matches["Reason"].iloc[0]
    assert "paid 70000.00 EUR for 86309.40 USD open (202603090): 0.8110 EUR per USD" in reason
    assert reason.endswith(
        "left to a person: a payment in another currency posts itself only with the invoice named, "
        "the payer agreeing and its rate near the Rates table's: the implied rate is 5.53 % from the "
        "Rates table's, more than fx_rate_tolerance_percent (1 %)"
    )
    wider = run(
        bank(("L1", "2026-03-16", 7000000, HAILONG, "Invoice 202603090")),
        rates=USD_RATE,
        fx_rate_tolerance_percent=6.0,
    )
    assert crossed(wider) == {
        ("L1", "202603090", "K8", 8178800, "payment", "USD", 7000000, "EUR"),
        ("L1", "202603090", "K8", 452140, "fx", "USD", pd.NA, ""),
    }


@pytest.mark.parametrize("rates", [None, ecb(("2026-02-20", "USD", 1.1684))], ids=["no-table", "too-old"])
def test_a_missing_rate_leaves_a_suggestion_naming_currency_and_day_never_a_rate_of_one(rates):
    result = run(bank(("L1", "2026-03-16", 7350000, HAILONG, "Invoice 202603090")), rates=rates)
    assert posted(result) == set()
    assert best(result, "L1") == {("202603090", "K8", 7350000, "payment")}
    reason = result.matches["Reason"].iloc[0]
    said = "no Rates table was given" if rates is None else "no USD rate for 2026-03-16"
    assert said in reason and "Rates table's of" not in reason


def test_a_payment_in_another_currency_from_a_stranger_waits_for_a_person():
    result = run(
        bank(("L1", "2026-03-16", 7350000, "Inkasso Nord GmbH", "Invoice 202603090")), rates=USD_RATE
    )
    assert posted(result) == set()
    assert (
        result.matches["Reason"].iloc[0].endswith("its rate near the Rates table's: the payer does not agree")
    )


def test_terms_that_cannot_be_read_are_named_and_grant_nothing():
    customers, invoices = book()
    customers.loc[customers["CustomerID"] == "K1", "DiscountTerms"] = "Skonto nach Absprache"
    lines = bank(("L1", "2026-03-10", 98000, "Becker Elektrotechnik GmbH", "RE 202603074"))
    opens = open_amounts(
        lines, Ledger(invoices, NO_ALLOCATIONS, customers, as_of=LATEST, rates=no_rates("EUR"))
    )
    result = match_lines(lines, customers, opens, None, match_settings(Settings()))
    assert posted(result) == set()  # 20.00 short, above the fee tolerance, and no terms: a person looks
    assert (
        "Customers row 2, column DiscountTerms: expected discount terms such as '2/10 net 30' or "
        "'2 % 10 Tage', got 'Skonto nach Absprache'; no discount is granted by it"
    ) in result.notes


def test_a_rejected_group_proposal_is_never_proposed_again():
    lines = bank(("L1", "2026-03-20", 90000, "Inkasso Nord GmbH", "202603081 202603082"))
    first = run(lines)
    group = first.matches[first.matches["InvoiceNo"].isin(["202603081", "202603082"])]
    rejected = first.matches.assign(
        Approve=first.matches["MatchID"].isin(group["MatchID"]).map({True: False, False: None})
    )
    customers, invoices = book()
    opens = open_amounts(
        lines, Ledger(invoices, NO_ALLOCATIONS, customers, as_of=LATEST, rates=no_rates("EUR"))
    )
    second = match_lines(lines, customers, opens, rejected, match_settings(Settings()))
    again = second.matches[second.matches["Status"] == "pending"]
    assert not (set(again["MatchID"]) & set(group["MatchID"]))
    assert set(second.matches.loc[second.matches["Status"] == "rejected", "MatchID"]) == set(group["MatchID"])
