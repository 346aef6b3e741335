"""Judge postings and suggestions against a month's truth, line by line.

Works on frames only: the truth (build.Month.truth_frame), the BankLines as imported (to
map LineID to BankRef), the auto allocations a matcher posted and the suggestions it left.
An allocation is right when the truth of its line has a part with the same invoice (for
unapplied: the same customer), the same Kind and the same amount; each truth part can make
one allocation right. A line that pays invoices is covered when its auto allocations are
exactly its truth parts. A suggestion is judged by the line's best proposal (highest
Score, first in order on a tie): right when its rows are exactly the truth parts.

A second, looser reading of suggestions (`suggestion_ledger`, ledger-equivalent): right, or
one of a set of equal payments (the lines of one customer with the same amount) whose best
suggestions and auto allocations together are exactly their truth parts together. Approving
every one of them leaves the same open items as the truth, although two of them may pay each
other's invoice: which of two equal payments paid which equal invoice is nowhere in a month
whose truth pairs them at random (bench.months.situations, same_amount_many).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

__all__ = ["LINE_COLUMNS", "best_proposals", "judge"]

LINE_COLUMNS = (
    "BankRef",
    "Situation",
    "Pays",
    "posted",
    "right",
    "wrong",
    "covered",
    "nonpay_posted",
    "suggested",
    "suggestion_right",
    "suggestion_ledger",
    "Payer",
    "Memo",
    "LineAmount",
    "what_posted",
)


def _key(kind: str, invoice: str, customer: str, amount: int) -> tuple[str, str, int]:
    return (kind, customer if kind == "unapplied" else invoice, int(amount))


def _parts(frame: pd.DataFrame) -> dict[str, Counter[tuple[str, str, int]]]:
    """Rows (Kind, InvoiceNo, CustomerID, Amount) grouped into a multiset per BankRef."""
    out: dict[str, Counter[tuple[str, str, int]]] = {}
    for ref, kind, invoice, customer, amount in zip(
        frame["BankRef"], frame["Kind"], frame["InvoiceNo"], frame["CustomerID"], frame["Amount"], strict=True
    ):
        out.setdefault(ref, Counter())[_key(kind, invoice, customer, amount)] += 1
    return out


def best_proposals(matches: pd.DataFrame) -> pd.DataFrame:
    """The rows of each line's best pending suggestion (highest Score, earliest MatchID row on a tie)."""
    pending = matches[(matches["Decision"] == "suggested") & (matches["Status"] != "rejected")]
    if pending.empty:
        return pending
    order = pending.reset_index(drop=True).reset_index(names="order")
    first = order.groupby("MatchID")["order"].min()
    score = order.groupby("MatchID")["Score"].max()
    ranked = pd.DataFrame(
        {"first": first, "score": score, "LineID": order.groupby("MatchID")["LineID"].first()}
    )
    best = ranked.sort_values(["score", "first"], ascending=[False, True]).groupby("LineID").head(1)
    return order[order["MatchID"].isin(best.index)].drop(columns="order")


def _in_line_money(frame: pd.DataFrame) -> pd.DataFrame:
    """Allocations as the truth speaks of them, in the line's money: a row posted in its invoice's
    currency counts by the line's money it took (LineAmount), its exchange difference (Kind fx)
    takes none and is left out."""
    if "LineAmount" not in frame:
        return frame
    money = frame["LineAmount"].astype("Int64").fillna(frame["Amount"].astype("Int64"))
    return frame.assign(Amount=money)[frame["Kind"] != "fx"]


def judge(
    truth: pd.DataFrame, lines: pd.DataFrame, posted: pd.DataFrame, suggested: pd.DataFrame
) -> pd.DataFrame:
    """One row per credit of `truth` (LINE_COLUMNS).

    `lines` is BankLines (LineID, BankRef); `posted` the auto allocations and `suggested` the
    best proposals, both with LineID, InvoiceNo, CustomerID, Amount, Kind.
    """
    ref_of = dict(zip(lines["LineID"], lines["BankRef"], strict=True))

    def by_ref(frame: pd.DataFrame) -> dict[str, Counter[tuple[str, str, int]]]:
        frame = _in_line_money(frame).assign(BankRef=frame["LineID"].map(ref_of))
        missing = frame["BankRef"].isna()
        if missing.any():
            raise ValueError(f"{int(missing.sum())} allocation(s) name a LineID that is not in BankLines")
        return _parts(frame)

    want, got, offered = _parts(truth), by_ref(posted), by_ref(suggested)
    first = truth.drop_duplicates("BankRef").set_index("BankRef")
    equivalent = _ledger_equivalent(truth, want, got, offered)
    rows = []
    for ref, truth_parts in want.items():
        info = first.loc[ref]
        done, offer = got.get(ref, Counter()), offered.get(ref)
        right = sum((done & truth_parts).values())
        wrong = sum(done.values()) - right
        pays = info["Pays"]
        nonpay_posted = bool(done) and (pays == "none" or any(k != "unapplied" for k, _, _ in done))
        rows.append(
            {
                "BankRef": ref,
                "Situation": info["Situation"],
                "Pays": pays,
                "posted": bool(done),
                "right": right,
                "wrong": wrong,
                "covered": bool(done) and done == truth_parts,
                "nonpay_posted": nonpay_posted and pays != "invoice",
                "suggested": not done and offer is not None,
                "suggestion_right": not done and offer is not None and offer == truth_parts,
                "suggestion_ledger": not done
                and offer is not None
                and (offer == truth_parts or ref in equivalent),
                "Payer": info["Payer"],
                "Memo": info["Memo"],
                "LineAmount": int(info["LineAmount"]),
                "what_posted": "; ".join(f"{k} {w} {a / 100:.2f}" for (k, w, a) in sorted(done.elements())),
            }
        )
    return pd.DataFrame(rows, columns=list(LINE_COLUMNS))


def _ledger_equivalent(
    truth: pd.DataFrame,
    want: dict[str, Counter[tuple[str, str, int]]],
    got: dict[str, Counter[tuple[str, str, int]]],
    offered: dict[str, Counter[tuple[str, str, int]]],
) -> set[str]:
    """BankRefs of the sets of equal payments (same truth customers, same line amount, two or
    more lines) whose postings or best suggestions add up to their truth parts."""
    customers = truth.groupby("BankRef")["CustomerID"].agg(lambda c: "|".join(sorted(set(c))))
    amounts = truth.groupby("BankRef")["LineAmount"].first()
    sets: dict[tuple[str, int], list[str]] = {}
    for ref, who in customers.items():
        if who:
            sets.setdefault((who, int(amounts[ref])), []).append(str(ref))
    out: set[str] = set()
    for refs in sets.values():
        if len(refs) < 2:
            continue
        outcome: Counter[tuple[str, str, int]] = Counter()
        truth_parts: Counter[tuple[str, str, int]] = Counter()
        for ref in refs:
            outcome += got.get(ref) or offered.get(ref) or Counter()
            truth_parts += want[ref]
        if outcome == truth_parts:
            out.update(refs)
    return out
