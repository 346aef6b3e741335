"""What the month-end runs of one month did, read from the record they left in the workbook.

The report says what the month's runs imported and posted, and a run killed and resumed, or
run again with a forgotten bank file, must report the work of every run of that month, so
these figures are read from the workbook, never from what the last invocation's steps
returned. Each month-end step commits with one Audit row ("month-end 2026-10-31 match"); the
rows it wrote carry the moment it staged them (BankLines.ImportedAt, Allocations.PostedAt),
which lies between the Audit row committed before it and its own (`month_end_windows`). So a
month-end step's rows are those stamped inside such a window.

The figures, beside what the steps said when they ran:
- bank lines the month's runs imported, and how many of them are dated outside the month
  (import-bank: "new");
- lines posted automatically and the line money that took (match: "auto-posted lines",
  "auto-posted amount"), over every match of the month's runs;
- lines waiting for review: their suggestions pending in Matches, not yet approved (match:
  "lines with suggestions");
- lines left open: bank credits whose BankLines.Note says why they are not (fully) matched,
  as the books stand now (match: "lines left open").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..match import approvals, line_totals
from ..monthend import step_command

__all__ = ["month_end_windows", "run_figures", "within"]


def month_end_windows(audit: pd.DataFrame, as_of: dt.date) -> list[tuple[pd.Timestamp, pd.Timestamp, bool]]:
    """(from, to, from included) of every month-end step of the month `as_of` closes: from the At of
    the Audit row before the step's own to its own At. The clock keeps whole seconds, so a step's
    rows may bear the second of the commit before it: when that commit is a step of the same
    month its rows are the month's too (from included); when it is another command's, the
    month-end began in a later second (`arbook.monthend` waits for it), so that second is not
    this month's. A step with no Audit row before it ran on a workbook arbook never committed
    to, whose stamped rows came from elsewhere (a history typed in or generated, as the demo's):
    its window reaches back one day."""
    at = pd.to_datetime(audit["At"]).reset_index(drop=True)
    commands = audit["Command"].fillna("").astype(str).reset_index(drop=True)
    mine = commands.str.startswith(step_command(as_of, "")).to_numpy()  # "month-end 2026-10-31 ..."
    return [
        (at[i - 1], at[i], bool(mine[i - 1]))
        if i > 0 and pd.notna(at[i - 1])
        else (at[i] - pd.Timedelta(days=1), at[i], False)
        for i in np.flatnonzero(mine)
        if pd.notna(at[i])
    ]


def within(moments: pd.Series, windows: list[tuple[pd.Timestamp, pd.Timestamp, bool]]) -> pd.Series:
    """Which of `moments` fall inside one of `windows`."""
    moments = pd.to_datetime(moments)
    inside = pd.Series(False, index=moments.index)
    for start, end, included in windows:
        after = moments >= start if included else moments > start
        inside |= after & (moments <= end)
    return inside


def run_figures(
    audit: pd.DataFrame,
    bank_lines: pd.DataFrame,
    allocations: pd.DataFrame,
    matches: pd.DataFrame,
    left_open: int,
    as_of: dt.date,
    base: str,
) -> dict[str, int | dict[str, int]]:
    """The month's runs, label -> a count or money per currency (see the module doc); `left_open` counts the credits whose
    note says why they are still open (`arbook.match.line_notes`)."""
    windows = month_end_windows(audit, as_of)
    imported = bank_lines[within(bank_lines["ImportedAt"], windows)]
    start, end = pd.Timestamp(as_of.replace(day=1)), pd.Timestamp(as_of)
    outside = ~((imported["Date"] >= start) & (imported["Date"] <= end))
    auto = allocations[(allocations["Method"] == "auto") & within(allocations["PostedAt"], windows)]
    waiting = matches[
        (matches["Decision"] == "suggested")
        & (matches["Status"] == "pending")
        & ~approvals(matches).eq(True).fillna(False).astype(bool)
    ]
    return {
        "Bank lines imported by the month's runs": len(imported),
        "Of those, dated outside the month": int(outside.sum()),
        "Lines posted automatically by the month's runs": int(auto["LineID"].nunique()),
        "Money they took (auto-posted)": line_totals(auto, bank_lines, base),
        "Lines waiting for review": int(waiting["LineID"].nunique()),
        "Lines left open (BankLines.Note says why)": left_open,
    }
