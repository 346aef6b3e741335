"""`arbook check`: validate every table at once and report each problem with table, row and column."""

from __future__ import annotations

from common.errors import InputError, Problem
from workbook.book import Book
from workbook.contract import TABLES

from .mail import company_gaps
from .operation import Summary

__all__ = ["RECORD_TABLES", "check", "no_records_warning"]

RECORD_TABLES = ("Customers", "Invoices")
"""The user's own records: empty, every other step has nothing to work on, so an empty one is said aloud."""


def check(book: Book) -> Summary:
    """Read every contract table the workbook holds; raise one InputError listing every problem."""
    problems: list[Problem] = []
    summary = Summary("check")
    empty: list[str] = []
    gaps: list[str] = []
    try:
        gaps = company_gaps(book.settings())
    except InputError as exc:
        problems += exc.problems
    for decl in TABLES:
        if not book.has(decl.name):
            if decl.name in RECORD_TABLES:
                empty.append(decl.name)
            elif not decl.optional:
                summary.notes.append(f"{decl.name}: not in the workbook yet (arbook adds it when needed)")
            continue
        try:
            rows = len(book.read(decl.name))
        except InputError as exc:
            problems += exc.problems
            continue
        summary.figures[decl.name] = f"{rows} rows"
        if not rows and decl.name in RECORD_TABLES:
            empty.append(decl.name)
    if problems:  # a broken Settings table is met by every read that needs date_order: report it once
        raise InputError(list(dict.fromkeys(problems)), heading=f"{book.path.name} has problems")
    summary.notes.append("every table is valid")
    summary.notes += [no_records_warning(book, name) for name in empty]
    summary.notes += [f"warning: {gap}" for gap in gaps]
    return summary


def no_records_warning(book: Book, name: str) -> str:
    """What to do about a Customers or Invoices table without a row: map the user's own sheet, or fill it."""
    mapping = book.read("Mapping")
    source = mapping.loc[mapping["Table"].str.casefold() == name.casefold(), "Source"]
    if len(source):
        return (
            f"warning: {name} has no rows in {source.iloc[0]!r}, the Source the Mapping names for it: check that "
            f"this sheet holds your {name.lower()} below the headings the Mapping names"
        )
    how = (
        f"add Mapping rows naming that sheet and its headings for {name}"
        if book.has("Mapping")
        else f"run arbook init {book.path.name} --suggest to have a Mapping proposed from its headings"
    )
    return (
        f"warning: {name} has no rows, so arbook has nothing to work on. If your {name.lower()} are on a sheet of "
        f"your own, {how}; otherwise enter them on the {name} sheet"
    )
