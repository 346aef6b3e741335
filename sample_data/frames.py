"""Generated columns -> the contract's columns and types, exactly as `Book.read` returns them.

Both the generator and the loader of the committed CSV set pass through here, so a frame
from either is interchangeable with one read from a workbook (index aside).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbook.contract import table

__all__ = ["TRUTH_COLUMNS", "conform", "conform_truth"]

TRUTH_COLUMNS = ("LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Situation")


def conform(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Every column of contract table `name`, in contract order and kind; missing ones empty."""
    out = {col.name: _typed(frame.get(col.name), col.kind, len(frame)) for col in table(name).columns}
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def conform_truth(frame: pd.DataFrame) -> pd.DataFrame:
    out = {c: _typed(frame[c], "money" if c == "Amount" else "text", len(frame)) for c in TRUTH_COLUMNS}
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _typed(values: pd.Series | np.ndarray | None, kind: str, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if kind in ("money", "int"):
        return pd.Series(pd.array([pd.NA] * n if values is None else values, dtype="Int64"))
    if kind in ("date", "datetime"):
        empty = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        return pd.Series(empty if values is None else pd.to_datetime(values), dtype="datetime64[ns]")
    if kind == "bool":
        return pd.Series(np.zeros(n, dtype=bool) if values is None else values, dtype=bool)
    if kind == "number":
        return pd.Series(np.full(n, np.nan) if values is None else values, dtype="float64")
    if values is None:
        return pd.Series(np.full(n, "", dtype=object), dtype=object)
    return pd.Series(values, dtype=object).fillna("").astype(str).astype(object)
