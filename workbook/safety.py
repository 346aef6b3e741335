"""The guards around every write: Excel's lock file, one arbook run at a time, backups, atomic replace.

A workbook must never be half-written, whatever kills the process: the new version is written
to a temporary file beside the old one, checked, and renamed over it in one step (rename is
atomic on the same file system); the previous version is kept in `backups/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
from pathlib import Path

from common.errors import WorkbookBusyError

__all__ = [
    "RunLock",
    "atomic_replace",
    "backup_path",
    "excel_lock_file",
    "keep_backup",
    "prune_backups",
    "refuse_if_open_in_excel",
    "remove_stale_temps",
    "sha256_of",
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
    """One arbook run per workbook: a lock file beside it, locked by the operating system.

    The lock is the kernel's (flock, or a locked byte on Windows), not the file's presence: it is
    released when its process ends, however it ends, so a lock left by a killed run is simply
    free, and no run ever judges another's lock stale and takes it (a lock file still empty
    because its run has only just created it is as held as any other). The file names the
    process holding it, for the message the next run gives.
    """

    def __init__(self, path: Path) -> None:
        self.file = path.with_name(f".{path.name}.arbook-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        for _attempt in range(100):
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                holder = os.read(fd, 200).decode(errors="replace").strip() or "it has just started"
                os.close(fd)
                raise WorkbookBusyError(
                    f"another arbook run is working on {self.file.name.removeprefix('.').removesuffix('.arbook-lock')} "
                    f"({holder}); wait for it to finish"
                )
            if _same_file(fd, self.file):  # not a file the run before us unlinked on its way out
                os.ftruncate(fd, 0)
                os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
                self._fd = fd
                return
            os.close(fd)
        raise WorkbookBusyError(f"could not take the lock {self.file}")

    def release(self) -> None:
        if self._fd is not None:
            if os.name != "nt":  # removed while still locked: the next run cannot lock a file on its way out
                self.file.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _try_lock(fd: int) -> bool:
    """Lock `fd` for this process without waiting; False when another process holds it."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, 1 << 30, os.SEEK_SET)  # a byte far beyond the text, which stays readable
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def temp_path(path: Path, tag: str = "") -> Path:
    return path.with_name(f".~arbook-{os.getpid()}{tag}-{path.name}")


def remove_stale_temps(path: Path, lock: RunLock) -> None:
    """Temporary files of a run that was killed: never the workbook, and never a running writer's.

    Only a run holding the lock writes temporary files (a file book opened without it is
    read-only), so the run that holds it now may remove any it finds, and no other run may.
    """
    if not lock.held:
        return
    for leftover in path.parent.glob(f".~arbook-*-{path.name}"):
        leftover.unlink(missing_ok=True)


def keep_backup(path: Path, keep: int = 10, now: dt.datetime | None = None) -> Path:
    """Copy the current workbook to backups/<stem>-<timestamp><suffix>; keep the newest `keep`."""
    target = backup_path(path, now)
    shutil.copy2(path, target)
    prune_backups(path, keep)
    return target


def backup_path(path: Path, now: dt.datetime | None = None) -> Path:
    """Where this moment's backup of `path` goes: backups/<stem>-<timestamp><suffix> beside it (folder made)."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{path.stem}-{stamp}{path.suffix}"


def prune_backups(path: Path, keep: int) -> None:
    """Remove all but the newest `keep` backups of `path` (whoever made them: the CLI or a run from Excel)."""
    olds = sorted((path.parent / BACKUP_DIR).glob(f"{path.stem}-????????-??????-??????{path.suffix}"))
    for old in olds[: max(0, len(olds) - keep)]:
        old.unlink()


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


def sha256_of(path: Path) -> str:
    """The file's SHA-256, as the Audit table records a workbook before and after a run."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
