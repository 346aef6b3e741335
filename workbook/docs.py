"""The workbook contract as Markdown, made from its declarations, and the generated parts of a document.

The README's table of tables and docs/contract.md's tables of columns, cell kinds and settings
are made here from `workbook.contract` (and the cell codec), so the documents cannot disagree
with the code. A document marks each generated part with a pair of comments,

    <!-- generated: NAME (python -m arbook.docs) -->
    ...
    <!-- end of generated: NAME -->

and `refresh` rewrites what lies between them; `stale` names the parts that are out of date or
missing. `python -m arbook.docs` refreshes every document (arbook adds the parts that come from
the operations and the KPIs, which this package does not know); a test fails when one is stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from common.values import cents_to_decimal, format_cents

from .cells import CODECS, money_format
from .contract import SETTINGS, TABLES, Column, Owner, Table
from .settings import expected

__all__ = [
    "COMMAND",
    "begin",
    "columns_markdown",
    "contract_blocks",
    "end",
    "kinds_markdown",
    "refresh",
    "settings_markdown",
    "stale",
    "tables_markdown",
    "tables_overview_markdown",
]

COMMAND = "python -m arbook.docs"
"""The one command that refreshes every generated part of the repository's documents."""

_BLOCK = re.compile(
    r"<!-- generated: (?P<name>[\w:-]+) \([^)]*\) -->\n(?P<body>.*?)\n?<!-- end of generated: (?P=name) -->",
    re.DOTALL,
)


def begin(name: str) -> str:
    return f"<!-- generated: {name} ({COMMAND}) -->"


def end(name: str) -> str:
    return f"<!-- end of generated: {name} -->"


def _column(col: Column) -> str:
    mark = "*" if col.required else ""
    tag = " (c)" if col.computed else " (u)" if col.user_input else ""
    return f"`{col.name}`{mark}{tag}"


def tables_markdown() -> str:
    """The README's table of tables: each table's owner and columns, marked required, computed, input."""
    lines = [
        "| table | owner | columns (* required, (c) computed by arbook, (u) your input) |",
        "|---|---|---|",
    ]
    for t in TABLES:
        owner = t.owner.value + (", optional" if t.optional else "")
        lines.append(f"| `{t.name}` | {owner} | {', '.join(_column(c) for c in t.columns)} |")
    return "\n".join(lines)


def tables_overview_markdown() -> str:
    """Every table with its owner, key, what arbook may do to it, and what it holds."""
    lines = ["| table | owner | key | arbook | holds |", "|---|---|---|---|---|"]
    for t in TABLES:
        may = _what_arbook_does(t)
        owner = t.owner.value + (", optional" if t.optional else "")
        key = f"`{t.key}`" if t.key else ""
        lines.append(f"| `{t.name}` | {owner} | {key} | {may} | {t.description} |")
    return "\n".join(lines)


def _what_arbook_does(t: Table) -> str:
    if t.owner is Owner.LOG:
        return "appends rows, never changes one"
    if t.owner is Owner.ARBOOK:
        kept = [c.name for c in t.columns if c.user_input]
        return "rewrites it whole" + (f", keeping your {', '.join(kept)}" if kept else "")
    does = f"writes only {', '.join(t.computed)}" if t.computed else "only reads it"
    return does + ("; appends rows" if t.appendable else "")


def _accepted(decl: Table, col: Column) -> str:
    if col.choices:
        return ", ".join(col.choices)
    if col.kind == "money":
        return f"at most {cents_to_decimal(decl.largest_amount):,.2f} either way"
    if col.kind == "int" and col.most is not None:
        return f"at most {col.most} either way"
    return ""


def columns_markdown(decl: Table) -> str:
    """One table's columns: kind, whether required, computed or your input, what is accepted, its note."""
    lines = ["| column | kind | role | accepted | note |", "|---|---|---|---|---|"]
    for col in decl.columns:
        role = [
            "required" if col.required else "",
            "computed (c)" if col.computed else "",
            "your input (u)" if col.user_input else "",
            "follows a setting" if col.variable else "",
        ]
        lines.append(
            f"| `{col.name}` | {col.kind} | {', '.join(r for r in role if r)} | "
            f"{_accepted(decl, col)} | {col.description} |"
        )
    return "\n".join(lines)


def kinds_markdown() -> str:
    """What cell arbook writes for each column kind (the cell codec's declaration)."""
    lines = ["| kind | cell arbook writes | number format |", "|---|---|---|"]
    for kind, codec in CODECS.items():
        shown = f"`{codec.number_format}`"
        if kind == "money":
            shown = (
                f"in the row's currency's decimals: `{money_format(0)}` (JPY), `{money_format(2)}` "
                f"(EUR), `{money_format(3)}` (KWD)"
            )
        lines.append(f"| {kind} | {codec.cell} | {shown} |")
    return "\n".join(lines)


def settings_markdown() -> str:
    """Every setting: its default, meaning and what a value must be."""
    lines = ["| setting | default | meaning | accepted |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = ",".join(map(str, s.default)) if isinstance(s.default, tuple) else s.default
        if s.kind == "money" and isinstance(default, int):
            default = format_cents(default)
        if isinstance(default, bool):
            default = "yes" if default else "no"
        lines.append(f"| `{s.key}` | {default} | {s.description} | {expected(s)} |")
    return "\n".join(lines)


def contract_blocks() -> dict[str, str]:
    """Every generated part that comes from the contract, by the name its markers carry."""
    blocks = {
        "tables": tables_markdown(),
        "table-overview": tables_overview_markdown(),
        "kinds": kinds_markdown(),
        "settings": settings_markdown(),
    }
    blocks.update({f"columns:{t.name}": columns_markdown(t) for t in TABLES})
    return blocks


def refresh(path: Path, blocks: Mapping[str, str]) -> bool:
    """Rewrite every generated part of the document at `path` that `blocks` names; True when it changed."""
    text = path.read_text(encoding="utf-8")

    def made(found: re.Match[str]) -> str:
        name = found["name"]
        if name not in blocks:
            return found[0]
        return f"{begin(name)}\n{blocks[name]}\n{end(name)}"

    new = _BLOCK.sub(made, text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def stale(path: Path, blocks: Mapping[str, str], required: tuple[str, ...] = ()) -> list[str]:
    """The generated parts of `path` that differ from `blocks` (or that nothing generates any more),
    and those of `required` it lacks."""
    found = {m["name"]: m for m in _BLOCK.finditer(path.read_text(encoding="utf-8"))}
    out = [name for name in required if name not in found]
    for name, match in found.items():
        first_line = match[0].split("\n", 1)[0]
        if name not in blocks or match["body"].strip() != blocks[name] or first_line != begin(name):
            out.append(name)
    return out
