"""`arbook check`: validate every table at once and report each problem with table, row and column."""

from __future__ import annotations

from common.errors import InputError, Problem
from workbook.book import Book
from workbook.contract import TABLES

from .operation import Summary

__all__ = ["check"]


def check(book: Book) -> Summary:
    """Read every contract table the workbook holds; raise one InputError listing every problem."""
    problems: list[Problem] = []
    summary = Summary("check")
    try:
        book.settings()
    except InputError as exc:
        problems += exc.problems
    for decl in TABLES:
        if not book.has(decl.name):
            if not decl.optional:
                summary.notes.append(f"{decl.name}: not in the workbook yet (arbook adds it when needed)")
            continue
        try:
            summary.figures[decl.name] = f"{len(book.read(decl.name))} rows"
        except InputError as exc:
            problems += exc.problems
    if problems:  # a broken Settings table is met by every read that needs date_order: report it once
        raise InputError(list(dict.fromkeys(problems)), heading=f"{book.path.name} has problems")
    summary.notes.append("every table is valid")
    return summary
