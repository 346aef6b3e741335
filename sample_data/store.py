"""A generated company as plain CSV files, and back, exactly.

The committed small set lets the demo and the tests start without generating anything,
and stays readable in any editor: money as 1234.56, dates as 2026-10-31, yes/no as Y/N,
settings as a person would type them. Reading it back gives frames typed exactly like
`generate`'s (a test compares them), so the committed set cannot drift from the code.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from common.values import format_cents, parse_bool
from sample_data.frames import conform, conform_truth
from sample_data.generator import SampleCompany
from workbook.cells import as_text, encode, encode_column
from workbook.contract import SETTINGS, table

__all__ = ["SMALL_DIR", "TABLE_FILES", "load_company", "load_small", "save_company"]

SMALL_DIR = Path(__file__).resolve().parent / "small"
TABLE_FILES = {
    "customers": "Customers",
    "invoices": "Invoices",
    "orders": "Orders",
    "allocations": "Allocations",
    "bank_lines": "BankLines",
}


def save_company(company: SampleCompany, directory: Path) -> list[Path]:
    """Write one CSV per table (plus truth.csv, settings.csv and as_of.txt); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for attr, name in TABLE_FILES.items():
        paths.append(_write(directory / f"{attr}.csv", _as_text(getattr(company, attr), name)))
    truth = company.truth.copy()
    truth["Amount"] = as_text(encode(truth["Amount"], "money", table="truth", column="Amount"))
    paths.append(_write(directory / "truth.csv", truth))
    kinds = {s.key: s.kind for s in SETTINGS}
    descriptions = {s.key: s.description for s in SETTINGS}
    settings = pd.DataFrame(
        {
            "Key": list(company.settings),
            "Value": [_setting_text(v, kinds[k]) for k, v in company.settings.items()],
            "Description": [descriptions[k] for k in company.settings],
        }
    )
    paths.append(_write(directory / "settings.csv", settings))
    as_of = directory / "as_of.txt"
    as_of.write_text(f"{company.as_of:%Y-%m-%d}\n", encoding="utf-8")
    paths.append(as_of)
    return paths


def load_small() -> SampleCompany:
    """The committed small set (`sample_data/small/`), typed like `generate()`'s frames."""
    return load_company(SMALL_DIR)


def load_company(directory: Path) -> SampleCompany:
    """Read a set written by `save_company`."""
    frames = {}
    for attr, name in TABLE_FILES.items():
        raw = _read(directory / f"{attr}.csv")
        frames[attr] = conform(_from_text(raw, {c.name: c.kind for c in table(name).columns}), name)
    truth = _read(directory / "truth.csv")
    truth["Amount"] = _cents(truth["Amount"])
    raw_settings = _read(directory / "settings.csv")
    kinds = {s.key: s.kind for s in SETTINGS}
    settings = {
        k: _setting_value(v, kinds[k])
        for k, v in zip(raw_settings["Key"], raw_settings["Value"], strict=True)
    }
    as_of = dt.date.fromisoformat((directory / "as_of.txt").read_text(encoding="utf-8").strip())
    return SampleCompany(truth=conform_truth(truth), settings=settings, as_of=as_of, **frames)


def _write(path: Path, frame: pd.DataFrame) -> Path:
    """One CSV file; every field quoted when a value holds a carriage return (minimal quoting
    leaves it bare, and a reader takes it for the end of the line)."""
    bare_cr = any(frame[c].astype(str).str.contains("\r", regex=False).any() for c in frame.columns)
    quoting = csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=quoting)
    return path


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _cents(text: pd.Series) -> pd.Series:
    """ "-1234.56" -> -123456, exactly (no float on the way)."""
    if text.empty:  # a table without rows
        return pd.Series(pd.array([], dtype="Int64"), index=text.index)
    s = text.astype(str)
    empty = s == ""
    negative = s.str.startswith("-")
    whole, _, frac = s.str.lstrip("-").str.partition(".").T.to_numpy()
    cents = np.array(
        [int(w or 0) * 100 + int((f or "0").ljust(2, "0")) for w, f in zip(whole, frac, strict=True)],
        dtype=np.int64,
    )
    out = pd.array(np.where(negative, -cents, cents), dtype="Int64")
    out[empty.to_numpy()] = pd.NA
    return pd.Series(out, index=text.index)


def _as_text(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Each contract column as a person types it into a cell: the cell codec's text (workbook.cells)."""
    decl = table(name)
    return pd.DataFrame({c.name: as_text(encode_column(decl, c.name, frame[c.name])) for c in decl.columns})


def _from_text(raw: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    out = {}
    for col, kind in kinds.items():
        values = (
            raw[col] if col in raw else pd.Series("", index=raw.index, dtype=object)
        )  # a column added later
        if kind == "money":
            out[col] = _cents(values)
        elif kind in ("date", "datetime"):
            out[col] = pd.to_datetime(values.replace("", None), format="ISO8601")
        elif kind == "bool":
            out[col] = values == "Y"
        elif kind == "int":
            out[col] = pd.array([int(v) if v else pd.NA for v in values], dtype="Int64")
        else:
            out[col] = values
    return pd.DataFrame(out)


def _setting_text(value: object, kind: str) -> str:
    if kind == "money":
        return format_cents(int(value))  # type: ignore[call-overload]
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "buckets":
        return ",".join(str(v) for v in value)  # type: ignore[attr-defined]
    if kind == "list":
        return ";".join(str(v) for v in value)  # type: ignore[attr-defined]
    return str(value)


def _setting_value(text: str, kind: str) -> object:
    if kind == "money":
        return int(_cents(pd.Series([text])).iloc[0])
    if kind == "bool":
        return parse_bool(text)
    if kind == "buckets":
        return tuple(int(v) for v in text.split(","))
    if kind == "list":
        return tuple(v for v in text.split(";") if v)
    if kind == "int":
        return int(text)
    if kind == "number":
        return float(text)
    return text
