"""What Excel runs: the Run button (macro ArbookRun) and the per-operation macros of the workbook's `arbook` VBA module.

Both build a `LiveBook` over the calling workbook, read the Dashboard's inputs, run the
operation through `macros.dispatch` (the CLI's functions), and report in the Dashboard's
status area. A refusal (ArbookError) is shown in a message box and the status area; any
other exception is a bug: it is recorded too, then re-raised so xlwings shows its traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from arbook.as_of import assumed_as_of
from arbook.operation import Summary
from common.errors import ArbookError
from common.values import parse_date
from workbook.template import INPUT_NAMES, STATUS_NAMES

from .dispatch import ENTRIES, Request, operation_for_label
from .dispatch import run as run_operation
from .live import LiveBook, excel_busy, excel_value

__all__ = ["bank_files", "request_from_dashboard", "run", "run_from_excel", "summary_text"]

_ALERT_CHARS, _CELL_CHARS = 900, 30_000


def run_from_excel() -> None:
    """The Run button: the operation is the one chosen in the Dashboard's Operation cell."""
    import xlwings as xw

    book = xw.Book.caller()
    _run(book, lambda: operation_for_label(_named(book, INPUT_NAMES["operation"])))


def run(operation: str) -> None:
    """One macro per operation (workbook.template.vba_module_source): RunPython "import macros.entry; macros.entry.run('match')"."""
    import xlwings as xw

    book = xw.Book.caller()
    _run(book, lambda: operation_for_label(operation))


def request_from_dashboard(
    operation: str, workbook: Path, as_of: object, files: object, today: dt.date
) -> Request:
    """The Request for the Dashboard's cell values (as xlwings returns them). A blank As of is
    read as on the command line (`arbook.as_of`: the month-end closes the last completed month,
    everything else runs as of today), and the request says what was assumed."""
    said = ""
    if as_of in (None, ""):
        day, said = assumed_as_of(ENTRIES[operation][1].name, today, "As of")
    else:
        try:
            day = parse_date(as_of, date_order="dmy")
            swapped = parse_date(as_of, date_order="mdy")
        except ValueError as exc:
            raise ArbookError(f"Dashboard As of: {exc}") from None
        if day != swapped:  # text whose day and month could be swapped: no order is assumed
            raise ArbookError(
                f"Dashboard As of: {as_of} could be {day.isoformat()} or {swapped.isoformat()}; "
                "enter it as a date or as YYYY-MM-DD"
            )
    return Request(operation, workbook, day, bank_files(files, workbook.parent), said)


def bank_files(text: object, folder: Path) -> tuple[Path, ...]:
    """`;`-separated paths (relative ones from the workbook's folder); each must exist."""
    paths = []
    for part in str(text or "").replace("\n", ";").split(";"):
        part = part.strip().strip('"')
        if not part:
            continue
        path = Path(part).expanduser()
        path = path if path.is_absolute() else folder / path
        if not path.is_file():
            raise ArbookError(f"Dashboard Bank file(s): {path} does not exist")
        paths.append(path)
    return tuple(paths)


def summary_text(summary: Summary) -> str:
    """One line for the status area: the figures as the Audit row says them (Summary.line), then the notes."""
    return " | ".join(p for p in (summary.line(), *summary.notes) if p)


def _named(book: Any, name: str) -> object:
    """A named cell's value; None in a workbook without that name (one adopted by arbook init)."""
    if name not in {n.name for n in book.names}:
        return None
    return book.names[name].refers_to_range.value


def _run(book: Any, operation: Callable[[], str]) -> None:
    live = LiveBook(book)
    app = book.app
    started = dt.datetime.now().replace(microsecond=0)
    try:
        key = operation()
        request = request_from_dashboard(
            key,
            live.path,
            _named(book, INPUT_NAMES["as_of"]),
            _named(book, INPUT_NAMES["bank_files"]),
            started.date(),
        )

        def progress(step: str, done: int, total: int) -> None:
            app.status_bar = f"arbook {key}: {step} ({done}/{total})"

        with excel_busy(app):
            summary = run_operation(live, request, progress)
        _status(
            book, started, summary.result, " | ".join(p for p in (request.said, summary_text(summary)) if p)
        )
    except ArbookError as exc:
        message = "\n".join([str(exc), *getattr(exc, "__notes__", ())])  # month-end adds how to resume
        _status(book, started, "Refused", message)
        app.alert(_shortened(message, _ALERT_CHARS), title="arbook", buttons="ok", mode="critical")
    except Exception as exc:
        _status(book, started, "Failed (a bug; see the error window)", f"{type(exc).__name__}: {exc}")
        raise


def _status(book: Any, started: dt.datetime, result: str, message: str) -> None:
    """The Dashboard's status cells, where the workbook has them (the message box says it anyway)."""
    names = {n.name for n in book.names}
    for key, value in (("last_run", started), ("result", result), ("message", message)):
        if STATUS_NAMES[key] in names:
            text = _shortened(value, _CELL_CHARS) if isinstance(value, str) else value
            book.names[STATUS_NAMES[key]].refers_to_range.value = excel_value(None, text)


def _shortened(text: str, limit: int) -> str:
    """Excel's message box shows about 1,000 characters and a cell holds 32,767: keep the start."""
    return text if len(text) <= limit else text[: limit - 40] + " ... (more in the Dashboard's Message)"
