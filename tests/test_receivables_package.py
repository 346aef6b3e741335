"""receivables stands on its own: it reads the columns it declares, typed as the contract types them
(that it imports nothing of the workbook, the matcher, the mailer or arbook: tests/test_architecture.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from receivables import INPUT_COLUMNS, Ledger, no_rates, with_columns
from workbook.contract import table

CONTRACT_KINDS = {
    "text": {"text", "id", "choice", "currency"},  # currency: an ISO code, a str in frames
    "money": {"money"},
    "int": {"int"},
    "date": {"date", "datetime"},
    "bool": {"bool"},
}


@pytest.mark.parametrize("table_name", sorted(INPUT_COLUMNS))
def test_every_column_it_reads_is_a_contract_column_of_the_same_kind(table_name: str) -> None:
    declared = table(table_name)
    for name, kind in INPUT_COLUMNS[table_name].items():
        assert declared.column(name).kind in CONTRACT_KINDS[kind], (table_name, name)


def test_missing_columns_are_added_empty_and_typed() -> None:
    frame = pd.DataFrame({"InvoiceNo": ["I1"], "Amount": pd.array([5], dtype="Int64")}, index=[7])
    out = with_columns(frame, "Invoices")
    assert list(out.columns) == [
        "InvoiceNo",
        "Amount",
        *[c for c in INPUT_COLUMNS["Invoices"] if c not in frame],
    ]
    assert out.index.tolist() == [7]
    assert out["Reference"].tolist() == [""] and out["Disputed"].tolist() == [False]
    assert str(out["PromiseDate"].dtype) == "datetime64[ns]" and out["PromiseDate"].isna().all()
    assert with_columns(out, "Invoices") is out  # nothing missing: the same frame


def test_the_ledgers_allocations_are_dated_by_their_posting_when_payment_date_is_empty() -> None:
    invoices = pd.DataFrame(
        {
            "InvoiceNo": ["I1"],
            "CustomerID": ["C1"],
            "InvoiceDate": pd.to_datetime(["2026-10-01"]),
            "DueDate": pd.to_datetime(["2026-10-31"]),
            "Amount": pd.array([10000], dtype="Int64"),
        }
    )
    allocations = pd.DataFrame(
        {
            "InvoiceNo": ["I1", "I1"],
            "Amount": pd.array([3000, 2000], dtype="Int64"),
            "Kind": ["payment", "payment"],
            "PaymentDate": pd.to_datetime(["2026-11-03", None]),
            "PostedAt": pd.to_datetime(["2026-11-04 09:00:00", "2026-11-20 16:45:10"]),
        }
    )
    ledger = Ledger(
        invoices,
        allocations,
        pd.DataFrame({"CustomerID": ["C1"]}),
        as_of=date(2026, 11, 30),
        rates=no_rates("EUR"),
    )
    assert ledger.allocations["PaymentDate"].tolist() == [
        pd.Timestamp("2026-11-03"),
        pd.Timestamp("2026-11-20"),
    ]
    assert allocations["PaymentDate"].isna().sum() == 1  # the frame given is not changed
    assert ledger.balances["OpenAmount"].tolist() == [5000]
    assert Ledger(
        invoices, allocations, ledger.customers, as_of=date(2026, 11, 19), rates=no_rates("EUR")
    ).balances["OpenAmount"].tolist() == [7000]
