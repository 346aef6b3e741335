"""How a Summary and progress look in a terminal (rich); the Excel buttons render them elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .operation import Progress as ProgressCallback
from .operation import Summary

__all__ = ["MAX_NOTES", "progress_bar", "render_summary"]

MAX_NOTES = 24


def render_summary(summary: Summary) -> None:
    console = Console()
    table = Table(title=f"arbook {summary.command}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in summary.figures.items():
        table.add_row(str(label), str(value))
    console.print(table)
    if summary.rows:
        rows = Table(show_header=True, header_style="bold")
        for column in summary.rows[0]:
            numeric = all(_numeric(row[column]) for row in summary.rows)
            rows.add_column(column, justify="right" if numeric else "left")
        for row in summary.rows:
            rows.add_row(*("" if value is None else str(value) for value in row.values()))
        console.print(rows)
    notes = summary.notes
    if len(notes) > MAX_NOTES:  # the last notes say where to look: keep them in view
        hidden = len(notes) - MAX_NOTES
        notes = [
            *notes[: MAX_NOTES // 2],
            f"... {hidden} more notes (--json lists them all)",
            *notes[-MAX_NOTES // 2 :],
        ]
    for note in notes:
        console.print(f"- {note}", highlight=False, soft_wrap=True)


def _numeric(value: object) -> bool:
    """A number, or text that reads as one ("1234.50"), or nothing: right-aligned in a table."""
    try:
        float(str(value)) if value is not None else None
    except ValueError:
        return False
    return True


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A progress callback drawing one bar per step on stderr (silent when stderr is not a terminal)."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    tasks: dict[str, int] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    with bars:
        yield update
