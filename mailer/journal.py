"""The mail journal: a record on disk of each message before and after it is sent.

The workbook is written once, at the end of a run, so it cannot be the record of what
happened in the middle. The journal is: one JSON line per event, appended, flushed and
fsynced before the program moves on. A message is journalled `pending` before the
transport sees it and `sent`, `outbox` or `failed` after. When a run dies half-way, the
next run reads the journal, knows what went out, folds the missing rows into MailLog and
sends only the rest. A message left `pending` by a crash (the server may or may not have
accepted it) is logged as failed and sent again with the same Message-ID, which mail
clients use to drop a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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
    """The journal at `path`. With `durable` False (a dry run) it reads what earlier runs
    recorded but keeps this run's events in memory, so nothing of the run is left behind."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable
        self._kept: list[dict[str, object]] = []

    def record(self, key: str, status: str, fields: dict[str, object], detail: str = "") -> None:
        """Append one event and make it durable before returning."""
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
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def records(self) -> list[dict[str, object]]:
        """Every event in order; a torn last line (the process died while writing it) is ignored."""
        out = []
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
        return out + self._kept


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
