"""A stand-in for Microsoft Excel under xlwings, so the Excel code path runs on Linux.

xlwings talks to Excel through an *engine*: `xw.App`, `Book`, `Sheet`, `Range`, `Table` and
`Name` are xlwings' own classes wrapping the engine's implementation objects, and every value
crosses through xlwings.conversion and the engine's cleaning functions. This package is such an
engine, named "excel" like the real one, backed by real .xlsx/.xlsm files (kept in openpyxl
while a book is open, written back on save). So LiveBook and the macros run through xlwings'
real code, with values converted exactly as xlwings converts them for Excel on Windows
(`conversion`), and only the part Excel itself plays is ours (`excel`).

    with excel_double() as app:          # xw.App() and xw.apps now reach the double
        book = xw.Book(impl=app.books.open(path).impl)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import xlwings as xw

from .conversion import ComTime, windows_conversion
from .excel import CELL_ERRORS, Apps, NotCalculated

__all__ = ["CELL_ERRORS", "ComTime", "Engine", "NotCalculated", "excel_double"]

_WINDOWS = windows_conversion()


class Engine(_WINDOWS["Engine"]):
    """xlwings' Windows engine (its value cleaning and preparing) with the double's applications."""

    def __init__(self) -> None:
        self._apps = Apps(self)

    @property
    def apps(self) -> Apps:
        return self._apps

    @property
    def name(self) -> str:
        return "excel"

    @property
    def type(self) -> str:
        return "desktop"


@contextmanager
def excel_double() -> Iterator[Any]:
    """Make the double xlwings' active "excel" engine; yield a new `xw.App` on it; restore after."""
    engines = xw.engines
    saved = (list(engines.engines), dict(engines.engines_by_name), engines.active)
    engine = xw.main.Engine(impl=Engine())
    engines.add(engine)
    engines.active = engine
    try:
        app = xw.App(visible=False, add_book=False)
        try:
            yield app
        finally:
            app.quit()
    finally:
        engines.engines[:], engines.active = saved[0], saved[2]
        engines.engines_by_name.clear()
        engines.engines_by_name.update(saved[1])
