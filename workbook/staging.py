"""How a Book stages a change in a table's typed frame: one rule per kind of write, for every book.

Every book (the file book, the Excel book, the memory book) keeps each table as a frame
indexed by Excel row and applies writes to it before it commits; these functions are that
bookkeeping, so no two books can differ in which rows a write reaches or where appended rows
go. `StagingBook` is what the two books over a real workbook add to it: reading through the
shared `workbook.locator.Locator`, and recording what is left to write at commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contract import Owner, Settings, Table, normalise_header, table
from .locator import Grid, Locator, refuse_overlap
from .reader import Location
from .settings import date_order_for, settings_from_frame
from .units import Units, book_units
from .validate import absent_table, writable_columns

__all__ = [
    "Aside",
    "Changes",
    "Replacement",
    "Staged",
    "StagingBook",
    "appended",
    "aside",
    "changes",
    "computed",
    "has_values",
    "replaced",
    "replacement",
]


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


@dataclass
class Staged:
    """What a table's staged frame holds that the workbook does not yet."""

    replaced: bool = False
    appended_from: int | None = None  # first Excel row of appended rows
    dirty: dict[str, set[int]] = field(default_factory=dict)  # column -> Excel rows


class BookSettings:
    """How every Book reads (the file book and the Excel book through StagingBook, the MemoryBook
    directly): each table typed once per read cycle and handed out as a copy, its typed
    Settings, and the units its money is read and written in. A subclass keeps `_frames` and
    `_settings` (None until asked; both cleared when what was read is dropped) and types a table
    from its cells in `_load`."""

    _frames: dict[str, pd.DataFrame]
    _settings: Settings | None

    def read(self, name: str) -> pd.DataFrame:
        decl = table(name)
        if decl.name not in self._frames:
            self._frames[decl.name] = self._load(decl)
        return self._frames[decl.name].copy()

    def _load(self, decl: Table) -> pd.DataFrame:
        raise NotImplementedError

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = settings_from_frame(self.read("Settings"))
        return self._settings

    def _units(self, decl: Table) -> Units:
        """Which currency each row's money of `decl` is in (workbook.units), for reading and writing."""
        return book_units(decl, lambda: self.settings().base_currency, lambda: self.read("Customers"))


class StagingBook(BookSettings):
    """What the file book and the Excel book share: tables found and read through a `Locator`, kept
    as typed frames by Excel row, and changed there by `write_columns`, `replace` and `append`,
    with what each change left to write recorded in `_staged`.

    A subclass sets `_locator`, `_frames`, `_staged` and `_settings`, names the workbook for
    messages (`_name`), and writes what `_staged` records in its `commit`.
    """

    _locator: Locator
    _staged: dict[str, Staged]

    @property
    def _name(self) -> str:
        raise NotImplementedError

    def has(self, name: str) -> bool:
        return self._locate(table(name)) is not None

    def _locate(self, decl: Table) -> Location | None:
        return self._locator.locate(decl)

    def _load(self, decl: Table) -> pd.DataFrame:
        if self._locate(decl) is None:
            return absent_table(decl)
        date_order = date_order_for(decl.name, self.settings)
        return self._locator.read(
            decl, date_order=date_order, units=self._units(decl), workbook=self._name, read=self.read
        )

    def write_columns(self, name: str, key: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        new, columns, rows = computed(decl, self.read(decl.name), key, frame)
        staged = self._staged.setdefault(decl.name, Staged())
        for column in columns:
            staged.dirty.setdefault(column, set()).update(int(r) for r in rows)
        self._frames[decl.name] = new

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        where = self._locate(decl)
        self._frames[decl.name] = replaced(decl, frame, where.header_row if where else 1)
        self._staged.setdefault(decl.name, Staged()).replaced = True

    def append(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        where = self._locate(decl) if decl.appendable else None
        new, first = appended(decl, self.read(decl.name), frame, where.first_row if where else 2)
        if first is None:
            return
        self._frames[decl.name] = new
        staged = self._staged.setdefault(decl.name, Staged())
        if staged.appended_from is None:
            staged.appended_from = first


def has_values(series: pd.Series) -> bool:
    """Whether a column holds anything to write (not only empty cells): a column the user's table
    lacks is added only then."""
    return bool((series.notna() & (series.astype(str) != "")).any())


@dataclass(frozen=True)
class Changes:
    """What a commit writes into a table it does not replace: one decision for every book."""

    positions: dict[str, int]  # normalised column name -> sheet column, added columns included
    header: list[str]  # the table's header, added columns included
    added: list[str]  # columns the table lacks, added at its right (arbook has values for them)
    blocks: dict[tuple[int, ...], list[str]]  # computed columns of existing rows, by the Excel rows written
    new: pd.DataFrame  # appended rows, indexed by Excel row
    first_col: int
    last_row: int  # the table's last row afterwards

    @property
    def first_added(self) -> int:
        """The sheet column of the first added column."""
        return self.first_col + len(self.header) - len(self.added)

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.header) - 1


def changes(grid: Grid, where: Location, frame: pd.DataFrame, staged: Staged) -> Changes:
    """Where a staged table's changes go; refused (UnsafeWorkbookError) where the table would grow
    over the user's cells beside or below it."""
    positions = {normalise_header(h): where.first_col + i for i, h in enumerate(where.header) if h}
    header = list(where.header)
    appended = staged.appended_from
    new = frame.loc[frame.index >= appended] if appended is not None else frame.iloc[:0]
    # a column the user's table lacks is added only when arbook has something to put in it
    needed = set(staged.dirty) | {c for c in new.columns if has_values(new[c])}
    added = [c for c in frame.columns if c in needed and normalise_header(c) not in positions]
    if added:
        first = where.first_col + len(header)
        last = max(where.last_row, int(frame.index.max()))
        refuse_overlap(grid, where, first, first + len(added) - 1, where.header_row, last)
        positions.update({normalise_header(c): first + i for i, c in enumerate(added)})
        header += added
    # computed columns of existing rows: one block per set of rows (usually one for all columns)
    blocks: dict[tuple[int, ...], list[str]] = {}
    for column, rows in staged.dirty.items():
        kept = tuple(sorted(r for r in rows if appended is None or r < appended))
        blocks.setdefault(kept, []).append(column)
    last_row = where.last_row
    if appended is not None:
        last_col = where.first_col + len(header) - 1
        last_row = max(last_row, int(new.index.max()))
        refuse_overlap(grid, where, where.first_col, last_col, max(where.last_row + 1, appended), last_row)
    return Changes(positions, header, added, blocks, new, where.first_col, last_row)


@dataclass(frozen=True)
class Replacement:
    """Where a replaced table's header and rows go, and the block its old rows held: every Book
    clears rows `header_row`..`old_last`, columns `first_col`..`clear_last_col`, then writes the
    header and rows from (`header_row`, `first_col`); an Excel Table ends at (`new_last`, `last_col`)."""

    header: list[str]
    header_row: int
    first_col: int
    last_col: int
    old_last: int  # last row of the old block (at least one body row)
    new_last: int  # last row afterwards (an Excel Table keeps one body row)
    clear_last_col: int  # the old block's last column, or the new one's when it is wider


def replacement(grid: Grid, where: Location, frame: pd.DataFrame) -> Replacement:
    """The block a replaced table takes; refused where it would grow over the user's cells."""
    header = [str(c) for c in frame.columns]
    c1 = where.first_col
    c2 = c1 + len(header) - 1
    new_last = where.header_row + max(1, len(frame))
    old_last = max(where.last_row, where.header_row + 1)
    refuse_overlap(grid, where, where.last_col + 1, c2, where.header_row, new_last)
    refuse_overlap(grid, where, c1, c2, old_last + 1, new_last)
    return Replacement(header, where.header_row, c1, c2, old_last, new_last, max(where.last_col, c2))


@dataclass(frozen=True)
class Aside:
    """A mapped table's computed columns that no Mapping row places: its companion table, rewritten whole."""

    side: Table
    where: Location | None  # None: the companion table is new
    rows: pd.DataFrame  # indexed by Excel row where it exists
    rest: Staged  # what is left to write into the mapped table itself


def aside(locator: Locator, decl: Table, frame: pd.DataFrame, staged: Staged) -> Aside | None:
    """The companion table's part of a staged change to a mapped table (None: it has none)."""
    side = locator.companion(decl)
    if side is None or not set(staged.dirty) & set(side.column_names):
        return None
    rows = frame[side.column_names].reset_index(drop=True)
    where = locator.locate_companion(side)
    if where is not None:
        rows.index = pd.Index(np.arange(where.first_row, where.first_row + len(rows)), name="row")
    rest = {c: r for c, r in staged.dirty.items() if c not in side.column_names}
    return Aside(side, where, rows, Staged(staged.replaced, staged.appended_from, rest))
