"""`arbook new`: an empty workbook from the template, with the default settings, templates and dunning levels.

The template builder (workbook/) knows the tables; what the Dashboard offers and shows comes
from here: the Run button's operations from `arbook.operations`, the key figures from the
KPIs receivables declares.
"""

from __future__ import annotations

import sys
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

__all__ = [
    "DASHBOARD_KPIS",
    "XLWINGS_CONF",
    "build_book",
    "default_rows",
    "new_workbook",
    "write_xlwings_conf",
]

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
    vba_project_file: Path | None = None,
) -> None:
    """The template builder with arbook's Dashboard: its operations (.xlsm) and key figures."""
    build_workbook(
        path,
        rows=rows,
        macro_enabled=macro_enabled,
        vba_project_file=vba_project_file,
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
        summary.notes.append(write_xlwings_conf(path.parent))
    return summary


XLWINGS_CONF = "xlwings.conf"


def write_xlwings_conf(folder: Path) -> str:
    """xlwings.conf in `folder`: the Python running now for the buttons, macros.udfs for the functions.

    xlwings reads it (after an xlwings.conf sheet, before the user's own settings) from the
    workbook's folder. The interpreter key is INTERPRETER_WIN or INTERPRETER_MAC for the system
    arbook runs on (on Linux, where Excel does not run, none is written). A file already there
    is the user's and is left alone. Returns what was done, in words.
    """
    target = Path(folder) / XLWINGS_CONF
    if target.exists():
        return f"{target} exists and was left as it is: it must name this Python ({sys.executable})"
    key = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}.get(sys.platform)
    lines = [f'"{key}","{sys.executable}"'] if key else []
    lines.append('"UDF MODULES","macros.udfs"')
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if key is None:
        return (
            f"{target} names the worksheet functions; on the Windows or Mac with Excel add the Python to run"
        )
    return f"{target} tells Excel to run {sys.executable}"
