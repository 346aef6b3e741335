"""xlwings' own value conversion for Excel on Windows, run here without Windows.

Values cross between Python and Excel through xlwings.conversion, whose pipelines call the
engine's `clean_value_data` (what Excel handed over -> Python) and `prepare_xl_data_element`
(Python -> what is handed to Excel). For desktop Excel on Windows both live in the installed
xlwings/_xlwindows.py, which cannot be imported here: at import it loads pywin32 and Windows
DLLs. So the functions are taken from that file's syntax tree and run as written, with the two
pywin32 names they touch stood in for: `pywintypes.TimeType` (pywin32's date type, a datetime
subclass that Excel's dates arrive as) and `win32timezone.TimeZoneInfo.utc()`.

Nothing of xlwings is copied into this repository; an xlwings upgrade that renames these
functions fails here, loudly, rather than testing against a stale copy.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from xlwings.utils import np_datetime_to_datetime

__all__ = ["ComTime", "windows_conversion"]

_WANTED = {
    "time_types",
    "cell_errors",
    "_clean_value_data_element",
    "_com_time_to_datetime",
    "_datetime_to_com_time",
    "Engine",
}


class ComTime(dt.datetime):
    """pywintypes.TimeType: how pywin32 hands over an Excel date (a timezone-aware datetime)."""


def _source() -> Path:
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).with_name("_xlwindows.py")


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.If):  # `if np: time_types = time_types + (np.datetime64,)`
        return set().union(*(_defines(n) for n in node.body))
    return set()


def windows_conversion() -> dict[str, Any]:
    """The names of _WANTED, defined by executing their definitions from xlwings/_xlwindows.py."""
    tree = ast.parse(_source().read_text(encoding="utf-8"))
    body = [node for node in tree.body if _defines(node) & _WANTED]
    found = set().union(*(_defines(n) for n in body))
    if found != _WANTED:
        raise RuntimeError(f"xlwings/_xlwindows.py no longer defines {sorted(_WANTED - found)}")
    namespace: dict[str, Any] = {
        "dt": dt,
        "np": np,
        "pd": pd,
        "np_datetime_to_datetime": np_datetime_to_datetime,
        "pywintypes": SimpleNamespace(TimeType=ComTime),
        "win32timezone": SimpleNamespace(TimeZoneInfo=SimpleNamespace(utc=lambda: dt.UTC)),
        "base_classes": SimpleNamespace(),
    }
    exec(compile(ast.Module(body=body, type_ignores=[]), str(_source()), "exec"), namespace)
    return namespace
