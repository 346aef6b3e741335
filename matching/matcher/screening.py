"""Bank credits that must not be matched: money that is not a customer receipt, and copies.

A tax refund of exactly 1,190.00 is not the payment of invoice INV-412 for 1,190.00, however
well the amount fits. Such lines are recognised from the words banks and authorities write
(refund, interest, tax office, own transfer, in English, German, French and Chinese) or from
the payer being the company itself, and are kept out of matching altogether.

The same transfer imported twice (from the CSV export and the MT940 file, say) is found by
account, date, amount and bank reference (or memo and payer when there is none); only the
first copy is matched.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from anyascii import anyascii

from matching.matcher.names import name_keys

__all__ = ["duplicate_of", "non_receipt"]

_NOT_RECEIPTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        (
            "a refund",
            r"\b(?:REFUND|RUE?CKERSTATTUNG|ERSTATTUNG|REMBOURSEMENT|RETOURE|GUTSCHRIFT RETOUR"
            r"|RUE?CKSENDUNG|WARENRUE?CKSENDUNG|GUTSCHRIFT ZU(?:R| IHRER)? RECHNUNG|RETURNED GOODS)\b|退款",
        ),
        ("interest", r"\b(?:INTEREST|HABENZINS(?:EN)?|ZINSGUTSCHRIFT|ZINSEN|INTERETS)\b|利息"),
        (
            "a tax payment",
            r"\b(?:TAX REFUND|VAT REFUND|STEUERERSTATTUNG|FINANZAMT|BUNDESKASSE|HMRC|IRS TREAS"
            r"|TAX OFFICE|STEUER|UST[- ]?ERSTATTUNG|IMPOTS)\b|退税|税务",
        ),
        (
            "a transfer between own accounts",
            r"\b(?:OWN TRANSFER|INTERNAL TRANSFER|UMBUCHUNG|UEBERTRAG"
            r"|UBERTRAG|EIGENUEBERTRAG|KONTOUEBERTRAG|VIREMENT INTERNE)\b|内部转账",
        ),
        ("a dividend or loan", r"\b(?:DIVIDEND|DIVIDENDE|DARLEHEN|LOAN DISBURSEMENT|KREDITAUSZAHLUNG)\b"),
        (
            "cashback or insurance",
            r"\b(?:CASHBACK|VERSICHERUNGSLEISTUNG|INSURANCE CLAIM|SCHADENREGULIERUNG)\b",
        ),
        ("salary or a grant", r"\b(?:GEHALT|SALARY|PAYROLL|FOERDERMITTEL|ZUSCHUSS|SUBSIDY)\b"),
    )
)


_ANY_NOT_RECEIPT = re.compile("|".join(f"(?:{p.pattern})" for _, p in _NOT_RECEIPTS))


def _ascii_upper(series: pd.Series) -> pd.Series:
    """Upper case, non-ASCII letters transliterated (only those strings pay for anyascii)."""
    text = series.fillna("").astype(str)
    plain = text.map(str.isascii)
    out = text.str.upper()
    out[~plain] = text[~plain].map(lambda t: anyascii(t).upper())
    return out


def non_receipt(lines: pd.DataFrame, company_name: str = "") -> pd.Series:
    """Per line, why it is not a customer receipt ("" when it may be one).

    Looks at Memo and Payer; a payer equal to `company_name` (normalised) is an own transfer.
    """
    text = lines["Payer"].fillna("").astype(str) + " | " + lines["Memo"].fillna("").astype(str)
    upper = _ascii_upper(text) + " " + text
    reason = pd.Series("", index=lines.index, dtype=object)
    suspect = upper[upper.str.contains(_ANY_NOT_RECEIPT)]  # one pass over all lines, then the few hits
    for label, pattern in _NOT_RECEIPTS:
        hit = suspect.index[suspect.str.contains(pattern)]
        reason[hit] = reason[hit].where(reason[hit] != "", label)
    if company_name.strip():
        own = name_keys(pd.Series([company_name]))["key"].iloc[0]
        payer = name_keys(lines["Payer"])["key"]
        reason[(payer == own) & (reason == "") & (own != "")] = "a transfer between own accounts"
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
