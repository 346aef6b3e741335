"""Password-encrypted workbooks: opened with the user's password, written back encrypted with it.

Excel saves a workbook with "Encrypt with Password" as an OLE compound file holding an
EncryptionInfo stream and the encrypted package; nothing in it is readable without the
password. arbook never stores that password: it comes from ARBOOK_WORKBOOK_PASSWORD or a
prompt the caller injects. The decrypted copy lives only in a private temporary folder (in
memory under /dev/shm where the system has it) for the length of one run; if the run
changed it, it is encrypted again with msoffcrypto-tool (ECMA-376 agile encryption, the
kind Excel 2010 and later write), checked by decrypting it once more, and renamed over the
original, whose previous encrypted version is kept in backups/ as for any other workbook.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msoffcrypto
import olefile
from msoffcrypto.exceptions import DecryptionError, InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile

from common.errors import UnsafeWorkbookError

from .safety import RunLock, atomic_replace, keep_backup, refuse_if_open_in_excel, temp_path

__all__ = ["PASSWORD_VARIABLE", "decrypted", "is_encrypted"]

PASSWORD_VARIABLE = "ARBOOK_WORKBOOK_PASSWORD"


def is_encrypted(path: Path) -> bool:
    """An OLE compound file with an EncryptionInfo stream: an encrypted .xlsx/.xlsm."""
    if not olefile.isOleFile(str(path)):
        return False
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo")
    except Exception:  # a damaged container (olefile raises OSError, ValueError, ...): not an encrypted
        return False  # workbook, and the callers refuse it as unreadable


@contextmanager
def decrypted(
    path: Path, ask_password: Callable[[str], str] | None = None
) -> Iterator[tuple[Path, list[str]]]:
    """Yield (a path to work on, notes): the workbook itself, or a decrypted private copy of it.

    When the body changed the copy, the original is replaced by the copy encrypted again.
    """
    path = Path(path)
    if not is_encrypted(path):
        yield path, []
        return
    password = os.environ.get(PASSWORD_VARIABLE) or (
        ask_password(f"Password to open {path.name}: ") if ask_password else ""
    )
    if not password:
        raise UnsafeWorkbookError(
            f"{path.name} is encrypted with a password; give it in the environment variable {PASSWORD_VARIABLE} "
            "(arbook never stores it). Nothing was written"
        )
    refuse_if_open_in_excel(path)
    lock = RunLock(path)
    lock.acquire()
    folder = Path(tempfile.mkdtemp(prefix="arbook-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    try:
        plain = folder / path.name
        plain.write_bytes(_decrypt(path.read_bytes(), password, path.name))
        before = _digest(plain.read_bytes())
        notes = [f"{path.name} is encrypted: arbook worked on a decrypted copy in memory"]
        yield plain, notes
        if _digest(plain.read_bytes()) != before:
            _write_back(plain, path, password)
            notes.append("the changed workbook was encrypted again with the same password")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.release()


def _decrypt(data: bytes, password: str, name: str) -> bytes:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    try:
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError) as exc:
        raise UnsafeWorkbookError(
            f"{name}: the password in {PASSWORD_VARIABLE} does not open it ({exc}); nothing was written"
        ) from exc
    return out.getvalue()


def _write_back(plain: Path, path: Path, password: str) -> None:
    """Encrypt the changed copy, prove it decrypts to the same bytes, then put it in place with a backup."""
    target = temp_path(path, "enc")
    try:
        with open(plain, "rb") as src, open(target, "wb") as out:
            OOXMLFile(src).encrypt(password, out)
        if _digest(_decrypt(target.read_bytes(), password, path.name)) != _digest(plain.read_bytes()):
            raise UnsafeWorkbookError(
                f"{path.name}: the re-encrypted workbook did not decrypt to what arbook wrote; "
                "the original was kept"
            )
        keep_backup(path)
        atomic_replace(target, path)
    finally:
        target.unlink(missing_ok=True)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
