"""The mail journal, and what MailLog's rows mean: the record of each message, kept so that a
rerun sends what is owed, exactly once.

The workbook is written once, at the end of a run, so it cannot be the record of what
happened in the middle. The journal is: one JSON line per event, appended before the program
moves on. A message is journalled `pending` before the transport sees it and `sent`, `outbox`,
`failed` or `refused` after. The next run reads the journal, folds the outcomes MailLog lacks
into MailLog, and sends only what is owed. `Journal` says when an event is durable.

A message is identified by its MessageID (`message.message_key`: kind, customer, level,
currency, invoices and as-of date; the same message on a rerun has the same key). Its Status
values, in the journal and in MailLog:

  sent        the server acknowledged it (250). Never sent again by a mailing run.
  outbox      written as an .eml preview. Counts as done for a run into the outbox; a run with
              --send still sends it.
  failed      not sent for now: a temporary refusal (4xx) or a timeout after the transport's
              retries, a dropped line, "not attempted" because the run stopped (server
              unreachable, login or sender refused), or "interrupted" (the run died between
              `pending` and the outcome: the server may have stored it without our seeing the
              250, so the next run sends it again with the same Message-ID and it can arrive
              twice; mail clients use the Message-ID to drop the copy). Owed: the next run sends
              it, and a month-end step owing it is not complete.
  refused     the server refused it for good (5xx for its recipients or its content). The step
              is complete (the month-end report goes out and lists it), but it is reported as a
              failure, with exit status 1, on every later run of that month, and every such run
              tries it again, until a person acts: either fix what was refused (the address in
              Customers, the sender in Settings) and run the same command again, or write
              `given up` over `refused` in its MailLog Status (it will be sent by post, say).
  superseded  an earlier message, never delivered, that a later run of the same month did not
              compose again for its customer: the workbook changed since (a late bank file paid
              an invoice it listed), so what it says is no longer so. Not owed: never sent and
              not reported again; the run that records it names it, once, with the message that
              replaced it (or "no longer due" when the customer is owed none of its kind now). It
              is never a message still owed: a message the run composes again is sent.
  given up    written by a person over `failed` or `refused` in MailLog: never sent again and no
              longer reported. Only MailLog holds it; the journal keeps the outcome it replaced.
  not mailed  the customer was owed this message but has no usable address (no Email, or one
              that cannot be parsed): MailLog only, one row per kind, customer and month
              (MessageID `message_key(kind, customer, None, "", (), as_of)`); the month-end
              report lists them for post or a phone call.

A message counts as delivered once any of its events is delivered (`sent`, or `outbox` for a
preview run), whatever came after: a later attempt to send it again that failed does not make
it owed again. `message_outcomes` reduces the history to one outcome per message by these rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import weakref
from pathlib import Path

import pandas as pd

__all__ = [
    "DELIVERED",
    "FAILED",
    "GIVEN_UP",
    "MAILLOG_COLUMNS",
    "NOT_MAILED",
    "REFUSED",
    "SUPERSEDED",
    "Journal",
    "fold",
    "given_up_keys",
    "journal_path",
    "log_frame",
    "message_outcomes",
    "sent_keys",
]

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
FAILED, REFUSED, GIVEN_UP, NOT_MAILED = "failed", "refused", "given up", "not mailed"
SUPERSEDED = "superseded"
DELIVERED = ("sent", "outbox")
_FINAL = (*DELIVERED, FAILED, REFUSED, SUPERSEDED)
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


def given_up_keys(mail_log: pd.DataFrame) -> set[str]:
    """Messages a person marked `given up` in MailLog: never sent again."""
    if not len(mail_log):
        return set()
    return set(mail_log.loc[_statuses(mail_log) == GIVEN_UP, "MessageID"].astype(str))


def _statuses(mail_log: pd.DataFrame) -> pd.Series:
    """MailLog Status as arbook writes it, whatever case and spaces a person typed."""
    return mail_log["Status"].fillna("").astype(str).str.strip().str.casefold()


def fold(records: list[dict[str, object]], mail_log: pd.DataFrame) -> pd.DataFrame:
    """MailLog rows for the journal's outcomes that MailLog does not hold yet (idempotent).

    An outcome is held when MailLog has a row of the same MessageID, Status and time, or a
    row of the same MessageID and time that a person changed to `given up`.
    """
    logged, given_up = set(), set()
    if len(mail_log):
        at = pd.to_datetime(mail_log["At"]).dt.round("s")  # Excel may hand back 12:00:00 as 11:59:59.9999
        ids, statuses = mail_log["MessageID"].astype(str), _statuses(mail_log)
        logged = set(zip(ids, statuses, at, strict=True))
        given_up = {(i, t) for i, s, t in zip(ids, statuses, at, strict=True) if s == GIVEN_UP}
    rows = []
    for r in _outcomes(records):
        key, at = str(r["MessageID"]), pd.Timestamp(str(r["At"]))
        if (key, str(r["Status"]), at) not in logged and (key, at) not in given_up:
            rows.append(r)
    return log_frame(rows)


def log_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """MailLog rows typed as the workbook holds them (journal events, or rows made here)."""
    frame = pd.DataFrame(rows, columns=MAILLOG_COLUMNS)
    frame["At"] = pd.to_datetime(frame["At"]).astype("datetime64[ns]")
    frame["AsOf"] = pd.to_datetime(frame["AsOf"]).astype("datetime64[ns]")
    frame["Level"] = pd.array([None if pd.isna(v) else int(v) for v in frame["Level"]], dtype="Int64")
    frame["Amount"] = pd.array([None if pd.isna(v) else int(v) for v in frame["Amount"]], dtype="Int64")
    for col in ("MessageID", "Kind", "CustomerID", "To", "Subject", "InvoiceNos", "Status", "Detail"):
        frame[col] = frame[col].astype(object).fillna("").astype(str)
    return frame.reset_index(drop=True)


OUTCOME_COLUMNS = [
    "MessageID",
    "Kind",
    "Level",
    "CustomerID",
    "To",
    "Subject",
    "Amount",
    "InvoiceNos",
    "AsOf",
    "At",
    "Outcome",
    "Detail",
]


def message_outcomes(
    history: pd.DataFrame, *, as_of: object, delivered: tuple[str, ...] = ("sent",)
) -> pd.DataFrame:
    """One row per message of the month `as_of` (MailLog AsOf), in the order first logged, with its
    Outcome: `delivered` (any event with a status in `delivered`; At and Detail are that
    event's), else `given up`, else its latest status (`failed`, `refused`, `outbox` when a run
    with --send has not sent it yet, `not mailed`, `superseded`). A `not mailed` row is left out once a
    message of the same Kind to that customer was delivered (the address was fixed since).
    `history` is MailLog with the journal's outcomes folded in (`run.mail_history`).
    """
    if not len(history):
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    month = history[pd.to_datetime(history["AsOf"]) == pd.Timestamp(as_of)]
    month = month.assign(Status=_statuses(month))
    rows: dict[str, dict[str, object]] = {}
    for row in month.to_dict("records"):
        key, status = str(row["MessageID"]), str(row["Status"])
        known = rows.get(key)
        if known is not None and known["Outcome"] == "delivered":
            continue
        outcome = "delivered" if status in delivered else status
        if known is not None and known["Outcome"] == GIVEN_UP and outcome != "delivered":
            continue
        rows[key] = {**{c: row.get(c) for c in OUTCOME_COLUMNS if c in row}, "Outcome": outcome}
    frame = pd.DataFrame(list(rows.values()), columns=OUTCOME_COLUMNS)
    reached = frame[frame["Outcome"] == "delivered"]
    pairs = set(zip(reached["Kind"], reached["CustomerID"], strict=True))
    superseded = [
        outcome == NOT_MAILED and (kind, customer) in pairs
        for outcome, kind, customer in zip(frame["Outcome"], frame["Kind"], frame["CustomerID"], strict=True)
    ]
    return frame[~pd.Series(superseded, index=frame.index, dtype=bool)].reset_index(drop=True)
