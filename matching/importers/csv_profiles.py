"""Column profiles for bank CSV exports: a new bank's layout is data, not code.

A profile names, for each role a column can play, the header texts that play it. Header
texts are compared normalised (case, accents, spaces and punctuation ignored, a trailing
"(EUR)" dropped), and may end in `*` to take every numbered column ("VWZ*" is VWZ1..VWZ14).
The `memo` role joins all its columns; every other role takes the column whose header comes
first in the profile's list.

`GENERIC` knows the usual names in English, German, French and Chinese (SPEC §3). A bank
profile says only what differs from it and a `signature` of headers that identify the
bank; roles it leaves empty fall back to GENERIC's names. Adding a bank is a few lines:

    CsvProfile("mybank", signature=("Buchung", "Gegenkonto"), payer=("Gegenkonto Name",))
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "GENERIC",
    "PROFILES",
    "ROLES",
    "CsvProfile",
    "Layout",
    "header_score",
    "layout_for",
    "normalise_name",
]

ROLES = (
    "date",
    "amount",
    "debit",
    "credit",
    "sign",
    "currency",
    "payer",
    "memo",
    "bankref",
    "account",
    "balance",
)


@dataclass(frozen=True)
class CsvProfile:
    name: str
    signature: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()  # one signed column
    debit: tuple[str, ...] = ()  # money out, written positive or negative
    credit: tuple[str, ...] = ()  # money in
    sign: tuple[str, ...] = ()  # a column of S/H, D/C, Debit/Credit, 借/贷 beside an unsigned amount
    currency: tuple[str, ...] = ()
    payer: tuple[str, ...] = ()
    memo: tuple[str, ...] = ()
    bankref: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    balance: tuple[str, ...] = ()  # the running balance after each line, held to the amounts
    date_order: str | None = None  # fixed by the bank; None: decided per file (see columns.py)


@dataclass(frozen=True)
class Layout:
    """Where each role's column(s) sit in one file's header (column positions); `headers` as written."""

    profile: str
    columns: dict[str, tuple[int, ...]]
    headers: tuple[str, ...]

    def one(self, role: str) -> int | None:
        found = self.columns.get(role, ())
        return found[0] if found else None


GENERIC = CsvProfile(
    "generic",
    date=(
        "Booking date",
        "Buchungstag",
        "Buchungsdatum",
        "Date",
        "Datum",
        "Transaction date",
        "Posting date",
        "Date comptable",
        "Date de comptabilisation",
        "Date d'opération",
        "Date operation",
        "交易日期",
        "记账日期",
        "入账日期",
        "交易时间",
        "日期",
        "Value date",
        "Valuta",
        "Valutadatum",
        "Wertstellung",
        "Date de valeur",
        "起息日",
    ),
    amount=("Amount", "Betrag", "Umsatz", "Montant", "Transaction amount", "金额", "交易金额", "发生额"),
    debit=(
        "Debit",
        "Debit amount",
        "Withdrawal",
        "Withdrawals",
        "Money out",
        "Paid out",
        "Soll",
        "Ausgang",
        "Belastung",
        "Débit",
        "支出金额",
        "支出",
        "借方金额",
        "借方发生额",
    ),
    credit=(
        "Credit",
        "Credit amount",
        "Deposit",
        "Deposits",
        "Money in",
        "Paid in",
        "Haben",
        "Eingang",
        "Gutschrift",
        "Crédit",
        "收入金额",
        "收入",
        "存入",
        "贷方金额",
        "贷方发生额",
    ),
    sign=("Soll/Haben", "S/H", "Debit/Credit", "D/C", "Cr/Dr", "借贷标志", "收支"),
    currency=("Currency", "Währung", "Waehrung", "Monnaie", "Monn.", "Devise", "Ccy", "币种", "货币"),
    payer=(
        "Payer",
        "Payer name",
        "Counterparty",
        "Counterparty name",
        "Auftraggeber",
        "Auftraggeber/Empfänger",
        "Empfänger/Auftraggeber",
        "Zahlungspflichtiger",
        "Beguenstigter/Zahlungspflichtiger",
        "Name Zahlungsbeteiligter",
        "Gegenpartei",
        "Remitter",
        "Ordering party",
        "Name",
        "Donneur d'ordre",
        "对方户名",
        "对方名称",
        "交易对方",
        "付款人",
        "付款方",
    ),
    memo=(
        "Memo",
        "Remittance",
        "Remittance information",
        "Verwendungszweck*",
        "VWZ*",
        "Purpose",
        "Reason",
        "Description",
        "Details",
        "Payment details",
        "Narrative",
        "Libellé",
        "Communication",
        "Motif",
        "摘要",
        "附言",
        "交易附言",
        "用途",
        "备注",
    ),
    bankref=(
        "Reference",
        "Bank reference",
        "Referenz",
        "Kundenreferenz",
        "Transaction ID",
        "Transaction reference",
        "End-to-end reference",
        "SEPA reference",
        "N° de transaction",
        "Référence",
        "CheckNumber",
        "Check number",
        "流水号",
        "交易流水号",
        "凭证号",
        "交易参考号",
    ),
    account=(
        "Account",
        "Account number",
        "Kontonummer",
        "Konto",
        "Auftragskonto",
        "Compte",
        "账号",
        "本方账号",
    ),
    balance=(
        "Balance",
        "Running balance",
        "RunningBalance",
        "Saldo",
        "Kontostand",
        "Saldo nach Buchung",
        "Solde",
        "账户余额",
        "余额",
        "交易后余额",
    ),
)

PROFILES: tuple[CsvProfile, ...] = (
    # UBS (CH, French): "Description" is the product; 1..3 carry the transfer, 2 the counterparty.
    CsvProfile(
        "ubs_ch_fr",
        signature=("Produit", "Monn.", "Description 1", "Solde"),
        payer=("Description 2",),
        memo=("Description 1", "Description 2", "Description 3"),
        account=("Produit",),
        date_order="dmy",
    ),
    GENERIC,
)

_PAREN_SUFFIX = re.compile(r"\s*[(\[].*?[)\]]\s*$")


@lru_cache(maxsize=4096)
def normalise_name(text: str) -> str:
    """Header text as compared: no accents, case, spaces, punctuation or "(EUR)" suffix."""
    text = _PAREN_SUFFIX.sub("", text.strip().lstrip("\ufeff"))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def _matches(pattern: str, header: str) -> bool:
    if pattern.endswith("*"):
        return fnmatch.fnmatchcase(header, normalise_name(pattern[:-1]) + "*")
    return header == normalise_name(pattern)


def _signature_ok(profile: CsvProfile, headers: list[str]) -> bool:
    return all(normalise_name(s) in headers for s in profile.signature)


def layout_for(cells: list[str]) -> Layout | None:
    """The first profile whose signature fits this header row, with its columns located;
    None when no profile fits or no cell names a date column (then the row is no header)."""
    headers = [normalise_name(c) for c in cells]
    if not any(h in _DATE_NAMES or h.startswith(_DATE_PREFIXES) for h in headers if h):
        return None  # most rows tried are data or preamble: settled without locating each role
    for profile in PROFILES:
        if _signature_ok(profile, headers):
            return _locate(profile, headers, tuple(c.strip().lstrip("\ufeff") for c in cells))
    return None


def _locate(profile: CsvProfile, headers: list[str], written: tuple[str, ...]) -> Layout:
    """Each role's column(s). Roles the bank profile names claim columns before generic names;
    the memo comes last and may share a column (UBS's counterparty is also memo text)."""
    taken: set[int] = set()
    columns: dict[str, tuple[int, ...]] = {}
    own = {role: getattr(profile, role) for role in ROLES}
    for role in sorted(ROLES, key=lambda r: (r == "memo", not own[r])):
        names = own[role] or getattr(GENERIC, role)
        if role == "memo":
            found = tuple(
                i
                for i, h in enumerate(headers)
                if h and (own[role] or i not in taken) and any(_matches(n, h) for n in names)
            )
        else:
            found = next(
                (
                    (i,)
                    for n in names
                    for i, h in enumerate(headers)
                    if h and i not in taken and _matches(n, h)
                ),
                (),
            )
            taken.update(found)
        if found:
            columns[role] = found
    return Layout(profile.name, columns, written)


_ANY_DATE = [n for profile in PROFILES for n in profile.date or GENERIC.date]
_DATE_NAMES = frozenset(normalise_name(n) for n in _ANY_DATE if not n.endswith("*"))
_DATE_PREFIXES = tuple(normalise_name(n[:-1]) for n in _ANY_DATE if n.endswith("*"))


def header_score(layout: Layout) -> int:
    """How convincingly a row is a header: 0 unless it has a date and an amount of some kind."""
    cols = layout.columns
    has_amount = "amount" in cols or "credit" in cols or "debit" in cols
    if "date" not in cols or not has_amount:
        return 0
    return sum(len(v) for v in cols.values())
