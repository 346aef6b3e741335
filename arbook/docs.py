"""`python -m arbook.docs`: refresh every generated part of README.md and docs/contract.md.

The workbook contract's parts come from `workbook.docs`; the parts only the composer can make
come from here: the commands and their options (read from the CLI itself, so a new operation
in `arbook.operations` appears with the options the CLI gives it), the Dashboard's choices,
the KPIs (`receivables.KPIS`), and which bank files cover each format (the `covers` and `kind`
columns of tests/bank_real/MANIFEST.tsv, and the formats of ../shared/bank-samples). A test fails when a document is stale, naming the command.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import click

from receivables import KPIS
from workbook.docs import contract_blocks, refresh, stale

from .cli import cli
from .operations import OPERATIONS, excel_entries

__all__ = [
    "BANK_FEATURES",
    "DOCUMENTS",
    "SHARED_COVERS",
    "all_blocks",
    "bank_coverage_markdown",
    "main",
    "stale_parts",
]

DOCUMENTS: dict[str, tuple[str, ...]] = {
    "README.md": ("tables", "settings", "bank-coverage"),
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
        meaning = k.description.format(
            days="dso_period_days", months="24", as_of="the as-of date", base="the base currency"
        )
        lines.append(f"| `{k.metric}` | {unit} | {meaning} | {k.label} |")
    lines.append(
        "| `Currency k`, `OpenAR X`, `OverdueAR X`, `Rate X`, `OpenAR X in B`, `OverdueAR X in B` | "
        "X, or B | per currency X of the open items (k-th on the Dashboard): as booked, its rate "
        "(1 B = x X, AsOf the rate's date) and converted to the base currency B | "
        "Open receivables by currency |"
    )
    return "\n".join(lines)


_REPO = Path(__file__).resolve().parents[1]
BANK_REAL = _REPO / "tests" / "bank_real" / "MANIFEST.tsv"
BANK_SHARED = _REPO.parent / "shared" / "bank-samples" / "MANIFEST.tsv"

BANK_FEATURES: tuple[tuple[str, str], ...] = (
    ("ofx", "OFX"),
    ("qfx", "QFX"),
    ("mt940", "MT940"),
    ("bai2", "BAI2"),
    ("coda", "CODA"),
    ("n43", "Norma 43"),
    ("cfonb", "CFONB 120"),
    ("qif", "QIF"),
    ("camt052", "camt.052 (any)"),
    ("camt052-bal", "camt.052 with balances"),
    ("camt053-02-08", "camt.053 .001.02 to .08"),
    ("camt053-09-13", "camt.053 .001.09 to .13"),
    ("xlsx", ".xlsx export"),
    ("xls-biff", ".xls (BIFF)"),
    ("xls-csv", ".xls that is a CSV"),
    ("xls-html", ".xls that is an HTML table"),
    ("head-nl", "CSV headings: Dutch"),
    ("head-be", "CSV headings: Flemish"),
    ("head-fr", "CSV headings: French"),
    ("head-es", "CSV headings: Spanish"),
    ("head-it", "CSV headings: Italian"),
    ("head-pl", "CSV headings: Polish"),
    ("head-hu", "CSV headings: Hungarian"),
    ("head-cs", "CSV headings: Czech"),
    ("head-zh", "CSV/sheet headings: Chinese"),
    ("head-ja", "CSV headings: Japanese"),
    ("sign-dc", "sign column D/C"),
    ("sign-dk", "sign column D/K"),
    ("sign-afbij", "sign column Af/Bij"),
    ("sign-jiedai", "sign column 借/贷"),
    ("sign-sh", "sign column S/H"),
    ("rowtype", "record-type column"),
    ("crcrlf", "CR CR LF line ends"),
    ("quote", "a quote missing on one row"),
    ("preamble", "a preamble above the header"),
    ("icbc", "ICBC layout"),
    ("ccb", "CCB layout"),
    ("boc", "BOC layout"),
    ("abc", "ABC layout"),
    ("cmb", "CMB layout"),
)
"""Each format or feature a bank file can cover, as tests/bank_real/MANIFEST.tsv's `covers`
column names it (a test holds every name there to this list)."""


# ../shared/bank-samples/MANIFEST.tsv has no `covers` column: its MT940 and camt files are
# told by their format, and the one CSV whose headings the list names is named here.
SHARED_COVERS = {"csv/csv2ofx_ubs_ch_fr.csv": "head-fr"}


def _shared_covers(row: dict[str, str]) -> list[str]:
    """The features a ../shared/bank-samples file covers."""
    fmt = row["format"]
    if fmt == "MT940":
        return ["mt940"]
    if m := re.fullmatch(r"camt\.05([23])\.001\.(\d\d)", fmt):
        if m[1] == "2":
            return ["camt052"]
        return ["camt053-02-08" if int(m[2]) <= 8 else "camt053-09-13"]
    return SHARED_COVERS.get(row["file"], "").split()


def _tsv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _verdict(read: int, refused: int, examples: int, specs: int) -> str:
    real = read + refused
    if read >= 2:
        return "two or more real files read"
    if real >= 2:
        layout = " (and the layout read)" if specs else ""
        return f"{real} real files, but {refused} refused at their line{layout}: short"
    if real == 0 and specs:
        return "the layout only (no permissively licensed public file found)"
    if real == 1:
        one = "one real file" + (" (refused at its line)" if refused else "")
        return one + (" and the layout" if specs else "") + ": short of two"
    return "examples only" if examples else "nothing"


def bank_coverage_markdown() -> str:
    """Per format or feature: how many kept bank files cover it, by kind, and whether two real
    files read right (or, with no public file, one written to the layout) cover it."""
    rows = _tsv(BANK_REAL)
    shared = [tag for r in _tsv(BANK_SHARED) for tag in _shared_covers(r)]
    lines = [
        "| format or feature | bank exports | parsers' examples | written to the layout | in ../shared | covered by |",
        "|---|---|---|---|---|---|",
    ]
    for tag, label in BANK_FEATURES:
        mine = [r for r in rows if tag in r["covers"].split()]
        count = {k: sum(r["kind"] == k for r in mine) for k in ("export", "example", "spec")}
        refused = sum(r["kind"] == "export" and r["checked"].startswith("refused") for r in mine)
        read = count["export"] - refused + shared.count(tag)
        exports = f"{count['export']} ({refused} refused)" if refused else str(count["export"])
        verdict = _verdict(read, refused, count["example"], count["spec"])
        lines.append(
            f"| {label} | {exports} | {count['example']} | {count['spec']} | {shared.count(tag)} | {verdict} |"
        )
    return "\n".join(lines)


def all_blocks() -> dict[str, str]:
    """Every generated part, by the name its markers carry."""
    return {
        **contract_blocks(),
        "commands": commands_markdown(),
        "options": options_markdown(),
        "dashboard": dashboard_markdown(),
        "kpis": kpis_markdown(),
        "bank-coverage": bank_coverage_markdown(),
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
