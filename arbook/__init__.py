"""arbook: the composer. It runs the operations of `arbook.operations` on a Book, joining the
workbook (workbook/), the receivables rules (receivables/), the matcher (matching/) and mail
(mailer/); the CLI (arbook.cli) and the Excel front end (macros/) are thin shells over it.

The runner and the operations import pandas, the mailer and the rest; they are imported when
first named here, so `arbook --help` (which imports this package) starts quickly.
"""

from __future__ import annotations

import importlib

from .operation import NO_PROGRESS, Progress, Summary
from .operations import OPERATIONS, Operation, operation

__all__ = [
    "NO_PROGRESS",
    "OPERATIONS",
    "Operation",
    "Progress",
    "Request",
    "Runner",
    "Summary",
    "month_end",
    "operation",
    "run",
]

_LATER = {
    "Request": "arbook.runner",
    "Runner": "arbook.runner",
    "run": "arbook.runner",
    "month_end": "arbook.monthend",
}


def __getattr__(name: str) -> object:
    if name in _LATER:
        return getattr(importlib.import_module(_LATER[name]), name)
    raise AttributeError(f"module 'arbook' has no attribute {name!r}")
