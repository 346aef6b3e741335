"""Bank credits that must not be matched: money that is not a customer receipt, and copies.

A tax refund of exactly 1,190.00 is not the payment of invoice INV-412 for 1,190.00, however
well the amount fits. Such lines are recognised from the words banks, authorities and
customers write (vocabulary.py: interest, refunds, rebates, loans, deposits, insurance and
tax refunds, card and payment-provider payouts, own transfers, in English, German, French
and Chinese, plus the company's own words) or from the payer being the company itself, and
are kept out of matching altogether. Two exceptions keep receipts in: a word from the
payer's name does not count when the payer is one of the customers by name ("Bonus Markt
GmbH" pays invoices), and a payment-provider word does not count when the memo names one of
our invoices by its number (a customer paying through PayPal).

The same transfer imported twice (from the CSV export and the MT940 file, say) is found by
account, date, amount and bank reference (or memo and payer when there is none); only the
first copy is matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from anyascii import anyascii

from matching.matcher.names import name_keys
from matching.matcher.vocabulary import MEANINGS, Vocabulary, fold

__all__ = ["Screened", "duplicate_of", "eligible", "non_receipt", "screening_notes"]

_NOTES_SHOWN = 20  # lines named one by one in the run's notes; the rest are counted


def _ascii_upper(series: pd.Series) -> pd.Series:
    """Upper case, non-ASCII letters transliterated (only those strings pay for anyascii)."""
    text = series.fillna("").astype(str)
    plain = text.map(str.isascii)
    out = text.str.upper()
    out[~plain] = text[~plain].map(lambda t: anyascii(t).upper())
    return out


def non_receipt(
    lines: pd.DataFrame,
    words: Vocabulary,
    company_name: str,
    *,
    known_payer: pd.Series | None = None,
    invoice_named: pd.Series | None = None,
) -> pd.Series:
    """Per line, why it is not a customer receipt ("" when it may be one).

    Looks at Memo and Payer; a payer equal to `company_name` (normalised) is an own transfer.
    `known_payer` (per line: the payer is a customer's name or alias) and `invoice_named` (the
    memo names one of our invoices by its number) are the two exceptions the module explains.
    """
    payers, memos = lines["Payer"].fillna("").astype(str), lines["Memo"].fillna("").astype(str)
    reason = pd.Series("", index=lines.index, dtype=object)
    text = payers + " | " + memos
    suspect = text.map(fold).str.contains(words.any_folded)
    if words.any_raw is not None:
        suspect |= text.str.contains(words.any_raw)
    known = known_payer.reindex(lines.index, fill_value=False) if known_payer is not None else None
    named = invoice_named.reindex(lines.index, fill_value=False) if invoice_named is not None else None
    for pos in lines.index[suspect.to_numpy()]:
        meaning = words.not_receipt(
            memos[pos], payers[pos], payer_counts=known is None or not bool(known[pos])
        )
        if meaning == "provider" and named is not None and bool(named[pos]):
            meaning = ""
        reason[pos] = MEANINGS[meaning] if meaning else ""
    if company_name.strip():
        own = name_keys(pd.Series([company_name]))["key"].iloc[0]
        payer = name_keys(lines["Payer"])["key"]
        reason[(payer == own) & (reason == "") & (own != "")] = MEANINGS["own"]
    return reason


def _squeeze(series: pd.Series) -> pd.Series:
    return _ascii_upper(series).str.replace(r"[^A-Z0-9]", "", regex=True)


def duplicate_of(lines: pd.DataFrame) -> pd.Series:
    """Per line, the LineID of an earlier copy of the same transfer ("" when it is the first).

    Two lines are one transfer when account, date, amount and bank reference agree (memo and
    payer when the reference is empty) and they came from different files: the same file
    listing two equal payments means two payments.
    """
    ref = _squeeze(lines["BankRef"]) if "BankRef" in lines else pd.Series("", index=lines.index)
    alt = _squeeze(lines["Memo"]).str[:60] + "/" + _squeeze(lines["Payer"]).str[:20]
    key = pd.DataFrame(
        {
            "account": _squeeze(lines["Account"]) if "Account" in lines else "",
            "date": pd.to_datetime(lines["Date"]).dt.normalize(),
            "amount": lines["Amount"].astype("Int64"),
            "ref": ref.where(ref != "", alt),
        },
        index=lines.index,
    )
    source = (
        lines["SourceFile"].fillna("").astype(str)
        if "SourceFile" in lines
        else pd.Series("", index=lines.index)
    )
    gid = key.groupby(["account", "date", "amount", "ref"], sort=False, dropna=False).ngroup().to_numpy()
    order = np.arange(len(lines))
    first = pd.Series(order).groupby(gid).transform("min").to_numpy()
    src = source.to_numpy()
    duplicate = (first != order) & ((src != src[first]) | (src == ""))
    ids = lines["LineID"].fillna("").astype(str).to_numpy()[first]
    return pd.Series(np.where(duplicate, ids, ""), index=lines.index, dtype=object)


@dataclass(frozen=True)
class Screened:
    """Per line (the run's positions): which copy it repeats, why it is not a receipt, and who is left."""

    duplicate: pd.Series  # LineID of the earlier copy, "" for none
    not_receipt: pd.Series  # what the line looks like instead, "" for a possible receipt
    todo: pd.DataFrame  # the lines to match


def eligible(lines: pd.DataFrame, held: set[str], as_of: date | None) -> tuple[pd.Series, pd.Series]:
    """(duplicate, eligible) per line: credits with money left to match, dated up to `as_of`,
    that are not copies nor `held` (lines whose approved proposal waits to be posted)."""
    duplicate = duplicate_of(lines)
    ok = (
        (lines["Amount"] > 0)
        & (lines["Status"] != "Ignored")
        & (lines["LineID"] != "")
        & (lines["remaining"] > 0)
        & (duplicate == "")
        & ~lines["LineID"].isin(held)
    )
    if as_of is not None:
        ok &= lines["Date"] <= pd.Timestamp(as_of)
    return duplicate, ok


def screening_notes(lines: pd.DataFrame, screened: Screened) -> list[str]:
    """What the clerk should know about the lines left out: copies and non-receipts, by LineID."""
    duplicate, not_receipt = screened.duplicate, screened.not_receipt
    notes = []
    open_lines = (lines["Amount"] > 0) & (lines["remaining"] > 0) & (lines["Status"] != "Ignored")
    for pos in lines.index[(duplicate != "") & open_lines][:_NOTES_SHOWN]:
        notes.append(
            f"BankLines line {lines.at[pos, 'LineID']} looks like a second copy of line "
            f"{duplicate[pos]} (same account, date, amount and reference); not matched"
        )
    skipped = (not_receipt != "") & open_lines
    for pos in lines.index[skipped][:_NOTES_SHOWN]:
        notes.append(
            f"BankLines line {lines.at[pos, 'LineID']} looks like {not_receipt[pos]}, "
            "not a customer payment; left unmatched"
        )
    if skipped.sum() > _NOTES_SHOWN:
        notes.append(f"... and {int(skipped.sum()) - _NOTES_SHOWN} more lines that are not customer payments")
    return notes
