"""Shared fixtures: where the real sample files live, and skips for missing system parts.

A test that needs LibreOffice, poppler or a CJK font is skipped with the reason printed when
the part is missing; under CI (CI=true) a missing part is a failure instead, because CI
installs them all (.ci/run).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import pytest

import sample_data
from arbook.cli import main
from arbook.demo import build_demo_books
from arbook.report.words import REPORT_LABELS, report_words
from workbook.filebook import FileBook

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# what `check` says of a workbook whose company settings are still empty (a new one, an adopted one)
COMPANY_WARNINGS = [
    "warning: Settings company_name is empty: the mail names no sender (a subject ends in a dash); "
    "--send is refused until it is set",
    "warning: Settings mail_from is empty: mail goes out from arbook@localhost.localdomain; "
    "--send is refused until it is set",
    "warning: Settings company_address is empty: statements carry no sender address",
    "warning: Settings remit_to is empty: statements and notices carry no bank details to pay to",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a test marked `slow` run first, each module's tests kept together in their order.

    `make test` hands whole modules to the workers in this order, the next one to the first worker
    free (`--dist loadfile --no-loadscope-reorder`, pyproject.toml): the long modules start while
    the many short ones are still waiting, and the short ones at the end even out the workers, so
    none sits idle while another finishes a long module it started last. A module kept on one
    worker builds its module-scoped fixtures once. Runs after pytest's own fixture-scope ordering.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    slow_first = sorted(
        modules.values(), key=lambda tests: not any(t.get_closest_marker("slow") for t in tests)
    )
    items[:] = [item for tests in slow_first for item in tests]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout: real bank files and Excel-made workbooks (never copied in)."""
    if not SHARED.is_dir():
        missing("../shared (bank and Excel samples) is not beside the checkout")
    return SHARED


def missing(reason: str) -> None:
    """Skip a test whose system part is missing, saying which; under CI (which installs them all) fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must have every system part: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice, the real spreadsheet application our files must open in."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        missing("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc")
    return path


@pytest.fixture(scope="session")
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if not path:
        missing("poppler-utils (pdftotext) is not installed: apt-get install -y poppler-utils")
    return path


@pytest.fixture(scope="session")
def lo_convert(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Path, Path], None]:
    """convert(target, source(s), outdir): LibreOffice headless converts files (to pdf, csv, xlsx ...).

    Uses a profile of the test session's own: a soffice started by another test or user at the
    same time would otherwise take the conversion over (or refuse it) through the shared profile.
    """
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(target: str, source: Path | Sequence[Path], outdir: Path) -> None:
        sources = [source] if isinstance(source, Path) else list(source)  # several: one soffice start
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=180)

    return convert


@dataclass
class CliResult:
    """What `arbook ARGS...` did: its exit status and what it printed."""

    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


def arbook(*args: object) -> CliResult:
    """The real `arbook` entry point (arbook.cli.main, exit codes and all) run in this process,
    as a shell would call it but without starting Python again: a traceback is an exception here,
    so it fails the test."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["arbook", *map(str, args)]
    with patch.object(sys, "argv", argv), redirect_stdout(out), redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:
            code = 0
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def small_company() -> sample_data.SampleCompany:
    """The committed sample company of `arbook demo` (sample_data/small), read once."""
    return sample_data.load_small()


@pytest.fixture(scope="session")
def demo_template(
    tmp_path_factory: pytest.TempPathFactory, small_company: sample_data.SampleCompany
) -> tuple[Path, list[Path], dt.date]:
    """The demo's Book.xlsx and bank files, built once per session: copy them (`demo_copy`) to change them."""
    return build_demo_books(tmp_path_factory.mktemp("demo-template"), small_company)


def copy_demo(template: tuple[Path, list[Path], dt.date], folder: Path) -> tuple[Path, list[Path], dt.date]:
    """The demo's workbook and bank files copied into `folder` (which must not exist yet)."""
    workbook, files, as_of = template
    shutil.copytree(workbook.parent, folder)
    return folder / workbook.name, [folder / f.relative_to(workbook.parent) for f in files], as_of


@pytest.fixture()
def demo_copy(
    demo_template: tuple[Path, list[Path], dt.date], tmp_path: Path
) -> tuple[Path, list[Path], dt.date]:
    """A fresh copy of the demo's workbook and bank files for one test."""
    return copy_demo(demo_template, tmp_path / "demo")


def report_figures(workbook: Path, as_of) -> tuple[dict[str, str], dict[str, str]]:
    """The saved report.txt's figures, by their English names, as the workbook's language writes
    their values: the month's bank lines, and what the month's runs did."""
    with FileBook(workbook, lock=False) as book:
        settings = book.settings()
        words = report_words(settings.locale, settings.pdf_font)
    english = {words(label): label for label in REPORT_LABELS["de"]}
    folder = workbook.parent / "reports" / f"month-end-{as_of.isoformat()}"
    month, runs = (
        (folder / "report.txt")
        .read_text(encoding="utf-8")
        .split(words("What the month-end runs of {date} did", date=as_of.isoformat()) + ":\n")
    )
    return tuple(  # type: ignore[return-value]
        {english[k]: v for k, v in (line.split(": ", 1) for line in part)}
        for part in (month.splitlines(), runs.splitlines()[:6])
    )


def count(step_line: str, label: str) -> int:
    """A count in a step's one-line summary ("auto-posted lines 115")."""
    found = re.search(rf"(?:^|; ){re.escape(label)} (\d+)", step_line)
    assert found, (label, step_line)
    return int(found.group(1))
