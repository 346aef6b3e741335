"""Undoing a posting: the Allocations log is append-only, so a posting is undone by rows that cancel it.

A reversing row is the row it cancels with the amount negated (same line, invoice, customer,
kind and PaymentDate, so every as-of view of the books nets the pair to nothing), Method
`reversal`, `Reverses` naming the cancelled AllocationID and `Reason` saying why.

Which rows still stand: a row stands unless a standing row reverses it. So reversing a
reversal makes the first posting stand again (nothing is deleted, the chain stays readable),
and reversing that posting once more appends a third row, and so on.

What a request reverses:
- an AllocationID: that row, when its posting only paid invoices from a bank line (the
  freed money simply returns to the line); when the posting also used a credit note or
  moved unapplied cash, taking one row out would leave the others pointing at nothing, so
  the whole posting is reversed (and the summary says so). A reversing row's request
  reverses its whole reversal, which puts the posting back;
- a bank line's LineID (in BankLines, or only in the log: a line of an earlier month), or the
  number of a credit note whose value was applied by hand: every row still standing that was
  posted from it.

A request is carried out once: a row already reversed with the same reason (the clerk's mark
still in its cell on the next run) is done; to reverse again, give another reason.

The matcher must not simply post a reversed line the same way again: `reversed_pairings`
gives each reversed (line, invoices + customer) pairing, which the matcher treats like a
suggestion the clerk rejected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.errors import Problem
from matching.matcher.ledger import as_text
from matching.matcher.manual import problem_at

__all__ = [
    "REVERSAL",
    "ReversalRequest",
    "Reversals",
    "posting_keys",
    "reverse",
    "reversed_pairings",
    "standing",
]

REVERSAL = "reversal"
_SETTLING_FROM_LINE = ("payment", "fee", "discount", "writeoff")


@dataclass(frozen=True)
class ReversalRequest:
    """Reverse `target` (an AllocationID, a LineID or a credit note's number) because of `reason`.

    `where` locates the clerk's mark (table, row, column) when it came from the workbook; None
    when it came from the command line, where a request that cannot be carried out is refused.
    """

    target: str
    reason: str
    where: tuple[str, int | None, str | None] | None = None

    def problem(self, message: str) -> Problem:
        return problem_at(self.where, message)


@dataclass
class Reversals:
    """What a batch of requests came to: the rows to append and what became of each request."""

    rows: pd.DataFrame
    reversed: list[str] = field(default_factory=list)  # "A-1 (why)", "line L-1 (why): 3 rows"
    already: int = 0  # requests carried out by an earlier run
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def posting_keys(allocations: pd.DataFrame) -> pd.Series:
    """Which posting each row belongs to: its Posting id, else (for rows logged before Posting
    existed) its line, the moment it was posted and how."""
    posting = (
        as_text(allocations["Posting"])
        if "Posting" in allocations
        else pd.Series("", index=allocations.index)
    )
    legacy = (
        as_text(allocations["LineID"])
        + "|"
        + allocations["PostedAt"].astype("datetime64[ns]").astype(str)
        + "|"
        + as_text(allocations["Method"])
    )
    return posting.where(posting != "", legacy)


def standing(allocations: pd.DataFrame) -> np.ndarray:
    """Per row (in log order): whether it stands, i.e. no standing row reverses it.

    Reversing rows are appended after what they reverse, so walking the log backwards
    decides each reverser before its target.
    """
    ids = as_text(allocations["AllocationID"]).to_numpy()
    targets = _reverses(allocations).to_numpy()
    stands = np.ones(len(ids), dtype=bool)
    cancelled: set[str] = set()
    for pos in range(len(ids) - 1, -1, -1):
        if ids[pos] and ids[pos] in cancelled:
            stands[pos] = False
        elif targets[pos]:
            cancelled.add(targets[pos])
    return stands


def reverse(
    allocations: pd.DataFrame,
    requests: list[ReversalRequest],
    *,
    bank_lines: set[str],
    credit_notes: set[str],
    posted_at: pd.Timestamp,
) -> Reversals:
    """The reversing rows for `requests`, in order, each seeing the rows the earlier ones added."""
    log = allocations.reset_index(drop=True).copy()
    for col in ("AllocationID", "LineID", "InvoiceNo", "CustomerID", "Kind", "Method", "Reason"):
        log[col] = as_text(log[col]) if col in log else ""
    log["Reverses"] = _reverses(log)
    log["Posting"] = posting_keys(log)
    out = Reversals(rows=_reversing_rows(log, [], ReversalRequest("", ""), posted_at))
    made = [out.rows]
    for request in requests:
        rows = _chosen(log, request, bank_lines, credit_notes, out)
        if rows is None:
            continue
        added = _reversing_rows(log, rows, request, posted_at)
        log = pd.concat([log, added], ignore_index=True)
        made.append(added)
        label = (
            f"{request.target} ({request.reason})"
            if len(rows) == 1 and request.target == log.at[rows[0], "AllocationID"]
            else f"{request.target} ({request.reason}): {len(rows)} rows"
        )
        out.reversed.append(label)
    out.rows = pd.concat(made, ignore_index=True)
    return out


def reversed_pairings(allocations: pd.DataFrame) -> set[tuple[str, frozenset[str]]]:
    """(LineID, its invoice numbers + CustomerID) of every posting reversed from a bank line.

    The key has the shape of the matcher's rejected suggestions, so a line whose posting was
    reversed is not matched to the same invoices again (a reversal of a reversal, which puts
    a posting back, adds nothing: its rows reverse reversing rows).
    """
    if allocations.empty or "Reverses" not in allocations:
        return set()
    log = allocations.reset_index(drop=True)
    ids, targets = as_text(log["AllocationID"]), _reverses(log)
    methods = dict(zip(ids, as_text(log["Method"]), strict=True))
    undo = (as_text(log["Method"]) == REVERSAL) & (targets != "") & (targets.map(methods) != REVERSAL)
    rows = log[undo & (as_text(log["LineID"]) != "")]
    keys: set[tuple[str, frozenset[str]]] = set()
    for (line, _), group in rows.groupby([as_text(rows["LineID"]), posting_keys(rows)]):
        numbers = {n for n in as_text(group["InvoiceNo"]) if n}
        for customer in set(as_text(group["CustomerID"])) - {""}:
            keys.add((str(line), frozenset(numbers | {customer})))
    return keys


def _reverses(allocations: pd.DataFrame) -> pd.Series:
    if "Reverses" not in allocations:
        return pd.Series("", index=allocations.index, dtype=object)
    return as_text(allocations["Reverses"])


def _chosen(
    log: pd.DataFrame,
    request: ReversalRequest,
    bank_lines: set[str],
    credit_notes: set[str],
    out: Reversals,
) -> list[int] | None:
    """The positions of the rows `request` reverses, or None (done before, or refused)."""
    stands = standing(log)
    by_id = log.index[log["AllocationID"] == request.target]
    if len(by_id):
        return _rows_of_allocation(log, int(by_id[0]), stands, request, bank_lines, out)
    if (
        request.target in bank_lines
        or request.target in credit_notes
        or (log["LineID"] == request.target).any()
    ):
        source = (log["LineID"] == request.target) & stands & (log["Method"] != REVERSAL)
        if _done(log, log["LineID"] == request.target, request.reason):
            out.already += 1
            return None
        if not source.any():
            _refuse(out, request, f"nothing posted from {request.target} stands to be reversed")
            return None
        return log.index[source].tolist()
    _refuse(
        out,
        request,
        f"expected an AllocationID, a bank line's LineID or a credit note's number; {request.target!r} is none",
        always=True,
    )
    return None


def _rows_of_allocation(
    log: pd.DataFrame,
    pos: int,
    stands: np.ndarray,
    request: ReversalRequest,
    bank_lines: set[str],
    out: Reversals,
) -> list[int] | None:
    ident = log.at[pos, "AllocationID"]
    if _done(log, log["Reverses"] == ident, request.reason):
        out.already += 1
        return None
    if not stands[pos]:
        reverser = log.loc[(log["Reverses"] == ident) & stands, "AllocationID"]
        by = reverser.iloc[0] if len(reverser) else "a later row"
        _refuse(out, request, f"{ident} was already reversed by {by}")
        return None
    same_posting = (log["Posting"] == log.at[pos, "Posting"]) & stands
    is_reversal = log.at[pos, "Method"] == REVERSAL
    same_posting &= (log["Method"] == REVERSAL) == is_reversal
    unit = log.index[same_posting].tolist()
    if is_reversal or not _plain_line_payment(log.loc[unit], bank_lines):
        if len(unit) > 1:
            out.notes.append(
                f"{ident} was posted together with {len(unit) - 1} other row(s) that cannot stand "
                "without it: the whole posting was reversed"
            )
        return unit
    return [pos]


def _plain_line_payment(rows: pd.DataFrame, bank_lines: set[str]) -> bool:
    """A posting of a bank line's money to invoices only: one of its rows can go alone."""
    return bool(
        rows["LineID"].isin(bank_lines).all()
        and rows["Kind"].isin(_SETTLING_FROM_LINE).all()
        and (rows["InvoiceNo"] != "").all()
        and (rows["Amount"].fillna(0).astype("int64") > 0).all()
    )


def _done(log: pd.DataFrame, scope: pd.Series, reason: str) -> bool:
    """Whether a reversal with this reason was already made in this scope (the mark's earlier run)."""
    return bool((scope & (log["Method"] == REVERSAL) & (log["Reason"] == reason)).any())


def _refuse(out: Reversals, request: ReversalRequest, message: str, *, always: bool = False) -> None:
    """A request from the command line that cannot be done is refused; a mark in the workbook
    that has nothing left to do is only noted (it stays in its cell after it was carried out)."""
    if request.where is None or always:
        out.problems.append(request.problem(message))
    else:
        out.notes.append(f"{request.problem(message)}")


def _reversing_rows(
    log: pd.DataFrame, rows: list[int], request: ReversalRequest, posted_at: pd.Timestamp
) -> pd.DataFrame:
    chosen = log.loc[rows]
    counts = log["Reverses"].value_counts()
    posting = "P-" + _digest(f"{REVERSAL}|{request.target}|{request.reason}|{posted_at.isoformat()}")
    ids = [
        "A-" + _digest(f"{REVERSAL}|{ident}|{int(counts.get(ident, 0))}") for ident in chosen["AllocationID"]
    ]
    rows_out = pd.DataFrame(
        {
            "AllocationID": ids,
            "LineID": chosen["LineID"].to_numpy(),
            "InvoiceNo": chosen["InvoiceNo"].to_numpy(),
            "CustomerID": chosen["CustomerID"].to_numpy(),
            "Amount": _negated(chosen["Amount"]),
            "PaymentDate": chosen["PaymentDate"].to_numpy("datetime64[ns]"),
            "Kind": chosen["Kind"].to_numpy(),
            "Method": REVERSAL,
            "PostedAt": posted_at,
            "Posting": posting,
            "Reverses": chosen["AllocationID"].to_numpy(),
            "Reason": request.reason,
        }
    )
    # The money's currencies go with it: a cross-currency payment took LineAmount of the line's
    # LineCurrency for Amount of the invoice's Currency, and its reversal gives both back.
    for col in ("Currency", "LineCurrency"):
        if col in chosen:
            rows_out[col] = chosen[col].to_numpy()
    if "LineAmount" in chosen:
        rows_out["LineAmount"] = _negated(chosen["LineAmount"])
    return rows_out


def _negated(amounts: pd.Series) -> pd.arrays.IntegerArray:
    """Minor units with the sign turned; an empty cell stays empty."""
    return pd.array(-amounts.astype("Int64").to_numpy(), dtype="Int64")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
