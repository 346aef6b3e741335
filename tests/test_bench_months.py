"""The second month builder (bench.months) keeps its truth consistent, and arbook can read what it writes.

A small month per style is built once; its truth is checked against its own Invoices and
earlier Allocations, and its bank file goes through arbook's importer (and, once per style,
through the real import-bank operation on the workbook `arbook new` made).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from arbook.runner import run
from bench.months import NOT_INVOICE, SITUATIONS, STYLES, build_month, write_month
from bench.months.baselines import exact_amount_unique_customer, exact_reference, open_items
from bench.months.score import best_proposals, judge
from matching.importers import read_bank_file
from workbook.filebook import FileBook

CREDITS, DEBITS = 90, 25


@pytest.fixture(scope="module", params=sorted(STYLES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    month = build_month(request.param, seed=5, credits=CREDITS, debits=DEBITS)
    files = write_month(month, tmp_path_factory.mktemp(request.param))
    return month, files


def _money_kinds(truth: pd.DataFrame) -> pd.DataFrame:
    return truth[truth["Kind"].isin(["payment", "unapplied", "none"])]


def test_month_has_the_asked_numbers_of_credits_and_debits_and_every_situation(built) -> None:  # type: ignore[no-untyped-def]
    month, _ = built
    credits = [line for line in month.lines if line.amount > 0]
    debits = [line for line in month.lines if line.amount < 0]
    assert (len(credits), len(debits)) == (CREDITS, DEBITS)
    assert {line.receipt.situation for line in credits} == {s.name for s in SITUATIONS}
    assert len({line.bank_ref for line in month.lines}) == CREDITS + DEBITS


def test_every_truth_part_names_an_existing_invoice_of_its_own_customer(built) -> None:  # type: ignore[no-untyped-def]
    month, _ = built
    truth, invoices = month.truth_frame(), month.invoices_frame()
    owner = dict(zip(invoices["InvoiceNo"], invoices["CustomerID"], strict=True))
    assert invoices["InvoiceNo"].is_unique
    on_invoices = truth[truth["Kind"].isin(["payment", "fee", "discount"])]
    assert on_invoices["InvoiceNo"].isin(owner).all()
    assert (on_invoices["InvoiceNo"].map(owner) == on_invoices["CustomerID"]).all()
    unapplied = truth[truth["Kind"] == "unapplied"]
    assert (unapplied["InvoiceNo"] == "").all() and unapplied["CustomerID"].isin(set(owner.values())).all()
    none = truth[truth["Kind"] == "none"]
    assert set(none["Situation"]) == set(NOT_INVOICE)
    assert ((none["InvoiceNo"] == "") & (none["CustomerID"] == "")).all()


def test_truth_never_settles_more_than_was_open(built) -> None:  # type: ignore[no-untyped-def]
    month, _ = built
    truth = month.truth_frame()
    open_ = month.invoices_frame().set_index("InvoiceNo")["Amount"].astype(int).to_dict()
    for invoice, amount in zip(
        month.allocations_frame()["InvoiceNo"], month.allocations_frame()["Amount"], strict=True
    ):
        open_[invoice] -= int(amount)
    settled: dict[str, int] = defaultdict(int)
    on_invoices = truth[truth["Kind"].isin(["payment", "fee", "discount"])]
    converted = on_invoices["InvoiceCurrency"] != on_invoices["Currency"]  # paid in the line's currency
    assert set(on_invoices.loc[converted, "Situation"]) == {"other_currency"}
    on_invoices = on_invoices[~converted]
    for invoice, amount in zip(on_invoices["InvoiceNo"], on_invoices["Amount"], strict=True):
        settled[invoice] += int(amount)
    over = {i: (s, open_[i]) for i, s in settled.items() if abs(s) > abs(open_[i]) or s * open_[i] <= 0}
    assert over == {}


def test_per_line_the_money_parts_add_up_to_the_line(built) -> None:  # type: ignore[no-untyped-def]
    month, _ = built
    truth = month.truth_frame()
    added = _money_kinds(truth).groupby("BankRef")["Amount"].sum()
    line_amount = truth.drop_duplicates("BankRef").set_index("BankRef")["LineAmount"]
    assert len(line_amount) == CREDITS
    assert (added.reindex(line_amount.index) == line_amount).all()
    assert (truth["Amount"] != 0).all()
    pays = truth.drop_duplicates("BankRef")["Pays"].value_counts().to_dict()
    assert set(pays) == {"invoice", "advance", "none"}


def test_bank_file_reads_back_through_arbooks_importer_line_for_line(built) -> None:  # type: ignore[no-untyped-def]
    month, files = built
    (path,) = files.bank_files
    lines = read_bank_file(path, date_order=month.style.date_order).lines
    credits = lines[lines["Status"] == "Unmatched"]
    assert (len(credits), len(lines) - len(credits)) == (CREDITS, DEBITS)
    truth = month.truth_frame().drop_duplicates("BankRef").set_index("BankRef")
    read = credits.set_index("BankRef")
    assert sorted(read.index) == sorted(truth.index)
    assert (read["Amount"].astype(int) == truth.loc[read.index, "LineAmount"].astype(int)).all()
    assert (read["Date"].dt.strftime("%Y-%m-%d") == truth.loc[read.index, "Date"]).all()
    assert read["Payer"].tolist() == truth.loc[read.index, "Payer"].tolist()
    # a US export has no currency column: its lines are in the account's (the books') currency
    assert set(read["Currency"]) == {"" if month.style.code == "us" else month.style.base_currency}
    # the memo as each layout shows it: a Chinese export puts the transaction type (摘要) before
    # the payer's words (用途); a CAMT entry without remittance shows its booking text instead
    shown = {
        "cn": lambda line: f"{line.channel} {line.memo}",
        "de": lambda line: line.memo or line.channel,
        "us": lambda line: line.memo,
    }[month.style.code]
    written = {line.bank_ref: " ".join(shown(line).split()) for line in month.credits}
    assert [" ".join(m.split()) for m in read["Memo"]] == [written[ref] for ref in read.index]


def test_workbook_from_arbook_new_takes_the_import_and_holds_the_ledger(built) -> None:  # type: ignore[no-untyped-def]
    month, files = built
    with FileBook(files.workbook) as book:
        summary = run(book, "import-bank", files=tuple(files.bank_files))
    assert summary.figures["new credits to match"] == CREDITS
    assert summary.figures["new debits and other lines set aside"] == DEBITS
    with FileBook(files.workbook, lock=False) as book:
        assert book.settings().base_currency == month.style.base_currency
        assert len(book.read("Invoices")) == len(month.ledger.invoices)
        assert len(book.read("Customers")) == len(month.ledger.customers)
        assert int(book.read("Allocations")["Amount"].sum()) == sum(a.amount for a in month.ledger.prior)
    truth = pd.read_csv(files.truth, dtype=str, keep_default_na=False)
    assert len(truth) == len(month.truth_frame())


@pytest.mark.parametrize("style", sorted(STYLES))
def test_same_style_and_seed_build_the_same_month(style: str) -> None:
    first, again = build_month(style, 3, credits=40, debits=5), build_month(style, 3, credits=40, debits=5)
    assert first.truth_frame().equals(again.truth_frame())
    assert first.invoices_frame().equals(again.invoices_frame())
    assert first.style.bank_files(
        first.lines, first.ledger.start, first.ledger.end
    ) == again.style.bank_files(again.lines, again.ledger.start, again.ledger.end)
    assert not first.truth_frame().equals(build_month(style, 4, credits=40, debits=5).truth_frame())


def _rows(*rows: tuple[str, str, str, int, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind"])


def test_judge_counts_allocations_coverage_lines_paying_nothing_and_suggestions() -> None:
    truth = pd.DataFrame(
        [
            ("R1", "exact_reference", "invoice", "payment", "I1", "C1", 100, 100),
            ("R2", "discount_in_period", "invoice", "payment", "I2", "C2", 98, 98),
            ("R2", "discount_in_period", "invoice", "discount", "I2", "C2", 2, 98),
            ("R3", "rebate", "none", "none", "", "", 50, 50),
            ("R4", "group_payment", "invoice", "payment", "I4", "C4", 70, 70),
            ("R5", "near_twin", "invoice", "payment", "I5", "C5", 30, 30),
        ],
        columns=["BankRef", "Situation", "Pays", "Kind", "InvoiceNo", "CustomerID", "Amount", "LineAmount"],
    ).assign(Payer="", Memo="")
    lines = pd.DataFrame(
        {"LineID": ["L1", "L2", "L3", "L4", "L5"], "BankRef": ["R1", "R2", "R3", "R4", "R5"]}
    )
    posted = _rows(
        ("L1", "I1", "C1", 100, "payment"),
        ("L2", "I2", "C2", 98, "payment"),
        ("L2", "I2", "C2", 2, "fee"),
        ("L3", "I9", "C3", 50, "payment"),
    )
    suggested = _rows(("L4", "I4", "C4", 70, "payment"), ("L5", "I6", "C6", 30, "payment"))
    judged = judge(truth, lines, posted, suggested).set_index("BankRef")
    assert judged["right"].to_dict() == {"R1": 1, "R2": 1, "R3": 0, "R4": 0, "R5": 0}
    assert judged["wrong"].to_dict() == {"R1": 0, "R2": 1, "R3": 1, "R4": 0, "R5": 0}
    assert judged["covered"].to_dict() == {"R1": True, "R2": False, "R3": False, "R4": False, "R5": False}
    assert judged["nonpay_posted"].to_dict() == {
        "R1": False,
        "R2": False,
        "R3": True,
        "R4": False,
        "R5": False,
    }
    assert judged["suggestion_right"].to_dict() == {
        "R1": False,
        "R2": False,
        "R3": False,
        "R4": True,
        "R5": False,
    }
    assert judged.loc["R2", "what_posted"] == "fee I2 0.02; payment I2 0.98"


def test_equal_payments_suggesting_each_others_invoice_are_ledger_equal_not_right() -> None:
    # R1 and R2: 12.00 each from C1, paying I1 and I2 in truth, suggested the other way round;
    # R3 and R4: 5.00 each from C2, both suggested I3 (approving both cannot leave I4 paid);
    # R5: alone, suggested the wrong invoice.
    truth = (
        pd.DataFrame(
            [
                ("R1", "I1", "C1", 12),
                ("R2", "I2", "C1", 12),
                ("R3", "I3", "C2", 5),
                ("R4", "I4", "C2", 5),
                ("R5", "I5", "C3", 7),
            ],
            columns=["BankRef", "InvoiceNo", "CustomerID", "Amount"],
        )
        .assign(
            Situation="same_amount_many", Pays="invoice", Kind="payment", LineAmount=lambda f: f["Amount"]
        )
        .assign(Payer="", Memo="")
    )
    lines = pd.DataFrame(
        {"LineID": [f"L{n}" for n in range(1, 6)], "BankRef": [f"R{n}" for n in range(1, 6)]}
    )
    suggested = _rows(
        ("L1", "I2", "C1", 12, "payment"),
        ("L2", "I1", "C1", 12, "payment"),
        ("L3", "I3", "C2", 5, "payment"),
        ("L4", "I3", "C2", 5, "payment"),
        ("L5", "I6", "C3", 7, "payment"),
    )
    judged = judge(truth, lines, _rows(), suggested).set_index("BankRef")
    assert judged["suggestion_right"].tolist() == [False, False, True, False, False]
    assert judged["suggestion_ledger"].tolist() == [True, True, True, False, False]


def test_best_proposal_is_the_highest_score_then_the_first_row() -> None:
    matches = pd.DataFrame(
        {
            "MatchID": ["M1", "M1", "M2", "M3", "M4"],
            "LineID": ["L1", "L1", "L1", "L2", "L2"],
            "InvoiceNo": ["A", "B", "C", "D", "E"],
            "Score": [70.0, 70.0, 80.0, 65.0, 65.0],
            "Decision": ["suggested"] * 5,
            "Status": ["pending"] * 5,
        }
    )
    assert best_proposals(matches)["InvoiceNo"].tolist() == ["C", "D"]


def test_baselines_post_only_a_lone_exact_reference_or_a_lone_amount_of_a_named_customer() -> None:
    invoices = pd.DataFrame(
        {
            "InvoiceNo": ["INV-1", "INV-2", "INV-3"],
            "CustomerID": ["C1", "C1", "C2"],
            "Amount": pd.array([100, 200, 200], dtype="Int64"),
        }
    )
    allocations = pd.DataFrame({"InvoiceNo": ["INV-3"], "Amount": pd.array([50], dtype="Int64")})
    customers = pd.DataFrame(
        {
            "CustomerID": ["C1", "C2"],
            "Name": ["Acme GmbH", "Beta AG"],
            "Aliases": ["", "BETA AKTIENGESELLSCHAFT"],
        }
    )
    credits = pd.DataFrame(
        {
            "LineID": ["L1", "L2", "L3", "L4", "L5"],
            "Memo": ["RE INV-1", "INV-1 INV-2", "INV-3", "x", "INV-2"],
            "Payer": ["", "ACME GMBH", "beta  aktiengesellschaft", "Beta AG", "Acme GmbH"],
            "Amount": [100, 300, 150, 150, 999],
        }
    )
    open_ = open_items(invoices, allocations)
    assert open_["Open"].tolist() == [100, 200, 150]
    by_reference = exact_reference(credits, open_, customers)
    assert by_reference[["LineID", "InvoiceNo", "Amount"]].values.tolist() == [
        ["L1", "INV-1", 100],
        ["L3", "INV-3", 150],
    ]
    by_amount = exact_amount_unique_customer(credits, open_, customers)
    assert by_amount[["LineID", "InvoiceNo", "CustomerID"]].values.tolist() == [
        ["L3", "INV-3", "C2"],
        ["L4", "INV-3", "C2"],
    ]


def test_write_month_puts_workbook_bank_file_and_truth_in_the_folder(built) -> None:  # type: ignore[no-untyped-def]
    _, files = built
    assert files.workbook.name == "Book.xlsx" and files.truth.name == "truth.csv"
    assert all(isinstance(p, Path) and p.parent == files.workbook.parent for p in files.bank_files)
