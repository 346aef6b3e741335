"""The month-end report's figures, on hand-made ledgers with exact expected numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from arbook.report import bank_reconciliation, exceptions_workbook
from arbook.report.words import report_words
from matching.matcher.screening import duplicate_of


def _dates(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days)), dtype="datetime64[ns]")


def test_reconciliation_per_account_finds_a_line_imported_twice() -> None:
    statements = pd.DataFrame(
        {
            "StatementID": ["S1", "S2", "S3"],
            "Account": ["DE01", "DE01", "DE02"],
            "FromDate": _dates("2026-11-01", "2026-11-02", "2026-11-01"),
            "ToDate": _dates("2026-11-01", "2026-11-30", "2026-11-30"),
            "OpeningBalance": pd.array([100000, 110000, 5000], dtype="Int64"),
            "ClosingBalance": pd.array([110000, 90000, None], dtype="Int64"),
        }
    )
    lines = pd.DataFrame(
        {
            "Account": ["DE01", "DE01", "DE01", "DE01", "DE02", "DE01"],
            "Date": _dates(
                "2026-11-01", "2026-11-05", "2026-11-05", "2026-11-20", "2026-11-03", "2026-12-01"
            ),
            "Amount": pd.array([10000, -25000, -25000, 5000, 700, 99999], dtype="Int64"),
        }
    )
    recon = bank_reconciliation(statements, lines, base="EUR")
    assert recon.to_dict("records") == [
        {
            "Account": "DE01",
            "Currency": "EUR",  # the statements name none: the base currency
            "From": dt.date(2026, 11, 1),
            "To": dt.date(2026, 11, 30),
            "Opening": 100000,
            "Lines": -35000,
            "Duplicates": 0,
            "Closing": 90000,
            "Difference": 25000,  # the -250.00 transfer is in BankLines twice
        }
    ]  # DE02 has no closing balance: nothing to reconcile


def test_transfers_repeated_by_a_second_export_are_shown_apart_not_as_a_difference() -> None:
    statements = pd.DataFrame(
        {
            "StatementID": ["S1"],
            "Account": ["DE01"],
            "FromDate": _dates("2026-11-01"),
            "ToDate": _dates("2026-11-30"),
            "OpeningBalance": pd.array([100000], dtype="Int64"),
            "ClosingBalance": pd.array([150000], dtype="Int64"),
        }
    )
    lines = pd.DataFrame(
        {
            "LineID": ["A", "B", "A2", "C"],
            "Account": ["DE01"] * 4,
            "Date": _dates("2026-11-03", "2026-11-04", "2026-11-03", "2026-11-04"),
            "Amount": pd.array([30000, 20000, 30000, 20000], dtype="Int64"),
            "BankRef": ["REF-1", "", "REF-1", ""],
            "Payer": ["ACME", "Beta", "ACME", "Beta"],
            "Memo": ["INV-1", "INV-2", "EREF+NOTPROVIDED SVWZ+INV-1", "INV-2"],
            "SourceFile": ["main.sta", "main.sta", "export.csv", "main.sta"],
        }
    )
    recon = bank_reconciliation(statements, lines, duplicate_of(lines), base="EUR")
    # A2 repeats A (same account, date, amount and reference, another file): shown apart.
    # C is a second equal payment in the same file: two payments, counted, so 200.00 remains.
    assert recon[["Lines", "Duplicates", "Difference"]].to_dict("records") == [
        {"Lines": 70000, "Duplicates": 30000, "Difference": -20000}
    ]


def test_exceptions_workbook_keeps_memo_text_as_text(tmp_path) -> None:
    import openpyxl

    credits = pd.DataFrame(
        {
            "LineID": ["L1", "L2"],
            "Date": _dates("2026-11-03", "2026-11-04"),
            "Amount": pd.array([12345, 500], dtype="Int64"),
            "Payer": ["ACME", "=cmd|' /C calc'!A0"],
            "Memo": ['=HYPERLINK("http://x")', "RE INV-1"],
            "Status": ["Unmatched", "Matched"],
            "DuplicateOf": ["", ""],
            "Why": ["open invoices of that amount: INV-9 (customer C1, same amount)", ""],
            "Candidates": ["INV-9 (customer C1, same amount)", ""],
            "Currency": ["", "USD"],  # blank: the base currency
        }
    )
    pending = pd.DataFrame(
        {
            "MatchID": ["M1"],
            "LineID": ["L1"],
            "InvoiceNo": ["INV-9"],
            "CustomerID": ["C1"],
            "Amount": pd.array([12345], dtype="Int64"),
            "Currency": ["EUR"],
            "Score": [70.0],
            "Reason": ["amount equal"],
        }
    )
    credit = pd.DataFrame(
        {
            "CustomerID": ["C1"],
            "Name": ["Acme"],
            "Currency": ["JPY"],  # whole yen
            "CreditLimit": pd.array([100000], dtype="Int64"),
            "Exposure": pd.array([150000], dtype="Int64"),
            "Available": pd.array([-50000], dtype="Int64"),
            "Action": ["Hold"],
        }
    )
    path = tmp_path / "x.xlsx"
    path.write_bytes(exceptions_workbook(credits, pending, credit, "EUR", report_words("en", "")))
    book = openpyxl.load_workbook(path)
    unmatched = [[c.value for c in row] for row in book["Unmatched"].iter_rows(min_row=2)]
    assert unmatched == [
        [
            "L1",
            dt.datetime(2026, 11, 3),
            123.45,
            "EUR",
            "ACME",
            '=HYPERLINK("http://x")',
            "Unmatched",
            "open invoices of that amount: INV-9 (customer C1, same amount)",
            "INV-9 (customer C1, same amount)",
            None,
        ]
    ]
    assert book["Unmatched"]["F2"].data_type == "s"  # the memo's formula text stays text
    assert [[c.value for c in row] for row in book["OverLimit"].iter_rows(min_row=2)] == [
        ["C1", "Acme", "JPY", 100000, 150000, -50000, "Hold"]
    ]
    assert [[c.value for c in row] for row in book["Review"].iter_rows(min_row=2)] == [
        ["M1", "L1", "INV-9", "C1", 123.45, "EUR", 70, "amount equal"]
    ]
    # the cell codec's formats (workbook.cells.CODECS), as in every other workbook arbook writes
    assert [
        book["Unmatched"][ref].number_format for ref in ("B2", "C2", "D2", "F2")
    ] == [  # Date, Amount, Currency, Memo
        "yyyy-mm-dd",
        "#,##0.00",
        "@",
        "@",
    ]
    assert book["Review"]["G2"].number_format == "0.0"
    # money in its currency's decimals: 1,000 JPY shows no decimals, 123.45 EUR two
    assert [book["OverLimit"][ref].number_format for ref in ("D2", "E2", "F2")] == ["#,##0"] * 3
    assert book["Review"]["E2"].number_format == "#,##0.00"


def test_charts_put_money_on_their_axis_in_the_currencys_own_units() -> None:
    """A chart's axis is in units of its currency: 123456 minor units are 1,234.56 EUR, 123,456
    JPY, 123.456 KWD (chart floats, compared approximately; the money itself stays exact)."""
    from arbook.report.render import _units

    minor = pd.Series([123456], dtype="Int64")
    shown = [_units(minor, code).iloc[0] for code in ("EUR", "JPY", "KWD")]
    assert shown == pytest.approx([1234.56, 123456.0, 123.456])
