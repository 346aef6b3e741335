"""`arbook new`: an empty workbook from the template, with the default templates and dunning levels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from common.errors import ArbookError
from mailer import DEFAULT_DUNNING_LEVELS, DEFAULT_TEMPLATES
from workbook.contract import TABLES
from workbook.template import build_workbook

from .operation import Summary

__all__ = ["default_rows", "new_workbook"]


def default_rows() -> dict[str, pd.DataFrame]:
    """The rows a new workbook starts with: editable Templates and DunningLevels (Settings come with the builder)."""
    levels = pd.DataFrame(list(DEFAULT_DUNNING_LEVELS))
    for money in ("MinAmount", "Fee"):
        levels[money] = levels[money].astype("Int64")
    return {"Templates": pd.DataFrame(list(DEFAULT_TEMPLATES)), "DunningLevels": levels}


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
    build_workbook(
        path, rows={**default_rows(), **(rows or {})}, macro_enabled=path.suffix.lower() == ".xlsm"
    )
    summary = Summary("new", figures={"workbook": str(path), "tables": len(TABLES)})
    if path.suffix.lower() == ".xlsm":
        summary.notes.append(
            f"{path.with_suffix('.py').name} was written beside it: keep it with the workbook"
        )
    return summary
