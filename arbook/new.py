"""`arbook new`: an empty workbook from the template, with the default settings, templates and dunning levels.

The template builder (workbook/) knows the tables; what the Dashboard offers and shows comes
from here: the Run button's operations from `arbook.operations`, the key figures from the
KPIs receivables declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from common.errors import ArbookError
from mailer import DEFAULT_DUNNING_LEVELS, DEFAULT_TEMPLATES
from receivables import KPIS
from workbook.contract import SETTINGS, TABLES
from workbook.settings import setting_text
from workbook.template import build_workbook

from .operation import Summary
from .operations import EXCEL_OPERATIONS

__all__ = ["DASHBOARD_KPIS", "build_book", "default_rows", "new_workbook"]

DASHBOARD_KPIS: tuple[tuple[str, str], ...] = tuple((k.metric, k.label) for k in KPIS if k.label)
"""(Metric, label) of the key figures the Dashboard looks up in the KPIs table."""


def default_rows() -> dict[str, pd.DataFrame]:
    """The first rows of Settings, DunningLevels and Templates, typed as Book.read returns them:
    every setting with its default, the built-in dunning ladder and mail templates."""
    levels = pd.DataFrame(list(DEFAULT_DUNNING_LEVELS))
    for column in ("Level", "DaysOverdue", "MinAmount", "Fee"):
        levels[column] = levels[column].astype("Int64")
    return {
        "Settings": pd.DataFrame(
            [(s.key, setting_text(s, s.default), s.description) for s in SETTINGS],
            columns=["Key", "Value", "Description"],
        ),
        "DunningLevels": levels,
        "Templates": pd.DataFrame(list(DEFAULT_TEMPLATES)),
    }


def build_book(
    path: Path,
    rows: Mapping[str, pd.DataFrame] | None = None,
    *,
    macro_enabled: bool = False,
    vba_project: Path | None = None,
) -> None:
    """The template builder with arbook's Dashboard: its operations (.xlsm) and key figures."""
    build_workbook(
        path,
        rows=rows,
        macro_enabled=macro_enabled,
        vba_project=vba_project,
        operations=EXCEL_OPERATIONS,
        kpis=DASHBOARD_KPIS,
    )


def new_workbook(path: Path, rows: dict[str, pd.DataFrame] | None = None) -> Summary:
    """Write a new workbook (.xlsx, or .xlsm with buttons); refuse to overwrite an existing file."""
    path = Path(path)
    if path.exists():
        raise ArbookError(
            f"{path} already exists; arbook new never overwrites a workbook (use arbook init to adopt it)"
        )
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ArbookError(
            f"{path.name}: choose a name ending in .xlsx (or .xlsm for a workbook with buttons)"
        )
    build_book(path, {**default_rows(), **(rows or {})}, macro_enabled=path.suffix.lower() == ".xlsm")
    summary = Summary("new", figures={"workbook": str(path), "tables": len(TABLES)})
    if path.suffix.lower() == ".xlsm":
        summary.notes.append(
            f"{path.with_suffix('.py').name} was written beside it: keep it with the workbook"
        )
    return summary
