"""The date a run is for, as typed on the command line or left out: never assumed silently.

Left out, the month-end runs for the last completed month end (run on 3 December, it closes
November, not a month three days old) and every other operation for today; either way the
command says what it assumed. A typed date whose day and month could be swapped (01/02/2026)
is read by the workbook's Settings date_order, as the workbook's own dates are, and the
command says how it read it. The command line and the Excel Dashboard both follow these rules.
"""

from __future__ import annotations

import datetime as dt

from common.values import parse_date

__all__ = ["assumed_as_of", "read_as_of"]


def assumed_as_of(operation: str, today: dt.date, given: str = "--as-of") -> tuple[dt.date, str]:
    """The date `operation` runs for when no date is given, and the sentence that says so, naming
    where a date is given (`given`: "--as-of" on the command line, "As of" on the Dashboard)."""
    if operation == "month-end":
        day = today.replace(day=1) - dt.timedelta(days=1)
        return day, (
            f"{given} not given: month-end runs for {day.isoformat()}, the last completed month end "
            f"(give {given} to close another month)"
        )
    return today, f"{given} not given: as of today, {today.isoformat()}"


def read_as_of(text: str, date_order: str) -> tuple[dt.date, str | None]:
    """The typed date, and a sentence saying how it was read when day and month could be swapped."""
    day = parse_date(text, date_order=date_order)
    if parse_date(text, date_order="dmy") == parse_date(text, date_order="mdy"):
        return day, None
    first = "month" if date_order == "mdy" else "day"  # as parse_date reads d/m/Y text
    return day, (
        f"--as-of {text} read as {day.isoformat()} ({first} first, as the Settings date_order {date_order} "
        f"says; type {day.isoformat()} to leave no doubt)"
    )
