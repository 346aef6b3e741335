"""The Settings table both ways: the typed `Settings` from what people type, and text from typed values.

`arbook new` and the demo write settings as a person would type them; every run reads them
back typed. Both directions live here so they cannot drift apart. Reading also refuses a
value that makes no sense (a DSO period of 0 days, a threshold of NaN or 120, a currency
that is not an ISO 4217 code, a sender with a line break), each naming the Settings row,
column Value, the key and what was expected, so a run stops before it writes anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType

import pandas as pd

from common.currency import is_currency
from common.errors import InputError, Problem
from common.values import format_cents, parse_amount_cents, parse_bool

from .contract import SETTINGS, Setting, Settings

__all__ = ["BEFORE_SETTINGS", "date_order_for", "expected", "setting_text", "settings_from_frame"]


BEFORE_SETTINGS = "dmy"
"""The date order of what is read before the Settings are known: the Settings table itself (its
own dates cannot wait for a value they carry) and the Mapping that says where a team's tables
are, with its companion tables (arbook's own, whose dates are date cells anyway)."""


def date_order_for(table_name: str, settings: Callable[[], Settings]) -> str:
    """The order of day and month in which a table's typed dates are read.

    Every table follows the Settings key `date_order`, except the Settings table itself, read
    in BEFORE_SETTINGS order. Every Book asks here, so the file, Excel and memory read the
    same dates.
    """
    return BEFORE_SETTINGS if table_name == "Settings" else settings().date_order


def setting_text(setting: Setting, value: object) -> str:
    """A typed setting value as a person would type it in the Settings table."""
    if setting.kind == "bool":
        return "yes" if value else "no"
    if setting.kind == "money":
        return format_cents(int(value))  # type: ignore[call-overload]
    if setting.kind == "number":
        return f"{float(value):g}"  # type: ignore[arg-type]
    if setting.kind == "buckets":
        return ",".join(str(v) for v in value)  # type: ignore[attr-defined]
    if setting.kind == "list":
        return ";".join(str(v) for v in value)  # type: ignore[attr-defined]
    return str(value)


_KIND_TEXT = {
    "bool": "yes or no",
    "money": "an amount",
    "int": "a whole number",
    "number": "a number",
    "buckets": "day limits such as 30,60,90,120",
    "list": "a ;-separated list",
    "text": "text",
}


def _kind_text(setting: Setting) -> str:
    if setting.kind == "choice":
        return f"one of {', '.join(setting.choices)}"
    return _KIND_TEXT[setting.kind]


def expected(setting: Setting) -> str:
    """What a value of `setting` must be, in the words of a refusal (and of the README's table)."""
    what = _kind_text(setting)
    if setting.currency:
        what = "an ISO 4217 currency code such as EUR"
    elif setting.one_line:
        what = "text on one line"
    low, high = setting.low, setting.high
    if setting.kind == "money":
        low = None if low is None else format_cents(int(low))  # type: ignore[assignment]
        high = None if high is None else format_cents(int(high))  # type: ignore[assignment]
    if setting.kind == "buckets" and high is not None:
        what = f"increasing {what}, at most {high:g} days"
    elif low is not None and high is not None:
        what += f" from {_shown(low)} to {_shown(high)}"
    if setting.not_below:
        what += f", at least {setting.not_below}"
    return what


def settings_from_frame(frame: pd.DataFrame) -> Settings:
    """Settings rows -> `Settings`, declared defaults for missing keys; values that make no
    sense are refused with every problem located (row, column Value, key, what was expected)."""
    given = {
        str(k).strip(): (row, v)
        for row, k, v in zip(frame.index, frame["Key"], frame["Value"], strict=True)
        if k and str(v).strip()
    }
    declared = {s.key.casefold(): s for s in SETTINGS}
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    other: dict[str, str] = {}
    problems = []
    for key, (row, text) in given.items():
        setting = declared.get(key.casefold())
        if setting is None:
            other[key] = str(text).strip()
            continue
        rows[setting.key] = int(row)
        text = str(text).strip()
        try:
            values[setting.key] = _checked(setting, _setting_value(setting, text), text)
        except ValueError as exc:
            problems.append(Problem("Settings", int(row), "Value", f"{setting.key}: {exc}"))
    settings = replace(Settings(), **values, other=MappingProxyType(other))
    problems += _relations(settings, rows, failed={p.message.partition(":")[0] for p in problems})
    if problems:
        raise InputError(problems, heading="the Settings table was refused")
    return settings


def _setting_value(setting: Setting, text: str) -> object:
    kind = setting.kind
    if kind == "bool":
        return parse_bool(text)
    if kind == "money":
        return parse_amount_cents(text)
    if kind == "int":
        if not text.lstrip("-").isdigit():
            raise ValueError(f"expected {_kind_text(setting)}, got {text!r}")
        return int(text)
    if kind == "number":
        try:
            return float(text.rstrip("%").replace(",", "."))
        except ValueError:
            raise ValueError(f"expected {_kind_text(setting)}, got {text!r}") from None
    if kind == "buckets":
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValueError(f"expected {_kind_text(setting)}, got {text!r}")
        limits = tuple(int(p) for p in parts)
        if list(limits) != sorted(set(limits)) or limits[0] <= 0:
            raise ValueError(f"expected increasing day limits above 0, got {text!r}")
        return limits
    if kind == "list":
        parts = text.replace(",", ";").replace("\r", ";").replace("\n", ";").split(";")
        return tuple(p.strip() for p in parts if p.strip())
    if kind == "choice":
        if text.casefold() not in setting.choices:
            raise ValueError(f"expected {_kind_text(setting)}, got {text!r}")
        return text.casefold()
    return text


def _checked(setting: Setting, value: object, text: str) -> object:
    """`value` when it makes sense for `setting`, else ValueError saying what was expected."""
    wrong = False
    if setting.kind in ("int", "number", "money"):
        number = float(value)  # type: ignore[arg-type]
        wrong = not math.isfinite(number)
        wrong |= setting.low is not None and number < setting.low
        wrong |= setting.high is not None and number > setting.high
    elif setting.kind == "buckets":
        wrong = setting.high is not None and max(value) > setting.high  # type: ignore[call-overload]
    elif setting.currency:
        value = str(value).upper()
        wrong = not is_currency(value)
    elif setting.one_line:
        wrong = "\n" in str(value) or "\r" in str(value)
    if wrong:
        raise ValueError(f"expected {expected(setting)}, got {text!r}")
    return value


def _relations(settings: Settings, rows: dict[str, int], failed: set[str]) -> list[Problem]:
    """Settings that must agree with another one (a setting refused on its own is not judged again)."""
    problems = []
    for setting in SETTINGS:
        other = setting.not_below
        if not other or {setting.key, other} & failed:
            continue
        value, floor = getattr(settings, setting.key), getattr(settings, other)
        if value < floor:
            blamed, text = (
                (setting.key, f"expected at least {other} ({floor:g}), got {value:g}")
                if setting.key in rows or other not in rows
                else (other, f"expected at most {setting.key} ({value:g}), got {floor:g}")
            )
            problems.append(Problem("Settings", rows.get(blamed), "Value", f"{blamed}: {text}"))
    return problems


def _shown(bound: object) -> str:
    return f"{bound:g}" if isinstance(bound, float | int) else str(bound)
