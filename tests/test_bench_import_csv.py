"""The import benchmark runs and prints both ratios (its figures are read by people, not asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_benchmark_reads_every_line_and_prints_its_ratios() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_csv", "--lines", "3000"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # the benchmark asserts it read 3,000 unique lines
    assert "file: 3,000 lines, bank.csv" in done.stdout
    assert re.search(r"^ratio parsing: \d+\.\d\dx \(target < 2x\)$", done.stdout, re.MULTILINE)
    assert re.search(r"^ratio whole import: \d+\.\d\dx$", done.stdout, re.MULTILINE)
