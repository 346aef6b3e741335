"""The Excel front end's dispatch: every Dashboard operation runs the CLI's function, same arguments."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from pathlib import Path

import pandas as pd
import pytest

from arbook.operation import NO_PROGRESS, Summary
from common.errors import ArbookError
from macros.dispatch import CALLS, Request, operation_for_label, run
from macros.entry import bank_files, request_from_dashboard, summary_text
from workbook.filebook import FileBook
from workbook.template import OPERATIONS, build_workbook

AS_OF = dt.date(2026, 11, 30)


def test_every_dashboard_operation_has_a_call_and_no_other() -> None:
    assert list(CALLS) == [key for key, _ in OPERATIONS]
    labels = [label for _, label in OPERATIONS]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(("key", "label"), OPERATIONS)
def test_the_operation_cell_is_read_by_label_or_key(key: str, label: str) -> None:
    assert operation_for_label(label) == key
    assert operation_for_label(f"  {label.upper()} ") == key
    assert operation_for_label(key) == key


def test_an_unknown_operation_names_the_choices() -> None:
    with pytest.raises(ArbookError, match=r"Dashboard Operation: expected one of: Import bank file\(s\); "):
        operation_for_label("Do everything")
    with pytest.raises(ArbookError, match="got ''"):
        operation_for_label(None)


@pytest.fixture(scope="module")
def mail_ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dispatch") / "ledger.xlsx"
    settings = pd.DataFrame(
        {
            "Key": ["smtp_host", "mail_from", "company_name"],
            "Value": ["127.0.0.1", "ar@example.com", "Example AG"],
        }
    )
    _ledger(path, Settings=settings)
    return path


@pytest.mark.parametrize("key", list(CALLS))
def test_each_call_fits_the_signature_of_its_arbook_function(key: str, mail_ready: Path) -> None:
    call = CALLS[key]
    function = getattr(importlib.import_module(call.module), call.function)
    request = Request(key, mail_ready, AS_OF, (mail_ready.parent / "bank.csv",))
    with FileBook(mail_ready, lock=False) as book:
        arguments = call.arguments(book, request)
        inspect.signature(function).bind(book, **arguments, progress=NO_PROGRESS)


@pytest.mark.parametrize("key", list(CALLS))
def test_each_operation_takes_the_book_it_is_given(key: str) -> None:
    call = CALLS[key]
    function = getattr(importlib.import_module(call.module), call.function)
    first = next(iter(inspect.signature(function).parameters.values()))
    assert first.name == "book", f"{call.module}.{call.function} takes {first.name!r} first, not a Book"


def test_import_without_a_bank_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(ArbookError, match="Bank file"):
        CALLS["import_bank"].arguments(None, Request("import_bank", tmp_path / "b.xlsx", AS_OF))  # type: ignore[arg-type]


def test_a_statements_preview_lands_in_the_outbox_beside_the_workbook(tmp_path: Path) -> None:
    new = importlib.import_module("arbook.new")
    path = tmp_path / "ledger.xlsx"
    _ledger(path, **new.default_rows())
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
    assert request == Request("import_bank", book, today, (tmp_path / "bank" / "nov.csv", absolute))
    assert request.outbox == tmp_path / "outbox"
    assert request_from_dashboard("aging", book, dt.datetime(2026, 11, 30), "", today).as_of == AS_OF
    assert request_from_dashboard("aging", book, "30.11.2026", None, today).as_of == AS_OF
    with pytest.raises(ArbookError, match="Dashboard As of: expected a date"):
        request_from_dashboard("aging", book, "soon", None, today)


def test_a_missing_bank_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArbookError, match=r"Bank file\(s\): .*missing\.csv does not exist"):
        bank_files("missing.csv", tmp_path)
    assert bank_files("  ;\n ", tmp_path) == ()


def test_summary_text_is_one_line_of_figures_then_notes() -> None:
    summary = Summary("aging", {"customers": 2, "open": "1250.50"}, ["Settings: defaults used"])
    assert summary_text(summary) == "customers: 2, open: 1250.50 | Settings: defaults used"
    assert summary_text(Summary("post")) == ""
