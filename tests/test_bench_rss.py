"""The benchmarks' memory figures: each step's own peak, and the watchdog that stops a run past its limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench._rss import StepPeaks, resident

REPO = Path(__file__).resolve().parents[1]
MB = 1 << 20

pytestmark = pytest.mark.skipif(resident() is None, reason="resident memory is read from Linux's /proc")


def test_each_step_has_its_own_peak_not_the_process_high_water_mark() -> None:
    peaks = StepPeaks()
    peaks.start()
    big = bytearray(64 * MB)  # zero-filled: resident
    del big  # the step ends holding no more than before it
    peaks.end("big")
    peaks.end("small")
    assert peaks.peaks["big"] >= resident() + 60 * MB
    assert peaks.peaks["small"] < peaks.peaks["big"] - 48 * MB  # the big step's peak was not carried over
    assert peaks.mb("missing") == "-"


def test_the_watchdog_stops_a_process_past_its_limit_and_says_so() -> None:
    script = textwrap.dedent(
        """
        import time
        from bench._rss import Watchdog, resident
        with Watchdog(resident() + 32 * 2**20, "the test"):
            hold = bytearray(96 * 2**20)
            time.sleep(5)
        print("not stopped")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert "the test: stopped at " in done.stderr and "past the limit of " in done.stderr
