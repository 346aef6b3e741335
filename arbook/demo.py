"""`arbook demo`: a sample company's workbook and bank files, then a month-end into an outbox.

What `make demo` runs. The sample company is the small committed set of `sample_data/`
(the same frames its generator makes for the default seed), so the demo needs no network,
no Excel and no SMTP server.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

import sample_data
from common.errors import ArbookError
from workbook.contract import SETTINGS
from workbook.settings import setting_text

from .mail import default_outbox
from .monthend import month_end
from .new import new_workbook
from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["build_demo_books", "demo"]

MARKER = ".arbook-demo"


def demo(directory: Path, *, progress: Progress = NO_PROGRESS) -> Summary:
    """Build DIR/Book.xlsx and DIR/bank/*, run the month-end, and say where to look."""
    directory = Path(directory)
    _fresh(directory)
    workbook, bank_files, as_of = build_demo_books(directory, sample_data.load_small())
    outbox = default_outbox(workbook)
    result = month_end(workbook, bank_files=bank_files, as_of=as_of, progress=progress)
    summary = Summary("demo", figures=dict(result.figures), notes=list(result.notes), ok=result.ok)
    summary.notes += [
        f"Open the workbook: {workbook.resolve()} (Dashboard, Matches to review, Aging, Credit, Forecast)",
        f"Read the mail it wrote: {outbox.resolve()} (statements, notices, the month-end report; .eml files)",
        f"Bank files it imported: {(directory / 'bank').resolve()}",
    ]
    return summary


def build_demo_books(
    directory: Path, company: sample_data.SampleCompany, name: str = "Book.xlsx"
) -> tuple[Path, list[Path], dt.date]:
    """DIR/Book.xlsx (or `name`; .xlsm has the buttons) holding the company's ledger, DIR/bank/* its
    month of statements, and the month's as-of."""
    workbook = directory / name
    new_workbook(
        workbook,
        rows={
            "Settings": _settings_rows(company.settings),
            "Customers": company.customers,
            "Invoices": company.invoices,
            "Orders": company.orders,
            "Allocations": company.allocations,
            "Rates": sample_data.sample_rates(company),
        },
    )
    return workbook, sample_data.write_bank_files(company, directory / "bank"), company.as_of


def _fresh(directory: Path) -> None:
    """Start from an empty folder; a folder from an earlier demo is cleared, anything else refused."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise ArbookError(
                f"{directory} is not empty and not an arbook demo folder; choose another folder"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by arbook demo; safe to delete\n", encoding="utf-8")


def _settings_rows(settings: dict[str, object]) -> pd.DataFrame:
    declared = {s.key: s for s in SETTINGS}
    rows = [
        (key, setting_text(declared[key], value) if key in declared else str(value))
        for key, value in settings.items()
    ]
    return pd.DataFrame(rows, columns=["Key", "Value"])
