"""The bank month being closed: the receipts, what is not a receipt, and the BankLines frame.

`finish` takes the receipts planned by `receipts.plan_receipts`, adds the noise (a
supplier's refund, interest, a tax refund, a transfer between our own accounts, half of
them of an amount some open invoice has), the debits and the duplicate imports, places
every line on one of the company's accounts as its statement file will carry it, and
returns BankLines with its ground truth.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matching.importers import line_ids
from sample_data.company import ACCOUNTS, COMPANY_NAME, account_for, source_file
from sample_data.frames import conform, conform_truth
from sample_data.memos import REF_SPELLINGS
from sample_data.names import swift_text
from sample_data.receipts import Line, Plan, month_days, split_lines

if TYPE_CHECKING:
    from sample_data.generator import Ledger

__all__ = ["finish"]

_SUPPLIERS = (
    ("Würth Industrie Service GmbH & Co. KG", "Rechnung 2026-{n5} Kd-Nr. 4711{n2}"),
    ("thyssenkrupp Materials Services GmbH", "RE 9{n7} Lieferung vom {d}"),
    ("Telekom Deutschland GmbH", "Kd-Nr. 55{n7} Rechnung {m}"),
    ("DB Schenker Deutschland AG", "Frachtrechnung F{n7}"),
    ("Allianz Versicherungs-AG", "Beitrag Betriebshaftpflicht Vertrag AS-{n7}"),
    ("Finanzamt Stuttgart II", "USt-VA {m} StNr 99015/{n5}"),
    ("Gehaltsabrechnung", "Lohn/Gehalt {m} Sammler"),
    ("Commerzbank AG", "Kontoführung und Porto {m}"),
    ("Hoffmann Group Werkzeuge GmbH", "Rechnung Nr. {n7} vom {d}"),
)
_REFUNDERS = (
    ("Würth Industrie Service GmbH & Co. KG", "Gutschrift zu Rechnung 2026-{n5} Rücksendung"),
    ("Lufthansa Cargo AG", "Erstattung Frachtkosten F{n7}"),
    ("Amazon Business EU SARL", "Refund order 302-{n7}"),
)


def _text(template: str, py: random.Random, date: np.datetime64) -> str:
    d = str(date)
    return template.format(
        n2=f"{py.randrange(100):02d}",
        n5=f"{py.randrange(10**5):05d}",
        n7=f"{py.randrange(10**7):07d}",
        d=f"{d[8:10]}.{d[5:7]}.{d[:4]}",
        m=f"{int(d[5:7]) - 1 or 12:02d}/{d[:4] if d[5:7] != '01' else int(d[:4]) - 1}",
    )


def _noise(
    ledger: Ledger, open_after: np.ndarray, count: int, days: np.ndarray, py: random.Random
) -> tuple[list[Line], list[Line]]:
    """Credits that are not receipts (half of them of an amount some open EUR invoice has),
    and the debit half of each transfer between our own accounts."""
    trap_pool = np.flatnonzero((open_after > 0) & (ledger.currency == "EUR") & (ledger.amount > 0))
    kinds = ("noise_refund", "noise_interest", "noise_tax", "noise_own_transfer")
    credits, debits = [], []
    for n in range(count):
        kind = kinds[n % 4] if n < 4 else py.choice(kinds)
        date = py.choice(days)
        trap = len(trap_pool) > 0 and py.random() < 0.5
        amount = (
            int(ledger.amount[trap_pool[py.randrange(len(trap_pool))]])
            if trap
            else int(py.lognormvariate(10.5, 1.2))
        )
        account = "main"
        if kind == "noise_refund":
            payer, memo = py.choice(_REFUNDERS)
            memo = _text(memo, py, date)
        elif kind == "noise_interest":
            amount = amount if trap else py.randrange(500, 90_000)
            payer, memo = "Commerzbank AG", f"Habenzinsen 01.07.{str(date)[:4]}-30.09.{str(date)[:4]}"
        elif kind == "noise_tax":
            payer, memo = "Finanzamt Stuttgart II", _text("Erstattung USt-VA {m} StNr 99015/{n5}", py, date)
        else:
            payer, memo, account = COMPANY_NAME, "Umbuchung Liquiditaet Commerzbank -> LBBW", "savings"
            debits.append(
                Line(
                    "debit",
                    -1,
                    date,
                    -amount,
                    "EUR",
                    "Nordwerk Industrietechnik GmbH",
                    "Umbuchung auf Konto DE12600501010002345678",
                    [(-1, -1, 0, "none")],
                    account="main",
                )
            )
        credits.append(
            Line(kind, -1, date, amount, "EUR", payer, memo, [(-1, -1, 0, "none")], account=account)
        )
    return credits, debits


def _debits(count: int, days: np.ndarray, py: random.Random) -> list[Line]:
    out = []
    for _ in range(count):
        payee, memo = py.choice(_SUPPLIERS)
        date = py.choice(days)
        account = py.choice(("main", "main", "main", "main", "savings", "usd", "gbp"))
        currency = account_for(account).currency
        amount = -int(py.lognormvariate(11.0, 1.3))
        out.append(
            Line(
                "debit",
                -1,
                date,
                amount,
                currency,
                payee,
                _text(memo, py, date),
                [(-1, -1, 0, "none")],
                account=account,
            )
        )
    return out


def _place(line: Line, ledger: Ledger, py: random.Random) -> None:
    """Put a receipt on the account of its currency (Chinese EUR payers use the CSV account)."""
    if line.currency != "EUR":
        line.account = {"USD": "usd", "GBP": "gbp"}[line.currency]
    elif ledger.identities[line.customer].country == "CN" or py.random() < 0.25:
        line.account = "savings"
    else:
        line.account = "main"


def finish(
    ledger: Ledger, plan: Plan, open_after: np.ndarray, n_lines: int, as_of: dt.date, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's BankLines (contract columns, LineID filled) and the ground truth."""
    days = month_days(as_of)
    py = random.Random(int(rng.integers(2**62)))
    n_debits, n_noise, n_dup, receipts_wanted = split_lines(n_lines)
    receipts = plan.lines
    for line in receipts:
        _place(line, ledger, py)
    n_noise += receipts_wanted - len(receipts)  # too few invoices to pay: more noise keeps the count
    noise, transfer_debits = _noise(ledger, open_after, n_noise, days, py)
    debits = transfer_debits + _debits(n_debits - len(transfer_debits), days, py)
    lines = receipts + noise + debits
    for line, ref in zip(lines, rng.integers(10**15, 10**16, size=len(lines)), strict=True):
        _deliver(line, str(ref), as_of)
    # The same transfer again, from a CSV export of the main account: its memo carries the raw
    # SEPA fields, so it is a new BankLines row (another LineID) that pays nothing.
    originals = [ln for ln in receipts if ln.account == "main" and ln.situation in REF_SPELLINGS]
    chosen = rng.choice(len(originals), size=min(n_dup, len(originals)), replace=False) if originals else []
    duplicates = [
        Line(
            "duplicate",
            o.customer,
            o.date,
            o.amount,
            o.currency,
            o.payer,
            f"EREF+NOTPROVIDED SVWZ+{o.memo}",
            [(-1, -1, 0, "none")],
            account="main",
            source=source_file("main", as_of, copy=True),
            bank_ref=o.bank_ref,
        )
        for o in (originals[int(k)] for k in chosen)
    ]
    extra = _debits(n_dup - len(duplicates), days, py)  # no candidate to copy: debits keep the count
    for line, ref in zip(extra, rng.integers(10**15, 10**16, size=len(extra)), strict=True):
        _deliver(line, str(ref), as_of)
    return _frames(lines + extra + duplicates, ledger, rng)


def _deliver(line: Line, bank_ref: str, as_of: dt.date) -> None:
    """The line as its statement file carries it: file name, bank reference, character set."""
    line.source, line.bank_ref = source_file(line.account, as_of), bank_ref
    if account_for(line.account).format == "mt940":  # ?32/?33 hold 54 characters of name
        line.payer, line.memo = swift_text(line.payer)[:54].rstrip(), swift_text(line.memo)[:140].rstrip()


def _frames(lines: list[Line], ledger: Ledger, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    account_rank = {a.key: i for i, a in enumerate(ACCOUNTS)}
    order = np.lexsort(
        (
            rng.random(len(lines)),
            np.array([ln.situation == "duplicate" for ln in lines]),
            np.array([ln.date for ln in lines], dtype="datetime64[D]"),
            np.array([account_rank[ln.account] for ln in lines]),
        )
    )
    lines = [lines[i] for i in order]
    frame = pd.DataFrame(
        {
            "Date": np.array([ln.date for ln in lines], dtype="datetime64[D]").astype("datetime64[ns]"),
            "Amount": pd.array([ln.amount for ln in lines], dtype="Int64"),
            "Currency": [ln.currency for ln in lines],
            "Payer": [ln.payer for ln in lines],
            "Memo": [ln.memo for ln in lines],
            "BankRef": [ln.bank_ref for ln in lines],
            "Account": [account_for(ln.account).iban for ln in lines],
            "SourceFile": [ln.source for ln in lines],
        }
    )
    frame["LineID"] = line_ids(frame, frame["SourceFile"])
    if frame["LineID"].duplicated().any():
        raise AssertionError("generated bank lines share a LineID")  # a generator bug, never user data
    rows = [
        (
            lid,
            ledger.number[inv] if inv >= 0 else "",
            ledger.customer_ids[c] if c >= 0 else "",
            cents,
            kind,
            ln.situation,
        )
        for lid, ln in zip(frame["LineID"].tolist(), lines, strict=True)
        for inv, c, cents, kind in ln.truth
    ]
    truth = pd.DataFrame(rows, columns=["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Situation"])
    return conform(frame, "BankLines"), conform_truth(truth)
