"""The Excel front end's dispatch: every Dashboard choice runs the CLI's operation, same inputs, same runner."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import pandas as pd
import pytest

from arbook.new import default_rows
from arbook.operation import Summary
from arbook.operations import EXCEL_OPERATIONS, OPERATIONS
from common.errors import ArbookError
from macros.dispatch import ENTRIES, Request, operation_for_label, run
from macros.entry import bank_files, request_from_dashboard, summary_text
from workbook.filebook import FileBook
from workbook.template import build_workbook

AS_OF = dt.date(2026, 11, 30)


def test_every_dashboard_choice_runs_a_declared_operation_and_no_other() -> None:
    assert list(ENTRIES) == [key for key, _ in EXCEL_OPERATIONS]
    labels = [label for _, label in EXCEL_OPERATIONS]
    assert len(set(labels)) == len(labels)
    assert {op.name for _, op in ENTRIES.values()} == {op.name for op in OPERATIONS if op.excel}


@pytest.mark.parametrize(("key", "label"), EXCEL_OPERATIONS)
def test_the_operation_cell_is_read_by_label_or_key(key: str, label: str) -> None:
    assert operation_for_label(label) == key
    assert operation_for_label(f"  {label.upper()} ") == key
    assert operation_for_label(key) == key


def test_an_unknown_operation_names_the_choices() -> None:
    with pytest.raises(ArbookError, match=r"Dashboard Operation: expected one of: Import bank file\(s\); "):
        operation_for_label("Do everything")
    with pytest.raises(ArbookError, match="got ''"):
        operation_for_label(None)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_each_operation_takes_the_book_then_what_its_declaration_names(op) -> None:
    parameters = inspect.signature(op.function()).parameters
    first = next(iter(parameters.values()))
    assert first.name == "book", f"{op.target} takes {first.name!r} first, not a Book"
    assert set(op.params) <= set(parameters), f"{op.target} does not take {set(op.params) - set(parameters)}"
    required = {n for n, p in list(parameters.items())[1:] if p.default is inspect.Parameter.empty}
    assert required <= set(op.params), f"{op.target} needs {required - set(op.params)}, undeclared"


def test_import_without_a_bank_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    for key, label in (
        ("import_bank", "Import bank file(s)"),
        ("import_rates", "Import exchange rates (ECB file)"),
    ):
        with pytest.raises(ArbookError) as refused:
            Request(key, tmp_path / "b.xlsx", AS_OF).inputs()
        assert str(refused.value) == (
            f"Bank file(s) on the Dashboard is empty: {label} reads the file(s) named there; enter the path of one"
        )
    assert Request("month_end", tmp_path / "b.xlsx", AS_OF).inputs().files == ()  # month-end may have none


def test_send_choices_send_and_preview_choices_do_not(tmp_path: Path) -> None:
    sends = {key for key in ENTRIES if Request(key, tmp_path / "b.xlsx", AS_OF, (tmp_path,)).inputs().send}
    assert sends == {"statements_send", "notices_send", "month_end_send"}


def test_a_statements_preview_lands_in_the_outbox_beside_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    _ledger(path, **default_rows())
    with FileBook(path) as book:
        summary = run(book, Request("statements_preview", path, AS_OF))
    assert summary.command == "statements"
    assert [p.suffix for p in (tmp_path / "outbox").iterdir()] == [".eml"]


def _ledger(path: Path, **more: pd.DataFrame) -> None:
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["C1", "C2"],
                    "Name": ["Acme GmbH", "Beta SA"],
                    "Email": ["ap@acme.example", ""],
                    "CreditLimit": pd.array([1_000_000, None], dtype="Int64"),
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
            **more,
        },
    )


@pytest.mark.parametrize("key", ["aging", "credit", "forecast"])
def test_run_calls_the_same_operation_as_the_cli_on_any_book(key: str, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    _ledger(path)
    seen: list[tuple[str, int, int]] = []
    with FileBook(path) as book:
        summary = run(book, Request(key, path, AS_OF), lambda *step: seen.append(step))
    assert isinstance(summary, Summary) and summary.command == key and summary.ok
    assert seen and seen[-1][1] == seen[-1][2]  # progress reached its end
    with FileBook(path, lock=False) as book:
        audit = book.read("Audit")
        assert audit["Command"].tolist() == [f"{key} --as-of 2026-11-30"]
        if key == "aging":
            aging = book.read("Aging").set_index("CustomerID")
            assert aging.loc["C1", "Total"] == 125_050 and aging.loc["C1", "31-60"] == 100_000
            assert aging.loc["C2", "120+"] == 7_000
        if key == "credit":
            credit = book.read("Credit").set_index("CustomerID")
            assert credit.loc["C1", "Available"] == 1_000_000 - 125_050
        if key == "forecast":
            assert book.read("Forecast")["Expected"].sum() == 132_050


def test_dashboard_inputs_become_a_request(tmp_path: Path) -> None:
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "nov.csv").write_text("x", encoding="utf-8")
    absolute = tmp_path / "dec.sta"
    absolute.write_text("x", encoding="utf-8")
    book = tmp_path / "ledger.xlsm"
    today = dt.date(2026, 12, 1)
    request = request_from_dashboard("import_bank", book, None, f' bank/nov.csv ; "{absolute}" ;', today)
    assert request == Request(
        "import_bank",
        book,
        today,
        (tmp_path / "bank" / "nov.csv", absolute),
        "As of not given: as of today, 2026-12-01",
    )
    # the month-end closes the last completed month, as on the command line
    month_end = request_from_dashboard("month_end", book, None, "bank/nov.csv", today)
    assert (month_end.as_of, month_end.said) == (
        dt.date(2026, 11, 30),
        "As of not given: month-end runs for 2026-11-30, the last completed month end "
        "(give As of to close another month)",
    )
    assert request.outbox == tmp_path / "outbox"
    assert request_from_dashboard("aging", book, dt.datetime(2026, 11, 30), "", today).as_of == AS_OF
    assert request_from_dashboard("aging", book, "30.11.2026", None, today).as_of == AS_OF
    with pytest.raises(ArbookError, match="Dashboard As of: expected a date"):
        request_from_dashboard("aging", book, "soon", None, today)
    assert request_from_dashboard("aging", book, "11/30/2026", None, today).as_of == AS_OF  # one reading only
    with pytest.raises(
        ArbookError
    ) as refused:  # no date order is assumed for text people could mean either way
        request_from_dashboard("aging", book, "03/04/2026", None, today)
    assert str(refused.value) == (
        "Dashboard As of: 03/04/2026 could be 2026-04-03 or 2026-03-04; enter it as a date or as YYYY-MM-DD"
    )


def test_a_missing_bank_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArbookError, match=r"Bank file\(s\): .*missing\.csv does not exist"):
        bank_files("missing.csv", tmp_path)
    assert bank_files("  ;\n ", tmp_path) == ()


def test_summary_text_is_one_line_of_figures_then_notes() -> None:
    summary = Summary("aging", {"customers": 2, "open": "1250.50"}, ["Settings: defaults used"])
    assert summary_text(summary) == "customers 2; open 1250.50 | Settings: defaults used"
    assert summary_text(Summary("post")) == ""
