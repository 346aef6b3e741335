"""Dependencies point one way, and what independent packages must each declare agrees.

`workbook`, `matching`, `mailer` and `receivables` import `common` only, and `common` nothing
of ours, so each can be read, tested and changed alone; `arbook` composes them, and `macros`
and the CLI are shells over it (docs/architecture.md). Found by parsing every import of every
module, those inside functions included, so a lazy import cannot hide an arrow back up.

Because those packages may not import each other, a few declarations stand in two of them
(a package's own copy of the column order of a contract table it fills); the second half of
this file holds each copy equal to the contract.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mailer import MAILLOG_COLUMNS
from matching.importers import LINE_COLUMNS, STATEMENT_COLUMNS
from matching.matcher import ALLOCATION_COLUMNS, LINE_MONEY, MATCH_COLUMNS
from receivables import FORECAST_COLUMNS, KPI_COLUMNS, SETTLING_KINDS, bucket_labels
from workbook.contract import ALLOCATION_KINDS, Settings, table

REPO = Path(__file__).resolve().parents[1]
OURS = (
    "common",
    "workbook",
    "matching",
    "mailer",
    "receivables",
    "arbook",
    "macros",
    "sample_data",
    "bench",
    "tests",
)
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "workbook": {"common"},
    "matching": {"common"},
    "mailer": {"common"},
    "receivables": {"common"},
    "arbook": {"common", "workbook", "matching", "mailer", "receivables", "sample_data"},
    "macros": {"common", "workbook", "matching", "mailer", "receivables", "arbook"},
    "sample_data": {"common", "workbook", "matching", "receivables"},
    "bench": {"common", "workbook", "matching", "mailer", "receivables", "arbook", "sample_data"},
}
"""What each package may import besides itself."""
EXCEPTIONS = {
    ("arbook/cli.py", "macros"): "the CLI is a shell too: `arbook refresh-vba` runs macros.vba on a file",
}


def _imports(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports; relative ones stay inside)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.partition(".")[0])
    return out


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    wrong = []
    for path in _modules(package):
        name = path.relative_to(REPO).as_posix()
        for imported in _imports(path) & set(OURS):
            if (
                imported != package
                and imported not in ALLOWED[package]
                and (name, imported) not in EXCEPTIONS
            ):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_every_package_is_checked() -> None:
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")}
    assert packages - {"tests"} == set(ALLOWED)


@pytest.mark.parametrize(
    ("copy", "table_name"),
    [
        (LINE_COLUMNS, "BankLines"),
        (STATEMENT_COLUMNS, "BankStatements"),
        (MATCH_COLUMNS, "Matches"),
        (ALLOCATION_COLUMNS, "Allocations"),
        (MAILLOG_COLUMNS, "MailLog"),
        (FORECAST_COLUMNS, "Forecast"),
        (KPI_COLUMNS, "KPIs"),
    ],
)
def test_a_packages_copy_of_a_tables_columns_is_the_contracts(copy: object, table_name: str) -> None:
    assert list(copy) == table(table_name).column_names  # type: ignore[call-overload]


def test_aging_columns_of_the_contract_are_the_default_buckets() -> None:
    declared = [c.name for c in table("Aging").columns if c.variable]
    assert ["Current", *declared] == bucket_labels(Settings().aging_buckets)


def test_allocation_kinds_the_packages_name_are_the_contracts() -> None:
    assert set(SETTLING_KINDS) | set(LINE_MONEY) == set(ALLOCATION_KINDS)
