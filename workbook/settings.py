"""The Settings table both ways: typed values from what people type, and text from typed values.

`arbook new` and the demo write settings as a person would type them; every run reads them
back typed. Both directions live here so they cannot drift apart.
"""

from __future__ import annotations

import pandas as pd

from common.errors import InputError, Problem
from common.values import format_cents, parse_amount_cents, parse_bool

from .contract import SETTINGS, Setting

__all__ = ["setting_text", "settings_from_frame"]


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


def settings_from_frame(frame: pd.DataFrame) -> dict[str, object]:
    """Settings rows -> typed values, defaults for missing keys; bad values are located problems."""
    values: dict[str, object] = {s.key: s.default for s in SETTINGS}
    given = {
        str(k).strip(): (row, v)
        for row, k, v in zip(frame.index, frame["Key"], frame["Value"], strict=True)
        if k and str(v).strip()
    }
    problems = []
    declared = {s.key.casefold(): s for s in SETTINGS}
    for key, (row, text) in given.items():
        setting = declared.get(key.casefold())
        if setting is None:
            values[key] = text
            continue
        try:
            values[setting.key] = _setting_value(setting.kind, text, setting.choices)
        except ValueError as exc:
            problems.append(Problem("Settings", int(row), "Value", f"{setting.key}: {exc}"))
    if problems:
        raise InputError(problems, heading="the Settings table was refused")
    return values


def _setting_value(kind: str, text: str, choices: tuple[str, ...]) -> object:
    text = str(text).strip()
    if kind == "bool":
        return parse_bool(text)
    if kind == "money":
        return parse_amount_cents(text)
    if kind == "int":
        if not text.lstrip("-").isdigit():
            raise ValueError(f"expected a whole number, got {text!r}")
        return int(text)
    if kind == "number":
        try:
            return float(text.rstrip("%").replace(",", "."))
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
    if kind == "buckets":
        parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"expected day limits such as 30,60,90,120, got {text!r}")
        limits = tuple(int(p) for p in parts)
        if list(limits) != sorted(set(limits)) or limits[0] <= 0:
            raise ValueError(f"expected increasing day limits above 0, got {text!r}")
        return limits
    if kind == "list":
        return tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())
    if kind == "choice" and choices and text.casefold() not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}, got {text!r}")
    return text.casefold() if kind == "choice" else text
