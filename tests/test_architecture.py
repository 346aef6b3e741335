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
import dataclasses
import importlib
import re
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


PRODUCTION = ("common", "workbook", "matching", "mailer", "receivables", "arbook", "macros", "sample_data")
ONE_OWNER = [
    ("an XML parser (entities, DTDs, network off)", r"\bXMLParser\(", {"common/safexml.py"}),
    (
        "the date order the Settings table is read with",
        r'== "Settings" else',
        {"workbook/settings.py"},
    ),
    ("a Settings of defaults (the contract's, read once)", r"\bSettings\(\)", {"workbook/settings.py"}),
    ("the settling kinds", r"^\s*SETTLING_KINDS\s*[:=]", {"receivables/ledger.py"}),
    ("the open-amount rule", r'\["OpenAmount"\]\s*=[^=]|"OpenAmount":\s', {"receivables/ledger.py"}),
    (
        "an allocation dated by its posting when PaymentDate is empty",
        r"PostedAt.*normalize\(",
        {"receivables/ledger.py"},
    ),
    ("the operation registry", r"^\s*OPERATIONS\s*[:=]", {"arbook/operations.py"}),
    ("the KPI names", r"^\s*KPIS\s*[:=]", {"receivables/kpi.py"}),
    (
        "a commit of a Book (the runner's; `arbook init` adopts before any run; `arbook refresh-vba` changes no table)",
        r"\bbook\.commit\(",
        {"arbook/runner.py", "workbook/adopt.py", "macros/vba.py"},
    ),
    ("the default outbox", r'/ "outbox"', {"arbook/mail.py"}),
    ("the mail journal opened for a run", r"\bJournal\(", {"arbook/mail.py"}),
    ("sending and folding a batch into MailLog", r"\bsend_and_fold\(", {"arbook/mail.py", "mailer/run.py"}),
    (
        "typed values written as xlsxwriter cells",
        r"\.write_(number|datetime|boolean)\b",
        {"workbook/cells.py"},
    ),
    ("a yes/no cell written as Y or N", r'"Y" if .* else "N"', {"common/values.py"}),
    (
        "a row's currency: its own, else its customer's, invoice's or line's, else the base",
        r'replace\(""\s*,\s*[\w.]*base|fillna\([\w.]*\bbase\b|\b(or|else) [\w.]*\bbase\b'
        r'|\.get\([^)]*,\s*[\w.]*\bbase\)|== ""\] = base',
        {"common/currency.py"},
    ),
    (
        "a row's customer's currency as its fallback",
        r'set_index\("CustomerID"\)\["Currency"\]',
        {"common/currency.py"},
    ),
    ("what an e-mail address is", r"\]\+@\[", {"common/addresses.py"}),
    (
        "a Book's read: typed once per cycle, its Settings and money units",
        r"settings_from_frame\(self\.read|book_units\(decl, lambda: self|self\._frames\[decl\.name\] = self\._load",
        {"workbook/staging.py"},
    ),
    ("where a replaced table's block goes", r"max\(where\.last_col", {"workbook/staging.py"}),
    (
        "yes/no words read (the workbook's reader, settings and codec; Approve for the matcher; the demo's store)",
        r"\bparse_bool\(",
        {
            "common/values.py",
            "workbook/cells.py",
            "workbook/settings.py",
            "workbook/convert.py",
            "arbook/match.py",
            "sample_data/store.py",
        },
    ),
    ("the default payment terms", r"^\s*DEFAULT_TERMS_DAYS\s*[:=]", {"common/terms.py"}),
    (
        "a DueDate from InvoiceDate and the customer's PaymentTermsDays",
        r'\["InvoiceDate"\] \+ pd\.to_timedelta',
        {"common/terms.py"},
    ),
    (
        "money added per currency as text (1200.00 EUR; 350.00 USD)",
        r"format_money\(v, c\) for c, v",
        {"receivables/money.py"},
    ),
    (
        "money formatted by hand as hundredths (format_money knows each currency's decimals)",
        r"/ ?100:\.2f",
        set(),
    ),
]
"""Rules that once stood in several places, each with the one module that may write it: a grep
over the production packages (bench and tests build their data apart on purpose)."""


@pytest.mark.parametrize(("rule", "pattern", "owners"), ONE_OWNER, ids=[r for r, _, _ in ONE_OWNER])
def test_a_rule_is_written_by_its_one_owner(rule: str, pattern: str, owners: set[str]) -> None:
    found = re.compile(pattern)
    writers = {
        path.relative_to(REPO).as_posix()
        for package in PRODUCTION
        for path in _modules(package)
        if any(found.search(line) for line in path.read_text(encoding="utf-8").splitlines())
    }
    assert writers == owners, f"{rule}: written in {sorted(writers - owners)}, owned by {sorted(owners)}"


def test_no_setting_has_a_second_default() -> None:
    """A setting's default is declared once, in workbook/contract.py: no function of the production
    packages defaults a parameter named like a setting (or `base`, the base currency), so a
    caller that forgets the workbook's value fails instead of quietly taking a copy of the default
    (None, "not given", is no value)."""
    names = {f.name for f in dataclasses.fields(Settings)} | {"base"}
    defaulted = []
    for package in PRODUCTION:
        for path in _modules(package):
            name = path.relative_to(REPO).as_posix()
            if name == "workbook/contract.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    args = node.args
                    positional = [*args.posonlyargs, *args.args]
                    pairs = [
                        *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
                        *(
                            (a, d)
                            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                            if d is not None
                        ),
                    ]
                    defaulted += [
                        f"{name}:{node.lineno} {a.arg}"
                        for a, d in pairs
                        if a.arg in names and not (isinstance(d, ast.Constant) and d.value is None)
                    ]
    assert defaulted == []


PUBLIC = (
    "workbook",
    "matching",
    "matching.importers",
    "matching.matcher",
    "mailer",
    "receivables",
    "arbook",
    "sample_data",
)


@pytest.mark.parametrize("package", PUBLIC)
def test_a_package_names_its_public_parts_and_each_is_there(package: str) -> None:
    module = importlib.import_module(package)
    public = module.__all__
    assert public and len(public) == len(set(public))
    assert [name for name in public if not hasattr(module, name)] == []
