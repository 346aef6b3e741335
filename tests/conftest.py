"""Shared fixtures: where the real sample files live, and skips for missing system parts.

A test that needs LibreOffice, poppler or a CJK font is skipped with the reason printed when
the part is missing; under CI (CI=true) a missing part is a failure instead, because CI
installs them all (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
    """convert(target, source, outdir): LibreOffice headless converts a file (to pdf, csv, xlsx ...).

    Uses a profile of the test session's own: a soffice started by another test or user at the
    same time would otherwise take the conversion over (or refuse it) through the shared profile.
    """
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(target: str, source: Path, outdir: Path) -> None:
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=180)

    return convert
