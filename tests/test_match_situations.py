"""Every situation of a right match (docs/contract.md), on hand-built tables, with the exact allocations expected.

Each test builds a tiny book (customers, invoices, one or a few bank lines), runs the whole
matcher pipeline and compares the Allocations rows it would post (or the Matches rows it
suggests) with the ones a careful clerk would book.
"""

from __future__ import annotations

import pandas as pd
import pytest

from arbook.match import match_settings, open_amounts
from common.currency import Rates
from matching.matcher import ALLOCATION_COLUMNS, match_lines, post_approved
from receivables import LATEST, Ledger, no_rates
from workbook.contract import Settings

CUSTOMERS = [
    ("C001", "Acme GmbH", ""),
    ("C002", "Müller Maschinenbau GmbH & Co. KG", ""),
    ("C003", "北京华为科技有限公司", ""),
    ("C004", "Société Générale de Transport S.A.", ""),
    ("C005", "Internationale Handelsgesellschaft für Maschinen und Anlagen mbH", ""),
    ("C006", "Smith & Sons Ltd", "SMITH HOLDING PLC"),
    ("C007", "Acme Logistics Ltd", ""),
]
INVOICES = [  # number, customer, date, cents
    ("INV-2026-00412", "C001", "2026-09-01", 100000),
    ("INV-2026-00413", "C001", "2026-09-15", 50000),
    ("INV-2026-00420", "C001", "2026-09-20", 23450),
    ("INV-2026-00430", "C002", "2026-09-02", 25000),
    ("INV-2026-00431", "C002", "2026-09-20", 30000),
    ("INV-2026-00432", "C002", "2026-09-25", 17500),
    ("CN-2026-00007", "C002", "2026-09-28", -7500),
    ("INV-2026-00440", "C003", "2026-10-01", 88800),
    ("INV-2026-00450", "C004", "2026-09-10", 120000),
    ("INV-2026-00460", "C005", "2026-09-11", 64321),
    ("INV-2026-00470", "C006", "2026-09-12", 99000),
    ("INV-2026-00480", "C007", "2026-09-13", 41000),
]


def book(extra_invoices: list[tuple[str, str, str, int]] = (), aliases: dict[str, str] | None = None):
    customers = pd.DataFrame(CUSTOMERS, columns=["CustomerID", "Name", "Aliases"])
    for cid, alias in (aliases or {}).items():
        customers.loc[customers["CustomerID"] == cid, "Aliases"] = alias
    rows = [*INVOICES, *extra_invoices]
    invoices = pd.DataFrame(rows, columns=["InvoiceNo", "CustomerID", "InvoiceDate", "Amount"])
    invoices["InvoiceDate"] = pd.to_datetime(invoices["InvoiceDate"])
    invoices["Amount"] = invoices["Amount"].astype("Int64")
    invoices["Currency"] = "EUR"
    invoices["Reference"] = ""
    invoices.index += 2  # Excel rows
    return customers, invoices


def bank(*lines: tuple[str, int, str, str]) -> pd.DataFrame:
    """(LineID, cents, payer, memo) per line; all on 2026-10-10 into one account."""
    frame = pd.DataFrame(lines, columns=["LineID", "Amount", "Payer", "Memo"])
    frame["Amount"] = frame["Amount"].astype("Int64")
    frame["Date"] = pd.Timestamp("2026-10-10")
    frame["Currency"] = "EUR"
    frame["BankRef"] = frame["LineID"] + "-REF"
    frame["Account"] = "DE89370400440532013000"
    frame["SourceFile"] = "october.sta"
    frame["Status"] = ""
    frame.index += 2
    return frame


NO_ALLOCATIONS = pd.DataFrame(columns=ALLOCATION_COLUMNS)


def match(lines, invoices, customers, allocations, previous, settings, **options):
    """The matcher as `arbook match` runs it, on open amounts the ledger computes from the tables;
    `settings` are the workbook's keys that differ from their defaults."""
    opens = open_amounts(lines, Ledger(invoices, allocations, customers, as_of=LATEST, rates=no_rates("EUR")))
    typed = match_settings(Settings(**settings))  # the declared defaults but for `settings`
    return match_lines(lines, customers, opens, previous, typed, **options)


def post(lines, invoices, customers, allocations, matches, **options):
    """Posting as `arbook post` runs it."""
    return post_approved(
        lines,
        customers,
        open_amounts(lines, Ledger(invoices, allocations, customers, as_of=LATEST, rates=no_rates("EUR"))),
        matches,
        **options,
        base_currency="EUR",
    )


def run(lines, *, extra=(), aliases=None, allocations=NO_ALLOCATIONS, previous=None, settings=None):
    customers, invoices = book(list(extra), aliases)
    return match(
        lines,
        invoices,
        customers,
        allocations,
        previous,
        settings or {},
        posted_at=pd.Timestamp("2026-11-01 09:00"),
    )


def posted(result) -> set[tuple[str, str, str, int, str]]:
    a = result.allocations
    return {(r.LineID, r.InvoiceNo, r.CustomerID, int(r.Amount), r.Kind) for r in a.itertuples()}


@pytest.mark.parametrize(
    "memo",
    [
        "Rechnung INV-2026-00412",
        "inv2026/00412",
        "Invoice inv 2026 412",
        "RE-NR 2026-412 vom 03.10.2026",
        "Zahlung 202600412",
        "payment for invoice 00412 thank you",
        "INV-2026-0412",
        "INV 2026 00412, Kunde Acme",
    ],
)
def test_invoice_number_in_any_spelling_is_found_and_posted(memo):
    result = run(bank(("L1", 100000, "ACME GMBH", memo)))
    assert posted(result) == {("L1", "INV-2026-00412", "C001", 100000, "payment")}
    assert result.matches["Decision"].tolist() == ["auto"]
    assert "INV-2026-00412" in result.matches["Reason"].iloc[0]


def test_one_mistyped_digit_is_accepted_when_amount_and_payer_agree():
    result = run(bank(("L1", 100000, "Acme GmbH", "Invoice INV-2026-00421")))  # 412 typed as 421
    assert posted(result) == {("L1", "INV-2026-00412", "C001", 100000, "payment")}
    assert "one character off" in result.matches["Reason"].iloc[0]


def test_one_mistyped_digit_alone_posts_nothing():
    # 421 is one swap from 412, but neither amount nor payer agree: never evidence alone.
    result = run(bank(("L1", 77700, "Somebody Else", "Invoice INV-2026-00421")))
    assert result.allocations.empty
    assert result.matches.empty


def test_several_invoice_numbers_in_one_memo():
    result = run(bank(("L1", 150000, "ACME GMBH", "INV-2026-00412 + INV-2026-00413")))
    assert posted(result) == {
        ("L1", "INV-2026-00412", "C001", 100000, "payment"),
        ("L1", "INV-2026-00413", "C001", 50000, "payment"),
    }
    assert result.matches["MatchID"].nunique() == 1


@pytest.mark.parametrize(
    "payer, customer, invoice, cents",
    [
        ("MUELLER MASCHINENBAU GMBH + CO KG", "C002", "INV-2026-00430", 25000),  # umlaut spelled out
        ("Maschinenbau Müller", "C002", "INV-2026-00430", 25000),  # word order, no legal form
        ("BEIJING HUAWEI KEJI YOUXIAN GONGSI", "C003", "INV-2026-00440", 88800),  # pinyin
        ("SOCIETE GENERALE DE TRANSPORT SA", "C004", "INV-2026-00450", 120000),  # accents, S.A.
        ("INTERNATIONALE HANDELSGESELLSCHA", "C005", "INV-2026-00460", 64321),  # cut at the bank field
        ("SMITH HOLDING PLC", "C006", "INV-2026-00470", 99000),  # a parent paying, known alias
    ],
)
def test_payer_names_unlike_the_customer_name_without_any_reference(payer, customer, invoice, cents):
    result = run(bank(("L1", cents, payer, "Payment")))
    assert posted(result) == {("L1", invoice, customer, cents, "payment")}


def test_third_party_paying_with_a_reference_is_posted_to_the_invoice_customer():
    result = run(bank(("L1", 41000, "Factoring Bank AG", "INV-2026-00480")))
    assert posted(result) == {("L1", "INV-2026-00480", "C007", 41000, "payment")}


def test_no_reference_one_payment_for_several_invoices_and_a_credit_note():
    # 250.00 + 300.00 + 175.00 - 75.00 (credit note) = 650.00: no other set of Müller's items.
    result = run(bank(("L1", 65000, "Mueller Maschinenbau", "Sammelzahlung Oktober")))
    assert posted(result) == {
        ("L1", "INV-2026-00430", "C002", 25000, "payment"),
        ("L1", "INV-2026-00431", "C002", 30000, "payment"),
        ("L1", "INV-2026-00432", "C002", 17500, "payment"),
        ("L1", "CN-2026-00007", "C002", -7500, "payment"),
    }


def test_two_subsets_that_fit_are_suggested_oldest_first_never_posted():
    # 475.00 = 250 + 300 - 75 (oldest items) = 300 + 175: no evidence says which.
    result = run(bank(("L1", 47500, "Mueller Maschinenbau", "Sammelzahlung")))
    assert result.allocations.empty
    best = result.matches[result.matches["MatchID"] == result.matches["MatchID"].iloc[0]]
    assert set(best["InvoiceNo"]) == {"INV-2026-00430", "INV-2026-00431", "CN-2026-00007"}
    assert set(result.matches["Decision"]) == {"suggested"}


def test_credit_note_netted_with_references():
    result = run(bank(("L1", 10000, "Mueller Maschinenbau", "INV-2026-00432 abzgl. CN-2026-00007")))
    assert posted(result) == {
        ("L1", "INV-2026-00432", "C002", 17500, "payment"),
        ("L1", "CN-2026-00007", "C002", -7500, "payment"),
    }


def test_several_payments_for_one_invoice_never_exceed_its_open_amount():
    lines = bank(
        ("L1", 40000, "ACME GMBH", "INV-2026-00412 Teilzahlung 1"),
        ("L2", 60000, "ACME GMBH", "INV-2026-00412 Teilzahlung 2"),
        ("L3", 60000, "ACME GMBH", "INV-2026-00412 Teilzahlung 3"),
    )
    result = run(lines)
    to_412 = result.allocations[result.allocations["InvoiceNo"] == "INV-2026-00412"]
    assert int(to_412["Amount"].sum()) == 100000
    assert {("L1", 40000), ("L2", 60000)} == {(r.LineID, int(r.Amount)) for r in to_412.itertuples()}
    assert "L3" not in set(result.allocations["LineID"])


def test_partial_payment_with_reference():
    result = run(bank(("L1", 30000, "ACME GMBH", "INV-2026-00412 part payment")))
    assert posted(result) == {("L1", "INV-2026-00412", "C001", 30000, "payment")}
    assert "partial payment" in result.matches["Reason"].iloc[0]


def test_bank_fee_deducted_within_tolerance():
    result = run(bank(("L1", 98750, "ACME GMBH", "INV-2026-00412")))
    assert posted(result) == {
        ("L1", "INV-2026-00412", "C001", 98750, "payment"),
        ("L1", "INV-2026-00412", "C001", 1250, "fee"),
    }


def test_early_payment_discount_deducted():
    result = run(bank(("L1", 49000, "ACME GMBH", "INV-2026-00413 abzgl. 2% Skonto")))
    assert posted(result) == {
        ("L1", "INV-2026-00413", "C001", 49000, "payment"),
        ("L1", "INV-2026-00413", "C001", 1000, "discount"),
    }


def test_fee_above_tolerance_is_suggested_not_posted():
    result = run(bank(("L1", 97250, "ACME GMBH", "INV-2026-00412")))  # 27.50 short > 15.00
    assert result.allocations.empty
    proposals = [
        {(r.InvoiceNo, int(r.Amount), r.Kind) for r in g.itertuples()}
        for _, g in result.matches.groupby("MatchID", sort=False)
    ]
    assert proposals == [{("INV-2026-00412", 97250, "payment"), ("INV-2026-00412", 2750, "fee")}]
    assert result.matches["Decision"].iloc[0] == "suggested"
    assert "above the fee tolerance" in result.matches["Reason"].iloc[0]


def test_overpayment_rest_is_unapplied_on_the_customer():
    result = run(bank(("L1", 105000, "ACME GMBH", "INV-2026-00412")))
    assert posted(result) == {
        ("L1", "INV-2026-00412", "C001", 100000, "payment"),
        ("L1", "", "C001", 5000, "unapplied"),
    }


def test_same_transfer_imported_twice_pays_once():
    lines = bank(("L1", 100000, "ACME GMBH", "INV-2026-00412"), ("L2", 100000, "ACME GMBH", "INV-2026-00412"))
    lines["BankRef"] = "SAME-REF"
    lines.loc[lines["LineID"] == "L2", "SourceFile"] = "october.csv"
    result = run(lines)
    assert posted(result) == {("L1", "INV-2026-00412", "C001", 100000, "payment")}
    assert any("L2" in n and "second copy" in n for n in result.notes)


@pytest.mark.parametrize(
    "payer, memo",
    [
        ("Finanzamt Berlin", "Erstattung Umsatzsteuer 09/2026"),
        ("Deutsche Bank", "Habenzinsen 3. Quartal"),
        ("ACME GMBH", "Refund of duplicate payment"),
        ("", "Umbuchung vom Tagesgeldkonto"),
        ("Our Company GmbH", "Transfer"),
    ],
)
def test_money_that_is_not_a_receipt_stays_unmatched_even_with_an_equal_amount(payer, memo):
    result = run(bank(("L1", 100000, payer, memo)), settings={"company_name": "Our Company GmbH"})
    assert result.allocations.empty and result.matches.empty
    assert result.statuses.to_dict("records") == [{"LineID": "L1", "Status": "Unmatched"}]


def test_amount_alone_is_at_most_a_suggestion():
    result = run(bank(("L1", 64321, "", "")))
    assert result.allocations.empty
    assert result.matches[["InvoiceNo", "Decision"]].values.tolist() == [["INV-2026-00460", "suggested"]]


def test_two_equal_open_invoices_without_reference_the_customers_payment_settles_the_oldest():
    extra = [("INV-2026-00414", "C001", "2026-09-30", 50000)]
    result = run(bank(("L1", 50000, "ACME GMBH", "Zahlung")), extra=extra)
    rows = result.allocations[["LineID", "InvoiceNo", "Amount", "Kind"]].values.tolist()
    assert rows == [["L1", "INV-2026-00413", 50000, "payment"]]  # oldest first


def test_a_postcode_that_equals_an_invoice_number_posts_nothing():
    extra = [("INV-2026-70173", "C004", "2026-09-30", 150000)]
    result = run(bank(("L1", 35000, "Weber Logistik GmbH", "Lieferung nach 70173 Stuttgart")), extra=extra)
    assert result.allocations.empty
    assert set(result.matches["Decision"]) <= {"suggested"}


def test_a_payment_in_another_currency_is_suggested_with_its_rate_and_posts_approved_at_the_rates():
    lines = bank(("L1", 108000, "ACME GMBH", "INV-2026-00412"))
    lines["Currency"] = "USD"
    result = run(lines)
    assert result.allocations.empty
    m = result.matches
    assert m[["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Decision"]].values.tolist() == [
        ["L1", "INV-2026-00412", "C001", 108000, "payment", "suggested"]
    ]
    assert "paid 1080.00 USD for 1000.00 EUR open (INV-2026-00412): 1.0800 USD per EUR" in m["Reason"].iloc[0]
    m.loc[:, "Approve"] = True
    customers, invoices = book()
    without = post(lines, invoices, customers, NO_ALLOCATIONS, m)
    assert without.allocations.empty
    assert without.notes == [
        f"Matches {m['MatchID'].iloc[0]} (line L1) not posted: it pays an invoice in another currency "
        "and no Rates were given"
    ]
    rates = Rates(
        pd.DataFrame({"Date": [pd.Timestamp("2026-10-09")], "Currency": ["USD"], "Rate": [1.08]}, index=[2]),
        base="EUR",
        max_age_days=7,
    )
    approved = post(lines, invoices, customers, NO_ALLOCATIONS, m, rates=rates)
    columns = [
        "LineID",
        "InvoiceNo",
        "CustomerID",
        "Amount",
        "Kind",
        "Method",
        "Currency",
        "LineAmount",
        "LineCurrency",
    ]
    assert approved.allocations[columns].values.tolist() == [
        ["L1", "INV-2026-00412", "C001", 100000, "payment", "approved", "EUR", 108000, "USD"]
    ]
    assert approved.notes[0].startswith(
        f"Matches {m['MatchID'].iloc[0]} (line L1) posted across currencies on INV-2026-00412: "
        "paid 1080.00 USD for 1000.00 EUR"
    )


def test_a_difference_within_the_amount_tolerance_is_written_off():
    result = run(bank(("L1", 99960, "ACME GMBH", "INV-2026-00412")), settings={"amount_tolerance": 50})
    assert posted(result) == {
        ("L1", "INV-2026-00412", "C001", 99960, "payment"),
        ("L1", "INV-2026-00412", "C001", 40, "writeoff"),
    }
    assert "0.40 written off" in result.matches["Reason"].iloc[0]
    without = run(bank(("L1", 99960, "ACME GMBH", "INV-2026-00412")))  # default 0.00: a 0.40 bank fee
    assert ("L1", "INV-2026-00412", "C001", 40, "fee") in posted(without)
