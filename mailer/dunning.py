"""Who gets which reminder or notice today: the dunning selection, a pure function.

Each invoice climbs the DunningLevels ladder one step at a time. Its next step is the level
after the last one sent for it (the first level when none was), skipping a before-due
reminder once the invoice is already overdue. That step is due when the invoice is at
least the level's DaysOverdue late and the previous step went out at least
`min_interval_days` ago. Disputed invoices, blocked customers and promises to pay that
have not yet passed are left out, as are invoices a received payment may already settle
(the matcher proposed it and a person has not yet decided). So is a group whose total is
under the level's MinAmount, and a customer whose open credit notes and unapplied cash cover
all it owes in that currency (its account is in credit: a demand for payment would be
wrong). Because the ladder is read from what was actually sent (MailLog and the journal), a
level is never sent twice for the same invoice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from common.currency import with_currency

NOTICE_KINDS = ("reminder", "notice")
"""MailLog Kinds of the dunning ladder: a level before the due date is a reminder, after it a notice."""

__all__ = [
    "NOTICE_KINDS",
    "DunningLevel",
    "NoticeDue",
    "Selection",
    "dunning_history",
    "levels_from_frame",
    "select_notices",
]


@dataclass(frozen=True)
class DunningLevel:
    level: int
    days_overdue: int
    template: str
    min_amount: int  # cents
    fee: int  # cents

    @property
    def kind(self) -> str:
        return NOTICE_KINDS[0] if self.days_overdue < 0 else NOTICE_KINDS[1]


@dataclass
class NoticeDue:
    customer_id: str
    currency: str
    level: DunningLevel
    items: pd.DataFrame  # open items with a DaysOverdue column, oldest due first

    @property
    def total(self) -> int:
        return int(self.items["OpenAmount"].sum())

    @property
    def invoice_nos(self) -> list[str]:
        return sorted(self.items["InvoiceNo"])


@dataclass
class Selection:
    due: list[NoticeDue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> number of invoices (or groups)


def levels_from_frame(frame: pd.DataFrame) -> list[DunningLevel]:
    """DunningLevels rows (workbook or built-in) as levels, lowest first."""
    levels = [
        DunningLevel(
            int(r["Level"]),
            int(r["DaysOverdue"]),
            str(r["Template"]),
            int(r["MinAmount"]) if not pd.isna(r.get("MinAmount")) else 0,
            int(r["Fee"]) if not pd.isna(r.get("Fee")) else 0,
        )
        for _, r in frame.iterrows()
    ]
    return sorted(levels, key=lambda lv: lv.level)


_SPLIT = re.compile(r"[;,]\s*")


def dunning_history(mail_log: pd.DataFrame) -> dict[str, tuple[int, dt.date]]:
    """For each invoice, the highest level sent for it and the as-of day of that run.

    The as-of day (MailLog AsOf), not the clock time (At), is what the waits between levels
    are measured in, so a run for a past or future date sees the ladder as of that date.
    Rows without AsOf fall back to the day they were sent.
    """
    sent = mail_log[
        (mail_log["Status"] == "sent") & mail_log["Kind"].isin(NOTICE_KINDS) & mail_log["Level"].notna()
    ]
    as_of = sent["AsOf"] if "AsOf" in sent else pd.Series(pd.NaT, index=sent.index)
    days = pd.to_datetime(as_of).fillna(pd.to_datetime(sent["At"]))
    out: dict[str, tuple[int, dt.date]] = {}
    for row, day_stamp in zip(sent.itertuples(), days, strict=True):
        level, day = int(row.Level), pd.Timestamp(day_stamp).date()
        for number in filter(None, _SPLIT.split(str(row.InvoiceNos))):
            if number not in out or (level, day) > out[number]:
                out[number] = (level, day)
    return out


def _next_level(levels: list[DunningLevel], last: int | None, days: int) -> DunningLevel | None:
    later = [lv for lv in levels if last is None or lv.level > last]
    while later and later[0].days_overdue < 0 and days > 0:
        later = later[1:]
    return later[0] if later else None


def select_notices(
    open_items: pd.DataFrame,
    customers: pd.DataFrame,
    levels: list[DunningLevel],
    history: dict[str, tuple[int, dt.date]],
    *,
    as_of: dt.date,
    min_interval_days: int,
    base_currency: str,
    awaiting_review: frozenset[str] = frozenset(),
) -> Selection:
    """The notices due on `as_of`: one per customer, currency and level, with the invoices it lists.

    `awaiting_review` names invoices that a received payment, proposed by the matcher and not
    yet approved, may already settle: they wait rather than be dunned.
    """
    selection = Selection()
    stamp = pd.Timestamp(as_of)
    known = customers.drop_duplicates("CustomerID").set_index("CustomerID")
    blocked = known["DunningBlocked"].astype(bool) if "DunningBlocked" in known else pd.Series(dtype=bool)
    open_items = with_currency(open_items, customers, base_currency)
    items = open_items[(open_items["Kind"] == "invoice") & (open_items["OpenAmount"].fillna(0) > 0)].copy()
    items["DaysOverdue"] = (stamp - items["DueDate"]).dt.days
    items = items[items["DaysOverdue"].notna()]
    groups: dict[tuple[str, str, int], list[int]] = {}
    by_level = {lv.level: lv for lv in levels}
    for idx, it in items.iterrows():
        customer = it["CustomerID"]
        if customer not in known.index:
            selection.skipped["customer not in Customers"] += 1
            continue
        last_level, last_day = history.get(it["InvoiceNo"], (None, None))
        step = _next_level(levels, last_level, int(it["DaysOverdue"]))
        if step is None or it["DaysOverdue"] < step.days_overdue:
            continue
        if last_day is not None and (as_of - last_day).days < min_interval_days:
            selection.skipped["previous level sent too recently"] += 1
            continue
        if bool(blocked.get(customer, False)):
            selection.skipped["customer DunningBlocked"] += 1
        elif bool(it["Disputed"]):
            selection.skipped["invoice disputed"] += 1
        elif not pd.isna(it["PromiseDate"]) and it["PromiseDate"] >= stamp:
            selection.skipped["promise to pay not yet passed"] += 1
        elif it["InvoiceNo"] in awaiting_review:
            selection.skipped["a payment proposed for it waits for review"] += 1
        else:
            groups.setdefault((customer, it["Currency"], step.level), []).append(idx)
    # net of open credit notes and unapplied cash, per customer and currency
    balance = (
        open_items["OpenAmount"]
        .fillna(0)
        .astype("int64")
        .groupby([open_items["CustomerID"], open_items["Currency"]])
        .sum()
    )
    for (customer, currency, level), rows in groups.items():
        chosen = items.loc[rows].sort_values(["DueDate", "InvoiceNo"], kind="stable")
        notice = NoticeDue(customer, currency, by_level[level], chosen)
        if balance.get((customer, currency), 0) <= 0:
            selection.skipped["customer's account in credit (open credits cover what is overdue)"] += len(
                rows
            )
            continue
        if notice.total < notice.level.min_amount:
            selection.skipped["total under the level's MinAmount"] += len(rows)
            continue
        selection.due.append(notice)
    return selection
