"""Resident memory of this process, as Linux counts it: what the benchmarks report as peak memory.

/proc/self/status holds VmRSS (resident now) and VmHWM (the most ever resident); writing 5 to
/proc/self/clear_refs sets VmHWM back to what is resident now. So reading VmHWM at the end of
each step of a run and setting it back gives every step its own peak (`StepPeaks`), where one
high-water mark for the whole process would also count what the benchmark built before the run.

A run at 1,000,000 invoices may need more memory than the shared machine can give: `Watchdog`
ends this process, saying so, as soon as it passes the limit it was given.

On a system without /proc (macOS, Windows) nothing is measured: the figures are None.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

__all__ = ["StepPeaks", "Watchdog", "peak_rss", "resident"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_MB = 1 << 20


def _status_field(name: str, status: Path = _STATUS) -> int | None:
    """A memory line of a /proc status file in bytes (it is written in kB), or None without /proc."""
    try:
        text = status.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    return None


def resident() -> int | None:
    """Bytes of this process resident in memory now."""
    return _status_field("VmRSS")


def peak_rss() -> int | None:
    """The most bytes this process held resident since it started, or since `StepPeaks` last set it back."""
    return _status_field("VmHWM")


def _reset_peak() -> bool:
    """Set the high-water mark back to what is resident now; False where the system does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


class StepPeaks:
    """Each step's peak resident memory: `start()` before the first step, `end(step)` after each."""

    def __init__(self) -> None:
        self.peaks: dict[str, int | None] = {}
        self._resets = False

    def start(self) -> None:
        self._resets = _reset_peak()

    def end(self, step: str) -> None:
        """Record the peak since the step began, and begin the next step's count."""
        self.peaks[step] = peak_rss() if self._resets else None
        self._resets = _reset_peak()

    def mb(self, step: str) -> str:
        """The step's peak in MB, for a report line ("-" when not measured)."""
        peak = self.peaks.get(step)
        return "-" if peak is None else f"{peak / _MB:,.0f}"


class Watchdog:
    """Ends this process (exit status 3) once its resident memory passes `limit` bytes; checked
    every half second from a thread, so a run is stopped well before it takes the machine."""

    def __init__(self, limit: int, what: str) -> None:
        self._limit, self._what = limit, what
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="rss-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        if resident() is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            now = resident()
            if now is not None and now > self._limit:
                print(
                    f"{self._what}: stopped at {now / _MB:,.0f} MB resident, past the limit of "
                    f"{self._limit / _MB:,.0f} MB (--max-rss-gb)",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(3)
