"""Applying money by hand: the clerk names the invoices a bank line (or a credit note) pays.

The instruction is text, as a clerk types it in a cell or on the command line:

    INV-2026-00412 600.00; INV-2026-00413      two invoices, the first with an amount
    C002: INV-2026-00430                       the line pays another customer's invoice

Parts are separated by `;` or line breaks; each is an invoice number (as in Invoices, case
and spaces ignored when that is unambiguous), optionally followed by the amount to apply.
Without an amount an invoice gets its open amount, or what is left of the money. A credit
note named among a bank line's invoices adds its open credit to the money (as the matcher
nets credit notes). A leading `CUSTOMER:` says whose invoices they are when the payer is
someone else (a parent company paying for a subsidiary); a credit note settles invoices of its
own customer (or group) only.

Checked before anything is posted, and all or nothing for each instruction: the source is a
bank credit (or a credit note with credit left); every invoice exists, is in the source's
currency and belongs to the payer's customer or its group (or to the customer the clerk
named); no invoice gets more than it has open; the money is enough. A refusal names the
cell (table, row, column) and what was expected.

What is posted (Method manual): a payment row per invoice dated by the bank line (by the
run's date for a credit note); the money is taken from what the line has not yet allocated,
then from cash of the line left unapplied on the customer (an `unapplied` row of the
opposite sign takes it back); what is left of a bank line stays unapplied on the customer.
A credit note applied gives a row on the credit note (its negative share) and one on each
invoice. Rows share one Posting id, made from the source and the instruction, so the same
instruction is never posted twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from common.currency import currency_digits, format_money, row_currencies, with_currency
from common.errors import Problem
from common.values import parse_amount_cents
from matching.matcher.ledger import allocation_records, as_text
from matching.matcher.names import name_keys

__all__ = ["Application", "Applied", "apply_by_hand", "customer_groups", "instruction_posting", "problem_at"]

MANUAL = "manual"
_PARTS = re.compile(r"[;\n\r]+")
_PREFIX = re.compile(r"^\s*([^:;\n]+?)\s*:\s*(.*)$", re.S)


@dataclass(frozen=True)
class Application:
    """Apply `source` (a bank line's LineID or a credit note's number) as `text` says.

    `where` is the cell it was written in (table, row, column); None on the command line.
    """

    source: str
    text: str
    where: tuple[str, int | None, str] | None = None
    method: str = MANUAL  # "approved" when it is a netting proposal the clerk approved

    def problem(self, message: str) -> Problem:
        return problem_at(self.where, message)


@dataclass
class Applied:
    rows: pd.DataFrame  # Allocations rows to append
    posted: list[str] = field(default_factory=list)  # "L-1: INV-1 600.00; INV-2"
    already: list[str] = field(default_factory=list)  # sources whose instruction was posted before
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Part:
    number: str
    cents: int | None  # None: as much as is open (or left)


def instruction_posting(source: str, text: str) -> str:
    """The Posting id of an instruction: the same source and text always give the same id."""
    canonical = " ".join(text.split()).casefold()
    return "P-" + hashlib.blake2b(f"{MANUAL}|{source}|{canonical}".encode(), digest_size=6).hexdigest()


def customer_groups(customers: pd.DataFrame) -> dict[str, str]:
    """Each customer's group: Customers.Group where filled in, else the customer on its own."""
    ids = as_text(customers["CustomerID"])
    group = as_text(customers["Group"]) if "Group" in customers else pd.Series("", index=customers.index)
    return dict(zip(ids, group.where(group != "", "\x00" + ids), strict=True))


def apply_by_hand(
    applications: list[Application],
    *,
    lines: pd.DataFrame,
    items: pd.DataFrame,
    customers: pd.DataFrame,
    allocations: pd.DataFrame,
    as_of: date,
    posted_at: pd.Timestamp,
    base_currency: str,
) -> Applied:
    """The Allocations rows for each instruction that passes every check (see the module doc).

    `items` are the invoices and credit notes with their OpenAmount counting every allocation
    (receivables' balances as of LATEST); `allocations` the log as it stands, which says what
    each bank line has left and what was posted before.
    """
    books = _Books(lines, items, customers, allocations, base_currency)
    out = Applied(rows=allocation_records([]))
    done = set(as_text(allocations["Posting"])) if "Posting" in allocations else set()
    rows: list[dict[str, object]] = []
    for app in applications:
        posting = instruction_posting(app.source, app.text)
        if posting in done:
            out.already.append(app.source)
            continue
        try:
            made = books.apply(app, posting, as_of, posted_at)
        except _Refused as refused:
            out.problems.append(app.problem(str(refused)))
            continue
        rows += made
        done.add(posting)
        out.posted.append(f"{app.source}: {' '.join(app.text.split())}")
    out.rows = allocation_records(rows)
    return out


def problem_at(where: tuple[str, int | None, str | None] | None, message: str) -> Problem:
    """A clerk's instruction refused: at its cell (table, row, column), or on the command line
    when `where` is None."""
    table, row, column = where or ("command line", None, None)
    return Problem(table, row, column, message)


class _Refused(Exception):
    """One instruction cannot be posted; the message says what was expected."""


class _Books:
    """What the checks read, indexed once for a batch of instructions, and updated as each posts."""

    def __init__(
        self,
        lines: pd.DataFrame,
        items: pd.DataFrame,
        customers: pd.DataFrame,
        allocations: pd.DataFrame,
        base: str,
    ) -> None:
        self.base = base
        bl = lines.reset_index(drop=True)
        self.lines = pd.DataFrame(
            {
                "Amount": bl["Amount"].astype("Int64").fillna(0).astype(np.int64).to_numpy(),
                "Date": pd.to_datetime(bl["Date"]).to_numpy(),
                "Currency": row_currencies(bl, base).to_numpy(),
                "Payer": as_text(bl["Payer"]).to_numpy(),
                "Status": as_text(bl["Status"]).to_numpy(),
            },
            index=as_text(bl["LineID"]).to_numpy(),
        )
        self.lines = self.lines[~self.lines.index.duplicated()]
        cust = customers.reset_index(drop=True)
        self.groups = customer_groups(cust)
        self.names = dict(zip(as_text(cust["CustomerID"]), as_text(cust["Name"]), strict=True))
        it = items.reset_index(drop=True)
        numbers, owners = as_text(it["InvoiceNo"]), as_text(it["CustomerID"])
        self.items = pd.DataFrame(
            {
                "CustomerID": owners.to_numpy(),
                "Currency": with_currency(it.assign(CustomerID=owners), cust, base)["Currency"].to_numpy(),
                "Amount": it["Amount"].astype("Int64").fillna(0).astype(np.int64).to_numpy(),
                "Open": it["OpenAmount"].astype("Int64").fillna(0).astype(np.int64).to_numpy(),
            },
            index=numbers.to_numpy(),
        )
        self.items = self.items[(self.items.index != "") & ~self.items.index.duplicated()]
        self.folded = pd.Series(self.items.index, index=[_fold(n) for n in self.items.index])
        self.folded = self.folded[~self.folded.index.duplicated(keep=False)]
        self.customer_keys = self._customer_keys(cust)
        log = allocations
        line_ids, kinds = as_text(log["LineID"]), as_text(log["Kind"])
        cents = log["Amount"].astype("Int64").fillna(0).astype(np.int64)
        self.paid = cents[kinds == "payment"].groupby(line_ids[kinds == "payment"]).sum().to_dict()
        held = kinds == "unapplied"
        self.held: dict[tuple[str, str], int] = (
            cents[held].groupby([line_ids[held], as_text(log["CustomerID"])[held]]).sum().to_dict()
        )
        self.payers = (
            as_text(log["CustomerID"])[line_ids != ""].groupby(line_ids[line_ids != ""]).agg(set).to_dict()
        )

    @staticmethod
    def _customer_keys(cust: pd.DataFrame) -> dict[str, set[str]]:
        """Normalised name key -> the customers known by it (Name and Aliases)."""
        names, owners = [], []
        aliases = as_text(cust["Aliases"]) if "Aliases" in cust else pd.Series("", index=cust.index)
        for cid, name, alias in zip(as_text(cust["CustomerID"]), as_text(cust["Name"]), aliases, strict=True):
            for text in [name, *alias.split(";")]:
                if text.strip():
                    names.append(text.strip())
                    owners.append(cid)
        keys = name_keys(pd.Series(names, dtype=object))["key"] if names else pd.Series(dtype=object)
        found: dict[str, set[str]] = {}
        for key, cid in zip(keys, owners, strict=True):
            if key:
                found.setdefault(key, set()).add(cid)
        return found

    # -- one instruction -------------------------------------------------------------------
    def apply(
        self, app: Application, posting: str, as_of: date, posted_at: pd.Timestamp
    ) -> list[dict[str, object]]:
        named, parts = self._parse(app.text)
        if app.source in self.lines.index:
            rows = self._from_line(app.source, named, parts)
        elif app.source in self.items.index:
            rows = self._from_credit(app.source, named, parts, as_of)
        else:
            raise _Refused(
                f"expected a bank line's LineID or a credit note's number; {app.source!r} is neither"
            )
        reason = " ".join(app.text.split())
        for number, row in enumerate(rows):
            row.update(Method=app.method, PostedAt=posted_at, Posting=posting, Reason=reason)
            row["AllocationID"] = (
                "A-" + hashlib.blake2b(f"{posting}|{number}".encode(), digest_size=6).hexdigest()
            )
        self._take(rows)
        return rows

    def _parse(self, text: str) -> tuple[str | None, list[_Part]]:
        named = None
        m = _PREFIX.match(text)
        if m and m.group(1) in self.groups:
            named, text = m.group(1), m.group(2)
        parts = []
        for raw in _PARTS.split(text):
            part = " ".join(raw.split())
            if not part:
                continue
            number = self._number(part)
            cents: int | None = None
            if number is None:
                head, _, tail = part.rpartition(" ")
                number = self._number(head) if head else None
                if number is not None:
                    currency = str(self.items.at[number, "Currency"])
                    try:
                        cents = parse_amount_cents(tail, digits=currency_digits(currency))
                    except ValueError as err:
                        raise _Refused(f"{number} is in {currency}; the amount {tail!r}: {err}") from None
                if number is None:
                    raise _Refused(
                        f"expected invoice numbers from Invoices, each optionally followed by an amount, "
                        f"separated by ';'; {part!r} is no invoice"
                    )
                if cents is not None and cents <= 0:
                    raise _Refused(f"expected an amount above zero for {number}, got {tail}")
            parts.append(_Part(number, cents))
        if not parts:
            raise _Refused("expected at least one invoice number")
        numbers = [p.number for p in parts]
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise _Refused(f"expected each invoice once; {', '.join(twice)} is named twice")
        return named, parts

    def _number(self, text: str) -> str | None:
        if text in self.items.index:
            return text
        found = self.folded.get(_fold(text))
        return None if found is None else str(found)

    def _owner_check(self, numbers: list[str], named: str | None, payer: str | None, payer_text: str) -> str:
        """The customer the instruction is for; refuses invoices that are not theirs (or their group's)."""
        owners = {n: str(self.items.at[n, "CustomerID"]) for n in numbers}
        if named is not None:
            for n, owner in owners.items():
                if self.groups.get(owner) != self.groups[named]:
                    raise _Refused(f"{n} belongs to customer {owner}, not to {named} or its group")
            return named
        if payer is not None:
            for n, owner in owners.items():
                if self.groups.get(owner) != self.groups.get(payer):
                    raise _Refused(
                        f"{n} belongs to customer {owner} ({self.names.get(owner, '')}), but {payer_text} is "
                        f"customer {payer} ({self.names.get(payer, '')}); if it really pays for {owner}, "
                        f"write '{owner}:' before the invoice numbers"
                    )
            return payer
        groups = {self.groups.get(owner, "\x00" + owner) for owner in owners.values()}
        if len(groups) > 1:
            listed = ", ".join(f"{n} of {owner}" for n, owner in owners.items())
            raise _Refused(f"expected invoices of one customer (or one group); got {listed}")
        return owners[numbers[0]]

    def _check_currency(self, numbers: list[str], currency: str, what: str) -> None:
        for n in numbers:
            if self.items.at[n, "Currency"] != currency:
                raise _Refused(f"{n} is in {self.items.at[n, 'Currency']}, {what} in {currency}")

    def _payer(self, line: str) -> tuple[str | None, str]:
        """The customer a bank line comes from: the one its money already went to, else the
        one whose name (or an alias) the payer's name is; None when that does not say."""
        known = self.payers.get(line, set()) - {""}
        if len(known) == 1:
            return next(iter(known)), f"line {line}'s money went to"
        payer = str(self.lines.at[line, "Payer"])
        key = name_keys(pd.Series([payer]))["key"].iloc[0] if payer else ""
        found = self.customer_keys.get(key, set()) if key else set()
        return (next(iter(found)), f"the payer '{payer}'") if len(found) == 1 else (None, "")

    def _from_line(self, line: str, named: str | None, parts: list[_Part]) -> list[dict[str, object]]:
        info = self.lines.loc[line]
        amount = int(info["Amount"])
        if amount <= 0 or info["Status"] == "Ignored":
            raise _Refused(
                f"line {line} is not a customer's payment (Amount {format_money(amount, str(info['Currency']))}, "
                f"Status {info['Status']})"
            )
        numbers = [p.number for p in parts]
        self._check_currency(numbers, str(info["Currency"]), f"line {line} is")
        payer, payer_text = self._payer(line)
        customer = self._owner_check(numbers, named, payer, payer_text)
        group = self.groups.get(customer)
        free = amount - self.paid.get(line, 0) - sum(c for (ln, _), c in self.held.items() if ln == line)
        held = {
            cid: c
            for (ln, cid), c in self.held.items()
            if ln == line and c > 0 and self.groups.get(cid) == group
        }
        credits, invoices = self._split(parts)
        money = free + sum(held.values()) + sum(c for _, c in credits)
        wanted = self._amounts(invoices, money, f"line {line}")
        self._credits_used(credits, wanted)
        date_ = pd.Timestamp(info["Date"])
        rows = [self._row(line, n, -c, "payment", date_) for n, c in credits]
        rows += [self._row(line, n, c, "payment", date_) for n, c in wanted]
        need = sum(c for _, c in wanted) - sum(c for _, c in credits)
        from_free = min(max(need, 0), max(free, 0))
        need -= from_free
        for cid in sorted(held, key=lambda c: (c != customer, c)):
            take = min(need, held[cid])
            if take > 0:
                rows.append(self._row(line, "", -take, "unapplied", date_, cid))
                need -= take
        left = free - from_free
        if left > 0:
            rows.append(self._row(line, "", left, "unapplied", date_, customer))
        return rows

    def _from_credit(
        self, credit: str, named: str | None, parts: list[_Part], as_of: date
    ) -> list[dict[str, object]]:
        info = self.items.loc[credit]
        if int(info["Amount"]) >= 0:
            raise _Refused(
                f"{credit} is an invoice; only a credit note (a negative Amount) is applied to invoices"
            )
        if int(info["Open"]) >= 0:
            raise _Refused(f"credit note {credit} has no credit left to apply")
        numbers = [p.number for p in parts]
        self._check_currency(numbers, str(info["Currency"]), f"credit note {credit} is")
        owner = str(info["CustomerID"])
        for n in numbers:
            theirs = str(self.items.at[n, "CustomerID"])
            if self.groups.get(theirs) != self.groups.get(owner) or (
                named is not None and self.groups.get(named) != self.groups.get(owner)
            ):
                raise _Refused(
                    f"{n} belongs to customer {theirs}, but credit note {credit} is customer {owner}'s: "
                    "a credit note settles invoices of its own customer (or group) only"
                )
        credits, invoices = self._split(parts)
        if credits:
            raise _Refused(f"expected invoices to settle with {credit}; {credits[0][0]} is a credit note too")
        wanted = self._amounts(invoices, -int(info["Open"]), f"credit note {credit}")
        day = pd.Timestamp(as_of)
        rows = []
        for n, c in wanted:
            rows.append(self._row(credit, credit, -c, "payment", day, owner))
            rows.append(self._row(credit, n, c, "payment", day))
        return rows

    def _split(self, parts: list[_Part]) -> tuple[list[tuple[str, int]], list[_Part]]:
        """Credit notes named among the invoices (with the credit each gives) and the invoices."""
        credits, invoices = [], []
        for p in parts:
            open_ = int(self.items.at[p.number, "Open"])
            if int(self.items.at[p.number, "Amount"]) < 0:
                if open_ >= 0:
                    raise _Refused(f"credit note {p.number} has no credit left to apply")
                if p.cents is not None and p.cents > -open_:
                    raise _Refused(
                        f"credit note {p.number} has {self._money(-open_, p.number)} left; "
                        f"asked {self._money(p.cents, p.number)}"
                    )
                credits.append((p.number, p.cents if p.cents is not None else -open_))
            else:
                invoices.append(p)
        if not invoices:
            raise _Refused("expected at least one invoice to pay")
        return credits, invoices

    def _credits_used(self, credits: list[tuple[str, int]], wanted: list[tuple[str, int]]) -> None:
        given, taken = sum(c for _, c in credits), sum(c for _, c in wanted)
        if given > taken:
            number = wanted[0][0]
            raise _Refused(
                f"the credit notes give {self._money(given, number)}, more than the invoices take "
                f"({self._money(taken, number)}); give each credit note the amount to use"
            )

    def _money(self, minor: int, number: str) -> str:
        """An amount in the currency of invoice `number` (the instruction's invoices share one:
        _check_currency refuses the rest), with that currency's decimals: 1234 JPY, not 12.34."""
        return format_money(minor, str(self.items.at[number, "Currency"]))

    def _amounts(self, invoices: list[_Part], money: int, what: str) -> list[tuple[str, int]]:
        """The cents each invoice gets: the amount asked (at most its open amount), else its open
        amount or what is left of the money; the money must be enough for every amount asked."""
        asked = sum(p.cents for p in invoices if p.cents is not None)
        if asked > money:
            raise _Refused(
                f"{what} has {self._money(money, invoices[0].number)} to apply; "
                f"the amounts asked add up to {self._money(asked, invoices[0].number)}"
            )
        left = money - asked
        out = []
        for p in invoices:
            open_ = int(self.items.at[p.number, "Open"])
            if open_ <= 0:
                raise _Refused(f"{p.number} has nothing open (it is paid)")
            if p.cents is not None:
                if p.cents > open_:
                    raise _Refused(
                        f"{p.number} has {self._money(open_, p.number)} open; "
                        f"{self._money(p.cents, p.number)} would overpay it"
                    )
                out.append((p.number, p.cents))
                continue
            take = min(open_, left)
            if take <= 0:
                raise _Refused(f"nothing of {what} is left for {p.number}")
            left -= take
            out.append((p.number, take))
        return out

    def _row(
        self, source: str, number: str, cents: int, kind: str, day: pd.Timestamp, customer: str | None = None
    ) -> dict[str, object]:
        owner = customer if customer is not None else str(self.items.at[number, "CustomerID"])
        # An invoice's row is in the invoice's currency; money left unapplied in the bank line's
        # (the customer's own currency may be another: a EUR customer paying a USD invoice in USD).
        currency = self.items.at[number, "Currency"] if number else self.lines.at[source, "Currency"]
        return {
            "LineID": source,
            "InvoiceNo": number,
            "CustomerID": owner,
            "Amount": int(cents),
            "PaymentDate": day,
            "Kind": kind,
            "Currency": str(currency),
        }

    def _take(self, rows: list[dict[str, object]]) -> None:
        """What the posted rows used up, so a later instruction in the batch sees it gone."""
        for row in rows:
            cents, line = int(row["Amount"]), str(row["LineID"])  # type: ignore[call-overload]
            number = str(row["InvoiceNo"])
            if number:
                self.items.at[number, "Open"] -= cents
            if row["Kind"] == "payment" and line in self.lines.index:
                self.paid[line] = self.paid.get(line, 0) + cents
            elif row["Kind"] == "unapplied":
                key = (line, str(row["CustomerID"]))
                self.held[key] = self.held.get(key, 0) + cents
                self.payers.setdefault(line, set()).add(str(row["CustomerID"]))


def _fold(number: str) -> str:
    return "".join(number.split()).casefold()
