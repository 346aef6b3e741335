"""How a Book stages a change in a table's typed frame: one rule per kind of write, for every book.

The file book and the memory book both keep each table as a frame indexed by Excel row and
apply writes to it before they commit; these functions are that bookkeeping, so the two books
cannot differ in which rows a write reaches or where appended rows go.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import Owner, Table
from .validate import writable_columns

__all__ = ["appended", "computed", "replaced"]


def computed(
    decl: Table, current: pd.DataFrame, key: str, frame: pd.DataFrame
) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """`current` with the computed columns of `frame` written into the rows whose `key` matches.

    Returns the new frame, the columns written and the Excel rows they reached; keys `current`
    does not hold are ignored, and a key held twice is written in its first row only.
    """
    columns = writable_columns(decl, key, frame)
    new = current.copy()
    rows_by_key = pd.Series(new.index, index=new[key].to_numpy())
    rows_by_key = rows_by_key[~rows_by_key.index.duplicated()]
    matched = frame[frame[key].isin(rows_by_key.index)]
    rows = rows_by_key.loc[matched[key].to_numpy()].to_numpy()
    for column in columns:
        new.loc[rows, column] = matched[column].to_numpy()
    return new, columns, rows


def replaced(decl: Table, frame: pd.DataFrame, header_row: int) -> pd.DataFrame:
    """The whole new body of an arbook-owned table whose header sits at `header_row`."""
    if decl.owner is not Owner.ARBOOK:
        raise ValueError(f"{decl.name} belongs to the user; arbook only writes its computed columns")
    new = frame.reset_index(drop=True)
    new.index = pd.Index(np.arange(header_row + 1, header_row + 1 + len(new)), name="row")
    return new


def appended(
    decl: Table, current: pd.DataFrame, frame: pd.DataFrame, first_row: int
) -> tuple[pd.DataFrame, int | None]:
    """`current` with `frame`'s rows after its last one (or from `first_row` when it has none).

    Returns the new frame and the Excel row of the first appended row (None: nothing to append).
    """
    if not decl.appendable:
        raise ValueError(f"{decl.name} does not take appended rows")
    if frame.empty:
        return current, None
    first_free = int(current.index.max()) + 1 if len(current) else first_row
    rows = frame.reindex(columns=current.columns).reset_index(drop=True)
    rows.index = pd.Index(np.arange(first_free, first_free + len(rows)), name="row")
    rows = rows.astype(current.dtypes.to_dict())
    return (pd.concat([current, rows]) if len(current) else rows), first_free
