"""The guards around every write: Excel's lock file, one arbook run at a time, backups, atomic replace.

A workbook must never be half-written, whatever kills the process: the new version is written
to a temporary file beside the old one, checked, and renamed over it in one step (rename is
atomic on the same file system); the previous version is kept in `backups/`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from pathlib import Path

from common.errors import WorkbookBusyError

__all__ = [
    "RunLock",
    "atomic_replace",
    "excel_lock_file",
    "keep_backup",
    "refuse_if_open_in_excel",
    "remove_stale_temps",
    "temp_path",
]

BACKUP_DIR = "backups"


def excel_lock_file(path: Path) -> Path | None:
    """Excel's owner file (~$Book.xlsx; for long names Excel drops the first two characters)."""
    for name in ("~$" + path.name, "~$" + path.name[2:]):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def refuse_if_open_in_excel(path: Path) -> None:
    lock = excel_lock_file(path)
    if lock is not None:
        raise WorkbookBusyError(
            f"{path.name} is open in Excel (its lock file {lock.name} exists); close it in Excel, or use the "
            "buttons inside the workbook, then run again"
        )


class RunLock:
    """One arbook run per workbook: a lock file beside it naming the process that holds it."""

    def __init__(self, path: Path) -> None:
        self.file = path.with_name(f".{path.name}.arbook-lock")
        self._held = False

    def acquire(self) -> None:
        for _attempt in range(2):
            try:
                fd = os.open(self.file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    self.file.unlink(missing_ok=True)
                    continue
                raise WorkbookBusyError(
                    f"another arbook run is working on {self.file.name.removeprefix('.').removesuffix('.arbook-lock')} "
                    f"({self.file.read_text(errors='replace').strip()}); wait for it to finish"
                ) from None
            with os.fdopen(fd, "w") as fh:
                fh.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
            self._held = True
            return
        raise WorkbookBusyError(f"could not take the lock {self.file}")

    def _stale(self) -> bool:
        try:
            _, pid, _, host = self.file.read_text().split()
        except (OSError, ValueError):
            return True
        if host != socket.gethostname():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except (PermissionError, ValueError):
            return False
        return False

    def release(self) -> None:
        if self._held:
            self.file.unlink(missing_ok=True)
            self._held = False


def temp_path(path: Path, tag: str = "") -> Path:
    return path.with_name(f".~arbook-{os.getpid()}{tag}-{path.name}")


def remove_stale_temps(path: Path) -> None:
    """Temporary files of a run that was killed: never the workbook, safe to delete."""
    for leftover in path.parent.glob(f".~arbook-*-{path.name}"):
        leftover.unlink(missing_ok=True)


def keep_backup(path: Path, keep: int = 10, now: dt.datetime | None = None) -> Path:
    """Copy the current workbook to backups/<stem>-<timestamp><suffix>; keep the newest `keep`."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    shutil.copy2(path, target)
    olds = sorted(folder.glob(f"{path.stem}-????????-??????-??????{path.suffix}"))
    for old in olds[: max(0, len(olds) - keep)]:
        old.unlink()
    return target


def atomic_replace(temp: Path, path: Path) -> None:
    """Make `temp` durable, then rename it over `path` and make the rename durable."""
    with open(temp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(temp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
