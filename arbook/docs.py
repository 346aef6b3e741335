"""`python -m arbook.docs`: refresh every generated part of README.md and docs/contract.md.

The workbook contract's parts come from `workbook.docs`; the parts only the composer can make
come from here: the commands and their options (read from the CLI itself, so a new operation
in `arbook.operations` appears with the options the CLI gives it), the Dashboard's choices,
and the KPIs (`receivables.KPIS`). A test fails when a document is stale, naming the command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from receivables import KPIS
from workbook.docs import contract_blocks, refresh, stale

from .cli import cli
from .operations import OPERATIONS, excel_entries

__all__ = ["DOCUMENTS", "all_blocks", "main", "stale_parts"]

DOCUMENTS: dict[str, tuple[str, ...]] = {
    "README.md": ("tables", "settings"),
    "docs/contract.md": (
        "table-overview",
        "kinds",
        "settings",
        "commands",
        "options",
        "dashboard",
        "kpis",
    ),
}
"""Each document with the generated parts it must hold (docs/contract.md also holds one
`columns:<table>` part per contract table, added by `stale_parts`)."""


def _params(command: click.Command, ctx: click.Context) -> str:
    words = []
    for param in command.params:
        if isinstance(param, click.Argument):
            name = (param.metavar or param.name or "").upper()
            name += "..." if param.nargs == -1 else ""
            words.append(name if param.required else f"[{name}]")
        elif isinstance(param, click.Option) and param.opts[0] != "--help":
            words.append(param.opts[0] if param.is_flag else f"{param.opts[0]} {param.make_metavar(ctx)}")
    return " ".join(words)


def _commands() -> list[tuple[str, click.Command]]:
    """Every command: the operations in their declared order, then the ones that make a workbook."""
    declared = [op.name for op in OPERATIONS if op.command]
    rest = sorted(name for name in cli.commands if name not in declared)
    return [(name, cli.commands[name]) for name in [*declared, *rest]]


def commands_markdown() -> str:
    """Each command with its arguments, what it does, and what it may change."""
    parent = click.Context(cli, info_name="arbook")
    by_name = {op.name: op for op in OPERATIONS}
    steps = [op.name for op in OPERATIONS if op.month_end]
    lines = [
        "| command | arguments and options | does | changes |",
        "|---|---|---|---|",
    ]
    for name, command in _commands():
        ctx = click.Context(command, info_name=name, parent=parent)
        op = by_name.get(name)
        if op is None:
            changes = "not an operation: see below"
        else:
            changes = "the workbook (run lock, --dry-run)" if op.writes else "nothing (reads only)"
            if op.mails:
                changes += "; sends or writes mail"
        help_text = (command.help or "").split("\n\n")[0].replace("\n", " ")
        lines.append(f"| `arbook {name}` | `{_params(command, ctx)}` | {help_text} | {changes} |")
    lines += ["", f"Month-end steps, in order: {', '.join(f'`{s}`' for s in steps)}."]
    return "\n".join(lines)


def options_markdown() -> str:
    """Every option a command offers, once, with its help."""
    parent = click.Context(cli, info_name="arbook")
    seen: dict[str, str] = {}
    for name, command in _commands():
        ctx = click.Context(command, info_name=name, parent=parent)
        for param in command.params:
            if isinstance(param, click.Option) and param.opts[0] != "--help":
                shown = param.opts[0] if param.is_flag else f"{param.opts[0]} {param.make_metavar(ctx)}"
                seen.setdefault(shown, " ".join((param.help or "").split()))
    lines = ["| option | meaning |", "|---|---|"]
    lines += [f"| `{shown}` | {text} |" for shown, text in seen.items()]
    return "\n".join(lines)


def dashboard_markdown() -> str:
    """The Dashboard's Operation choices and the command each runs."""
    lines = ["| Dashboard choice | runs | mail |", "|---|---|---|"]
    for entry, op in excel_entries():
        mail = ("sent through SMTP" if entry.send else "to the outbox") if op.mails else ""
        lines.append(f"| {entry.label} | `arbook {op.name}` | {mail} |")
    return "\n".join(lines)


def kpis_markdown() -> str:
    """The KPIs table's metrics, as `receivables.kpi.KPIS` declares them."""
    lines = ["| Metric | unit | meaning | on the Dashboard as |", "|---|---|---|---|"]
    for k in KPIS:
        unit = "base currency" if k.unit == "currency" else k.unit
        meaning = k.description.format(days="dso_period_days", months="24")
        lines.append(f"| `{k.metric}` | {unit} | {meaning} | {k.label} |")
    return "\n".join(lines)


def all_blocks() -> dict[str, str]:
    """Every generated part, by the name its markers carry."""
    return {
        **contract_blocks(),
        "commands": commands_markdown(),
        "options": options_markdown(),
        "dashboard": dashboard_markdown(),
        "kpis": kpis_markdown(),
    }


def _required(document: str, blocks: dict[str, str]) -> tuple[str, ...]:
    columns = tuple(n for n in blocks if n.startswith("columns:")) if document == "docs/contract.md" else ()
    return DOCUMENTS[document] + columns


def stale_parts(root: Path) -> list[str]:
    """Every generated part under `root` that is out of date or missing, as "document: part"."""
    blocks = all_blocks()
    return [
        f"{document}: {name}"
        for document in DOCUMENTS
        for name in stale(root / document, blocks, _required(document, blocks))
    ]


def main(root: Path) -> None:
    """Refresh every document under `root`, then say which parts still need their markers added."""
    blocks = all_blocks()
    for document in DOCUMENTS:
        if refresh(root / document, blocks):
            print(f"refreshed {document}")
    left = stale_parts(root)
    for part in left:
        print(f"{part}: missing, or no longer generated: add or remove its markers by hand", file=sys.stderr)
    if left:
        sys.exit(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
