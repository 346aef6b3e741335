"""The mail journal: a record on disk of each message before and after it is sent.

The workbook is written once, at the end of a run, so it cannot be the record of what
happened in the middle. The journal is: one JSON line per event, appended before the program
moves on. A message is journalled `pending` before the transport sees it and `sent`, `outbox`
or `failed` after. When a run dies half-way, the next run reads the journal, knows what went
out, folds the missing rows into MailLog and sends only the rest. A message left `pending` by
a crash (the server may or may not have accepted it) is logged as failed and sent again with
the same Message-ID, which mail clients use to drop a duplicate. `Journal` says when an
event is durable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import weakref
from pathlib import Path

import pandas as pd

__all__ = ["MAILLOG_COLUMNS", "Journal", "fold", "journal_path", "sent_keys"]

MAILLOG_COLUMNS = [
    "MessageID",
    "At",
    "Kind",
    "Level",
    "CustomerID",
    "To",
    "Subject",
    "Amount",
    "InvoiceNos",
    "AsOf",
    "Status",
    "Detail",
]
_FINAL = ("sent", "outbox", "failed")
INTERRUPTED = "interrupted before the server confirmed; sent again on the next run"


def journal_path(workbook: Path) -> Path:
    """The journal beside the workbook: Book.xlsx -> Book.mail-journal.jsonl."""
    return workbook.with_name(f"{workbook.stem}.mail-journal.jsonl")


class Journal:
    """The journal file of one workbook, and the rule for when an event is durable:

    - every event is handed to the operating system in one write before `record` returns, so a
      process killed at any moment loses no event it recorded (the kernel holds it);
    - the file is fsynced (forced onto the disk) once per group of events: when `sync_every`
      (64) events wait, at the first event more than `sync_seconds` (1 s) after the last fsync,
      and whenever the journal is read, closed or let go. Only a power cut or an operating-
      system crash can lose events, those of the last group; their messages then count as not
      sent and go out again on the next run, with the same Message-ID.

    One fsync per event, as before, made the fsyncs most of the time an outbox run took.

    With `durable` False (a dry run) it reads what earlier runs recorded but keeps this run's
    events in memory, so nothing of the run is left behind.
    """

    def __init__(
        self, path: Path, *, durable: bool = True, sync_every: int = 64, sync_seconds: float = 1.0
    ) -> None:
        self.path = Path(path)
        self.durable = durable
        self._kept: list[dict[str, object]] = []
        self.sync_every, self.sync_seconds = sync_every, sync_seconds
        self._fd: int | None = None
        self._closer: weakref.finalize | None = None
        self._unsynced = 0
        self._synced_at = time.monotonic()

    def record(self, key: str, status: str, fields: dict[str, object], detail: str = "") -> None:
        """Append one event in one write (a kill cannot lose it); fsync when the group is full or old."""
        entry = {
            "MessageID": key,
            "At": dt.datetime.now().isoformat(timespec="seconds"),
            **fields,
            "Status": status,
            "Detail": detail,
        }
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        if not self.durable:
            self._kept.append(json.loads(line))
            return
        _write_all(self._open(), line.encode())
        self._unsynced += 1
        if self._unsynced >= self.sync_every or time.monotonic() - self._synced_at >= self.sync_seconds:
            self.sync()

    def sync(self) -> None:
        """Force every event recorded so far onto the disk."""
        if self._fd is not None and self._unsynced:
            os.fsync(self._fd)
            self._unsynced = 0
        self._synced_at = time.monotonic()

    def close(self) -> None:
        """Sync and close the file (also done when the journal is garbage-collected or at exit)."""
        self.sync()
        if self._closer is not None:
            self._closer()
            self._fd = self._closer = None

    def _open(self) -> int:
        if self._fd is None:
            _end_torn_line(self.path)
            self._fd = os.open(
                self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644
            )
            self._closer = weakref.finalize(self, _release, self._fd)
        return self._fd

    def records(self) -> list[dict[str, object]]:
        """Every event in order; a torn line (the process died while writing it) is ignored."""
        self.sync()
        out = []
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
        return out + self._kept


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _end_torn_line(path: Path) -> None:
    """End a line a killed process left half-written, so the next event starts a line of its own."""
    try:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            torn = fh.read(1) != b"\n"
    except OSError:  # no journal yet, or an empty one
        return
    if torn:
        with open(path, "ab") as fh:
            fh.write(b"\n")


def _release(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _outcomes(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """The final events, plus a `failed` one for each message whose last event is `pending`."""
    rows: list[dict[str, object]] = []
    open_pending: dict[object, dict[str, object]] = {}
    for rec in records:
        if rec.get("Status") == "pending":
            earlier = open_pending.pop(rec["MessageID"], None)
            if earlier is not None:  # a crashed run's attempt, retried by a later run
                rows.append({**earlier, "Status": "failed", "Detail": INTERRUPTED})
            open_pending[rec["MessageID"]] = rec
        elif rec.get("Status") in _FINAL:
            open_pending.pop(rec["MessageID"], None)
            rows.append(rec)
    rows += [{**rec, "Status": "failed", "Detail": INTERRUPTED} for rec in open_pending.values()]
    return rows


def sent_keys(
    records: list[dict[str, object]], mail_log: pd.DataFrame, delivered: tuple[str, ...] = ("sent",)
) -> set[str]:
    """Messages that certainly went out, by the journal or MailLog.

    `delivered` are the statuses that count: "sent" always; a run into the outbox also counts
    "outbox", so a preview is not written (and logged) twice, while a preview never stops the
    real sending that follows it.
    """
    keys = {str(r["MessageID"]) for r in records if r.get("Status") in delivered}
    if len(mail_log):
        keys |= set(mail_log.loc[mail_log["Status"].isin(delivered), "MessageID"].astype(str))
    return keys


def fold(records: list[dict[str, object]], mail_log: pd.DataFrame) -> pd.DataFrame:
    """MailLog rows for the journal's outcomes that MailLog does not hold yet (idempotent)."""
    logged = set()
    if len(mail_log):
        at = pd.to_datetime(mail_log["At"]).dt.round("s")  # Excel may hand back 12:00:00 as 11:59:59.9999
        logged = set(zip(mail_log["MessageID"].astype(str), mail_log["Status"].astype(str), at, strict=True))
    rows = [
        r
        for r in _outcomes(records)
        if (str(r["MessageID"]), str(r["Status"]), pd.Timestamp(str(r["At"]))) not in logged
    ]
    frame = pd.DataFrame(rows, columns=MAILLOG_COLUMNS)
    frame["At"] = pd.to_datetime(frame["At"]).astype("datetime64[ns]")
    frame["AsOf"] = pd.to_datetime(frame["AsOf"]).astype("datetime64[ns]")
    frame["Level"] = pd.array([None if pd.isna(v) else int(v) for v in frame["Level"]], dtype="Int64")
    frame["Amount"] = pd.array([None if pd.isna(v) else int(v) for v in frame["Amount"]], dtype="Int64")
    for col in ("MessageID", "Kind", "CustomerID", "To", "Subject", "InvoiceNos", "Status", "Detail"):
        frame[col] = frame[col].fillna("").astype(str)
    return frame.reset_index(drop=True)
