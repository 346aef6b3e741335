"""receivables stands on its own: it reads the columns it declares, typed as the contract types them,
and imports nothing of the workbook, the matcher, the mailer or arbook."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from receivables import INPUT_COLUMNS, with_columns
from workbook.contract import table

PACKAGE = Path(__file__).resolve().parent.parent / "receivables"
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


def test_it_imports_only_common_of_the_project() -> None:
    ours = {"arbook", "workbook", "matching", "mailer", "macros", "sample_data", "bench"}
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            assert not {n.partition(".")[0] for n in names} & ours, (path.name, names)
