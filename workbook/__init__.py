"""The system of record: the table contract, typed reading and validation, safe write-back.

The public names are below; every other module of the package is its own business. They are
imported when first used, so `import workbook.contract` stays light (no lxml, no calamine).

    Book, audit_row          the interface every operation takes (workbook.book)
    FileBook                 a workbook file, read fast and written atomically (workbook.filebook)
    MemoryBook               tables in memory, for fast unit tests (workbook.memorybook)
    TABLES, SETTINGS, table  the contract: tables, columns and settings, declared once
    Table, Column, Setting   (workbook.contract)
    build_workbook           a new workbook from the contract (workbook.template)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "SETTINGS",
    "TABLES",
    "Book",
    "Column",
    "FileBook",
    "MemoryBook",
    "Setting",
    "Table",
    "audit_row",
    "build_workbook",
    "table",
]

_HOME = {
    "Book": "book",
    "audit_row": "book",
    "FileBook": "filebook",
    "MemoryBook": "memorybook",
    "SETTINGS": "contract",
    "TABLES": "contract",
    "Column": "contract",
    "Setting": "contract",
    "Table": "contract",
    "table": "contract",
    "build_workbook": "template",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'workbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
