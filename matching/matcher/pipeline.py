"""The matcher as one pure function: tables in, Matches rows, Allocations rows and line statuses out.

    normalise + candidates   names.py, references.py, payers.py (indexes built once per run)
    screening                screening.py (not a receipt; a second copy of a transfer)
    proposals                proposals.py + amounts.py (per line: customers x ways to pay)
    score                    score.py (calibrated 0-100, reasons in words)
    assignment + decisions   here: lines in order of their best score, each invoice's open
                             amount used once; auto only above the threshold with a clear
                             margin over the next different proposal; suggestions (up to
                             3, best first) when together they reach the suggest threshold
                             (two equally likely sets at 45 % each are worth a look)
    allocations              here: rows for the Allocations log, statuses for BankLines

Re-running is safe: lines already fully allocated are not matched again; proposals marked
Approve = Y are kept as they are (their money stays reserved); proposals marked Approve = N
are kept as rejected and never proposed again for that line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

import numpy as np
import pandas as pd

from matching.matcher.ledger import (
    ALLOCATION_COLUMNS,
    LINE_MONEY,
    MATCH_COLUMNS,
    SETTLING,
    allocation_frame,
    allocation_id,
    approve_marks,
    as_cents,
    as_text,
    bank_lines,
    line_statuses,
    match_id,
    settled_by,
)
from matching.matcher.payers import customer_names, match_payers
from matching.matcher.proposals import Evidence, OpenItems, propose
from matching.matcher.references import build_reference_index, find_references
from matching.matcher.score import AUTO_FITS, FEATURE_COLUMNS, log_odds, reasons, shares
from matching.matcher.screening import duplicate_of, non_receipt

__all__ = ["MARGIN", "MatchResult", "MatchSettings", "match_lines"]

MARGIN = 10.0  # score points an auto proposal must lead the next different proposal by
MIN_ALTERNATIVE = 10.0  # a proposal less likely than this is not worth a clerk's look
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class MatchSettings:
    """The Settings keys the matcher reads (SPEC §2), typed; money in cents."""

    auto_threshold: float = 90.0
    suggest_threshold: float = 60.0
    fee_tolerance: int = 1500
    amount_tolerance: int = 0
    company_name: str = ""
    base_currency: str = "EUR"

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> MatchSettings:
        return cls(
            auto_threshold=float(settings.get("match_auto_threshold", 90.0)),  # type: ignore[arg-type]
            suggest_threshold=float(settings.get("match_suggest_threshold", 60.0)),  # type: ignore[arg-type]
            fee_tolerance=int(settings.get("fee_tolerance", 1500)),  # type: ignore[call-overload]
            amount_tolerance=int(settings.get("amount_tolerance", 0)),  # type: ignore[call-overload]
            company_name=str(settings.get("company_name", "") or ""),
            base_currency=str(settings.get("base_currency", "EUR") or "EUR"),
        )


@dataclass
class MatchResult:
    """What a run produces: the whole new Matches table, new Allocations rows, changed line statuses."""

    matches: pd.DataFrame  # MATCH_COLUMNS
    allocations: pd.DataFrame  # ALLOCATION_COLUMNS, the rows to append
    statuses: pd.DataFrame  # LineID, Status: only lines whose status changed
    notes: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)


def _previous(previous: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, frozenset[str]]]]:
    """Split last run's Matches into approved-but-unposted rows (kept) and rejected rows."""
    if previous is None or previous.empty:
        empty = pd.DataFrame(columns=MATCH_COLUMNS)
        return empty, empty, set()
    prev = previous.reindex(columns=MATCH_COLUMNS).copy()
    for col in ("MatchID", "LineID", "InvoiceNo", "CustomerID", "Decision", "Reason", "Status", "Kind"):
        prev[col] = as_text(prev[col])
    prev["Kind"] = prev["Kind"].replace("", "payment")
    prev["Approve"] = approve_marks(prev["Approve"])
    pending = prev["Status"].isin(["pending", ""])
    by_match = prev.groupby("MatchID")["Approve"]
    any_no = prev["MatchID"].map(by_match.apply(lambda s: (s == "N").any()))
    any_yes = prev["MatchID"].map(by_match.apply(lambda s: (s == "Y").any()))
    rejected = prev[any_no | (prev["Status"] == "rejected")].assign(Status="rejected")
    kept = prev[pending & any_yes & ~any_no]
    keys = {
        (line, frozenset(g["InvoiceNo"]) | frozenset([g["CustomerID"].iloc[0]]))
        for (line, _), g in rejected.groupby(["LineID", "MatchID"])
    }
    return kept, rejected, keys


def _items(
    invoices: pd.DataFrame,
    customers: pd.DataFrame,
    allocations: pd.DataFrame,
    kept: pd.DataFrame,
    base_currency: str,
) -> pd.DataFrame:
    inv = invoices.reset_index(drop=True)
    numbers = as_text(inv["InvoiceNo"])
    settled = numbers.map(settled_by(allocations, "InvoiceNo", SETTLING)).fillna(0)
    reserved = numbers.map(settled_by(kept, "InvoiceNo", SETTLING)).fillna(0)
    cust_pos = pd.Series(np.arange(len(customers)), index=as_text(customers["CustomerID"]).to_numpy())
    cust_pos = cust_pos[~cust_pos.index.duplicated()]
    currency = as_text(inv["Currency"]) if "Currency" in inv else pd.Series("", index=inv.index)
    return pd.DataFrame(
        {
            "InvoiceNo": numbers,
            "CustomerID": as_text(inv["CustomerID"]),
            "customer": as_text(inv["CustomerID"]).map(cust_pos).fillna(-1).astype(np.int64),
            "InvoiceDate": pd.to_datetime(inv["InvoiceDate"]),
            "Currency": currency.replace("", base_currency).str.upper(),
            "Reference": as_text(inv["Reference"]) if "Reference" in inv else "",
            "open": (as_cents(inv["Amount"]) - settled - reserved).astype(np.int64),
        }
    )


@dataclass
class _Run:
    """The state one run threads through assignment: items whose open amount it has used."""

    bl: pd.DataFrame
    items: OpenItems
    evidence: Evidence
    cfg: MatchSettings
    rejected: set[tuple[str, frozenset[str]]]
    customer_ids: np.ndarray
    touched: set[int] = field(default_factory=set)

    @cached_property
    def line_ids(self) -> np.ndarray:
        return self.bl["LineID"].to_numpy()

    @cached_property
    def columns(self) -> tuple[np.ndarray, ...]:
        """The line columns propose() needs, as arrays once (a re-look at one line must be cheap)."""
        bl = self.bl
        return (
            bl["remaining"].to_numpy(),
            bl["Currency"].to_numpy(),
            bl["Date"].to_numpy("datetime64[ns]"),
            bl["Memo"].to_numpy(),
            (bl["Payer"] != "").to_numpy(),
        )

    def proposals(self, lines: list[int]) -> dict[int, list[dict[str, object]]]:
        """Ranked proposals per line (best first), scored against the open amounts as they are now."""
        found: list[dict[str, object]] = []
        amounts, currencies, dates, memos, named = self.columns
        for line in lines:
            found += propose(
                line,
                int(amounts[line]),
                currencies[line],
                dates[line],
                memos[line],
                bool(named[line]),
                self.evidence,
                self.items,
                fee_tolerance=self.cfg.fee_tolerance,
                amount_tolerance=self.cfg.amount_tolerance,
            )
        ranked: dict[int, list[dict[str, object]]] = {line: [] for line in lines}
        if not found:
            return ranked
        z = log_odds({c: [p[c] for p in found] for c in FEATURE_COLUMNS})
        ids = self.line_ids
        seen: set[tuple[int, frozenset[str]]] = set()
        for p, zi in sorted(zip(found, z.tolist(), strict=True), key=lambda pz: (pz[0]["line"], -pz[1])):
            line, key = int(p["line"]), self._set_key(p)  # type: ignore[call-overload]
            if (line, key) in seen or (ids[line], key) in self.rejected:
                continue
            seen.add((line, key))
            p["z"], p["set"] = zi, key
            ranked[line].append(p)
        for plist in ranked.values():
            for p, share in zip(plist, shares([p["z"] for p in plist]).tolist(), strict=True):  # type: ignore[misc]
                p["score"] = share
        return ranked

    @staticmethod
    def rescored(plist: list[dict[str, object]]) -> list[dict[str, object]]:
        """The same proposals, scored again as each other's only competitors."""
        out = [dict(p) for p in plist]
        for p, share in zip(out, shares([p["z"] for p in out]).tolist(), strict=True):  # type: ignore[misc]
            p["score"] = share
        return out

    def _set_key(self, p: dict[str, object]) -> frozenset[str]:
        nos = {str(self.items.numbers[i]) for i, _, _ in p["rows"] if i >= 0}  # type: ignore[attr-defined]
        return frozenset(nos) | {str(self.customer_ids[p["customer"]])}  # type: ignore[index]

    def fits_open(self, p: dict[str, object]) -> bool:
        use: dict[int, int] = {}
        for item, cents, _kind in p["rows"]:  # type: ignore[attr-defined]
            if item >= 0:
                use[item] = use.get(item, 0) + cents
        for item, cents in use.items():
            left = int(self.items.open[item])
            if not (0 < cents <= left or left <= cents < 0):
                return False
        return True

    def take(self, p: dict[str, object]) -> None:
        for item, cents, _ in p["rows"]:  # type: ignore[attr-defined]
            if item >= 0:
                self.items.open[item] -= cents
                self.touched.add(item)


def match_lines(
    lines: pd.DataFrame,
    invoices: pd.DataFrame,
    customers: pd.DataFrame,
    allocations: pd.DataFrame,
    previous_matches: pd.DataFrame | None,
    settings: Mapping[str, object],
    *,
    as_of: date | None = None,
    posted_at: datetime | None = None,
    post: bool = True,
    progress: Progress | None = None,
) -> MatchResult:
    """Propose how each unmatched bank credit pays open invoices; post the confident ones.

    Frames are typed as `Book.read` returns them (money in integer cents). Returns the whole
    new Matches table, the Allocations rows to append (auto proposals, when `post`), and the
    BankLines statuses that changed.
    """
    cfg = MatchSettings.from_settings(settings)
    step = progress or (lambda _s, _d, _t: None)
    posted_at = posted_at or datetime.now().replace(microsecond=0)
    allocations = allocations if allocations is not None else pd.DataFrame(columns=ALLOCATION_COLUMNS)
    kept, rejected, rejected_keys = _previous(
        previous_matches if previous_matches is not None else pd.DataFrame()
    )
    customers = customers.reset_index(drop=True)
    item_frame = _items(invoices, customers, allocations, kept, cfg.base_currency)
    bl = bank_lines(lines, allocations, cfg.base_currency)

    step("screening", 0, 5)
    duplicate = duplicate_of(bl)
    eligible = (
        (bl["Amount"] > 0)
        & (bl["Status"] != "Ignored")
        & (bl["LineID"] != "")
        & (bl["remaining"] > 0)
        & (duplicate == "")
        & ~bl["LineID"].isin(set(kept["LineID"]))
    )
    if as_of is not None:
        eligible &= bl["Date"] <= pd.Timestamp(as_of)
    not_receipt = non_receipt(bl[eligible], cfg.company_name).reindex(bl.index, fill_value="")
    eligible &= not_receipt == ""
    todo = bl[eligible]

    step("references", 1, 5)
    index = build_reference_index(item_frame, customers)
    memo_refs = find_references(todo["Memo"], index)
    step("payers", 2, 5)
    payer_matches = match_payers(todo["Payer"], customer_names(customers))
    run = _Run(
        bl,
        OpenItems.build(item_frame, index.typo_forms),
        Evidence.build(memo_refs, payer_matches),
        cfg,
        rejected_keys,
        as_text(customers["CustomerID"]).to_numpy(),
    )

    step("proposals", 3, 5)
    by_line = run.proposals(todo.index.tolist())
    step("assignment", 4, 5)
    chosen = _assign(run, by_line)
    step("writing", 5, 5)
    return _result(
        run, chosen, kept, rejected, duplicate, not_receipt, item_frame, customers, posted_at, post
    )


def _assign(run: _Run, by_line: dict[int, list[dict[str, object]]]) -> list[tuple[dict[str, object], str]]:
    """Lines in order of their best score; autos use open amounts, later lines see what is left."""
    cfg = run.cfg
    order = sorted(by_line, key=lambda ln: -(by_line[ln][0]["score"] if by_line[ln] else 0.0))  # type: ignore[operator]
    chosen: list[tuple[dict[str, object], str]] = []
    for line in order:
        plist = by_line[line]
        if not plist:
            continue
        if run.touched and not run.fits_open(plist[0]):
            plist = run.proposals([line])[line]  # an earlier line used its best items: look again
            if not plist:
                continue
        elif run.touched and not all(run.fits_open(p) for p in plist[:3]):
            plist = run.rescored([p for p in plist if run.fits_open(p)])  # alternatives gone: re-share
        best = plist[0]
        second = max((p["score"] for p in plist[1:] if p["set"] != best["set"]), default=0.0)
        auto = (
            best["score"] >= cfg.auto_threshold
            and best["score"] - second >= MARGIN  # type: ignore[operator]
            and not best["ambiguous"]
            and best["fit"] in AUTO_FITS
            and run.fits_open(best)
            and (best["fit"] == "exact" or best["ref_level"] >= 0)  # inexact amounts need a named invoice
        )
        if auto:
            run.take(best)
            chosen.append((best, "auto"))
            continue
        shown = [p for p in plist[:3] if p["score"] >= MIN_ALTERNATIVE]  # type: ignore[operator]
        if sum(p["score"] for p in shown) >= cfg.suggest_threshold:  # type: ignore[misc]
            chosen += [(p, "suggested") for p in shown]
    return chosen


def _result(
    run: _Run,
    chosen: list[tuple[dict[str, object], str]],
    kept: pd.DataFrame,
    rejected: pd.DataFrame,
    duplicate: pd.Series,
    not_receipt: pd.Series,
    item_frame: pd.DataFrame,
    customers: pd.DataFrame,
    posted_at: datetime,
    post: bool,
) -> MatchResult:
    bl, numbers = run.bl, run.items.numbers
    cust_ids, cust_names = run.customer_ids, as_text(customers["Name"]).to_numpy()
    opens_then = item_frame["open"].to_numpy()
    props = (
        pd.DataFrame([p for p, _ in chosen]) if chosen else pd.DataFrame(columns=[*FEATURE_COLUMNS, "line"])
    )
    if chosen:
        props["decision"] = [d for _, d in chosen]
        props["payer"] = bl["Payer"].to_numpy()[props["line"].to_numpy()]
        props["customer_name"] = cust_names[props["customer"].to_numpy()]
        props["amount"] = bl["remaining"].to_numpy()[props["line"].to_numpy()]
        props["invoiced"] = [
            sum(int(opens_then[i]) for i in {r[0] for r in rows if r[0] >= 0}) for rows in props["rows"]
        ]
        props["diff"] = [sum(c for i, c, k in rows if k != "payment") for rows in props["rows"]]
        props["nos"] = [
            ", ".join(dict.fromkeys(str(numbers[i]) for i, c, k in rows if i >= 0 and k == "payment"))
            for rows in props["rows"]
        ]
        props["reason"] = reasons(props)
    match_rows, alloc_rows = [], []
    line_ids, line_dates = bl["LineID"].to_numpy(), bl["Date"].to_numpy()
    stamp = pd.Timestamp(posted_at)
    for p in props.to_dict("records") if chosen else []:
        line_id, cust = line_ids[p["line"]], str(cust_ids[p["customer"]])
        rows = [(str(numbers[i]) if i >= 0 else "", cents, kind) for i, cents, kind in p["rows"]]
        mid = match_id(line_id, rows)
        posted = p["decision"] == "auto" and post
        for inv, cents, kind in rows:
            match_rows.append(
                (
                    mid,
                    line_id,
                    inv,
                    cust,
                    cents,
                    kind,
                    float(p["score"]),
                    p["decision"],
                    p["reason"],
                    "",
                    "posted" if posted else "pending",
                )
            )
            if posted:
                alloc_rows.append(
                    (
                        allocation_id(mid, inv, kind),
                        line_id,
                        inv,
                        cust,
                        cents,
                        line_dates[p["line"]],
                        kind,
                        "auto",
                        stamp,
                    )
                )
    new = pd.DataFrame(match_rows, columns=MATCH_COLUMNS)
    allocs = allocation_frame(alloc_rows)

    newly = allocs[allocs["Kind"].isin(LINE_MONEY)].groupby("LineID")["Amount"].sum()
    allocated = bl["allocated"] + bl["LineID"].map(newly).fillna(0).astype(np.int64)
    done_lines = set(bl.loc[allocated >= bl["Amount"], "LineID"])
    still_rejected = rejected[~rejected["LineID"].isin(done_lines)]
    matches = pd.concat([kept, still_rejected, new], ignore_index=True).reindex(columns=MATCH_COLUMNS)
    matches["Amount"] = matches["Amount"].astype("Int64")
    matches["Score"] = matches["Score"].astype(float)
    statuses = line_statuses(bl, allocated, set(matches.loc[matches["Status"] == "pending", "LineID"]))
    return MatchResult(
        matches,
        allocs,
        statuses,
        _notes(bl, duplicate, not_receipt),
        _figures(bl, new, allocs, duplicate, not_receipt),
    )


def _notes(bl: pd.DataFrame, duplicate: pd.Series, not_receipt: pd.Series) -> list[str]:
    notes = []
    open_lines = (bl["Amount"] > 0) & (bl["remaining"] > 0) & (bl["Status"] != "Ignored")
    for pos in bl.index[(duplicate != "") & open_lines][:20]:
        notes.append(
            f"BankLines line {bl.at[pos, 'LineID']} looks like a second copy of line "
            f"{duplicate[pos]} (same account, date, amount and reference); not matched"
        )
    skipped = (not_receipt != "") & open_lines
    for pos in bl.index[skipped][:20]:
        notes.append(
            f"BankLines line {bl.at[pos, 'LineID']} looks like {not_receipt[pos]}, "
            "not a customer payment; left unmatched"
        )
    if skipped.sum() > 20:
        notes.append(f"... and {int(skipped.sum()) - 20} more lines that are not customer payments")
    return notes


def _figures(
    bl: pd.DataFrame, new: pd.DataFrame, allocs: pd.DataFrame, duplicate: pd.Series, not_receipt: pd.Series
) -> dict[str, object]:
    decided = new.drop_duplicates("MatchID")
    return {
        "lines considered": int(((bl["Amount"] > 0) & (bl["remaining"] > 0)).sum()),
        "auto-posted lines": int(allocs["LineID"].nunique()),
        "auto-posted amount": int(allocs.loc[allocs["Kind"].isin(LINE_MONEY), "Amount"].sum()),
        "lines with suggestions": int(decided.loc[decided["Decision"] == "suggested", "LineID"].nunique()),
        "not customer payments": int((not_receipt != "").sum()),
        "duplicates": int((duplicate != "").sum()),
    }
