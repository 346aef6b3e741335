"""The Excel functions answer with the batch's pure functions, on tables read from a real workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from macros.udfs import (
    ARBOOK_NAME_SCORE,
    Tables,
    aging_bucket,
    credit_frame,
    name_score,
    open_balance_cents,
)
from receivables import bucket_labels
from workbook.filebook import FileBook
from workbook.template import build_workbook

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Tables:
    path: Path = tmp_path_factory.mktemp("udf") / "ledger.xlsx"
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["C1", "C2"],
                    "Name": ["Acme GmbH", "Beta SA"],
                    "CreditLimit": pd.array([150_000, None], dtype="Int64"),
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2", "I-3"],
                    "CustomerID": ["C1", "C1", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-11-20", "2026-06-01"]),
                    "DueDate": pd.to_datetime(["2026-10-01", "2026-12-20", "2026-07-01"]),
                    "Amount": pd.array([100_000, 25_050, 7_000], dtype="Int64"),
                }
            ),
            "Allocations": pd.DataFrame(
                {
                    "AllocationID": ["A1"],
                    "LineID": ["L1"],
                    "InvoiceNo": ["I-1"],
                    "CustomerID": ["C1"],
                    "Amount": pd.array([30_000], dtype="Int64"),
                    "PaymentDate": pd.to_datetime(["2026-10-10"]),
                    "Kind": ["payment"],
                    "Method": ["manual"],
                }
            ),
            "Orders": pd.DataFrame(
                {
                    "OrderNo": ["O-1"],
                    "CustomerID": ["C1"],
                    "Amount": pd.array([20_000], dtype="Int64"),
                    "Status": ["Open"],
                }
            ),
        },
    )
    with FileBook(path, lock=False) as book:
        return Tables(
            {n: book.read(n) for n in ("Invoices", "Allocations", "Customers", "Orders", "Credit")},
            book.settings(),
        )


def test_open_balance_is_the_ledgers_open_items(tables: Tables) -> None:
    assert open_balance_cents(tables, "C1", AS_OF) == 100_000 - 30_000 + 25_050
    assert open_balance_cents(tables, "C1", dt.date(2026, 10, 9)) == 100_000  # before the payment
    assert open_balance_cents(tables, "C2", AS_OF) == 7_000
    assert open_balance_cents(tables, "nobody", AS_OF) == 0


def test_credit_available_and_check_use_the_credit_table(tables: Tables) -> None:
    credit = credit_frame(tables, AS_OF).set_index("CustomerID")
    exposure = 95_050 + 20_000
    assert credit.loc["C1", "Exposure"] == exposure
    assert credit.loc["C1", "Available"] == 150_000 - exposure
    assert pd.isna(credit.loc["C2", "Available"])


@pytest.mark.parametrize(
    ("days", "limits", "bucket"),
    [
        (-3, (30, 60, 90, 120), "Current"),
        (0, (30, 60, 90, 120), "Current"),
        (1, (30, 60, 90, 120), "1-30"),
        (30, (30, 60, 90, 120), "1-30"),
        (31, (30, 60, 90, 120), "31-60"),
        (120, (30, 60, 90, 120), "91-120"),
        (121, (30, 60, 90, 120), "120+"),
        (45, (14, 45), "15-45"),
        (46, (14, 45), "45+"),
    ],
)
def test_aging_bucket_agrees_with_the_aging_run(days: int, limits: tuple[int, ...], bucket: str) -> None:
    assert bucket in bucket_labels(limits)
    assert aging_bucket(AS_OF - dt.timedelta(days=days), AS_OF, limits) == bucket


def test_name_score_is_the_matchers_similarity() -> None:
    assert name_score("MUELLER MASCHINENBAU GMBH", "Müller Maschinenbau GmbH & Co. KG") == 100.0
    assert name_score("Acme", "Zeta Widgets") == 0.0
    assert 90.0 < name_score("Muller Maschinebau", "Müller Maschinenbau GmbH") < 100.0
    assert ARBOOK_NAME_SCORE("Beta S.A.", "Beta SA") == 100.0
    assert ARBOOK_NAME_SCORE(None, "Beta SA") == 0.0  # an empty cell
