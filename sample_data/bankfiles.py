"""The month's bank lines as the statement files a bank really delivers.

MT940 (one file per MT940 account, one statement per booking day): German SEPA style,
`:86:` with `?00` posting text, `?20..?29` remittance subfields (`EREF+`, `SVWZ+`),
`?30/?31` the payer's bank and account, `?32/?33` the payer's name (subfields cut at 27
characters, mid-word, as banks do; physical lines wrapped at 65); amounts with a
decimal comma; each statement's closing balance is its opening plus its lines, and the
next day opens where the last one closed.

CSV (the savings bank's online-banking export, and the main account's one-off export
that repeats a few transfers): `;`-delimited, every field quoted, German headers
(Buchungstag;...;Betrag), dates as 31.10.2026, amounts as -1.234,56, UTF-8 with a BOM.

The files carry exactly the frame's Date, Amount, Currency, Payer, Memo, BankRef and
Account, so reading them back reproduces `company.bank_lines` (a test holds this).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sample_data.company import ACCOUNTS, Account

if TYPE_CHECKING:
    from sample_data.generator import SampleCompany

__all__ = ["CSV_HEADER", "write_bank_files"]

CSV_HEADER = (
    "Auftragskonto",
    "Buchungstag",
    "Valutadatum",
    "Buchungstext",
    "Verwendungszweck",
    "Auftraggeber",
    "IBAN Auftraggeber",
    "BIC Auftraggeber",
    "Betrag",
    "Währung",
    "Referenz",
)
_SUBFIELD = 27
_LINE = 65


def write_bank_files(company: SampleCompany, directory: Path) -> list[Path]:
    """Write the month's statement files into `directory`; return their paths (sorted)."""
    directory.mkdir(parents=True, exist_ok=True)
    by_iban = {a.iban: a for a in ACCOUNTS}
    paths = []
    for source, lines in company.bank_lines.groupby("SourceFile", sort=True):
        path = directory / str(source)
        if path.suffix == ".sta":
            path.write_bytes(_mt940(lines, by_iban[lines["Account"].iloc[0]]).encode("ascii"))
        else:
            path.write_bytes(_csv(lines).encode("utf-8-sig"))
        paths.append(path)
    return paths


def _money(cents: int) -> str:
    return f"{abs(cents) // 100},{abs(cents) % 100:02d}"


def _german_money(cents: int) -> str:
    whole = f"{abs(cents) // 100:,}".replace(",", ".")
    return f"{'-' if cents < 0 else ''}{whole},{abs(cents) % 100:02d}"


def _fixed(text: str, width: int) -> list[str]:
    """Subfield pieces as banks cut them: every piece full width, words cut anywhere."""
    return [text[i : i + width] for i in range(0, len(text), width)]


def _chunks(text: str, width: int) -> list[str]:
    """Physical lines of at most `width` characters, never cut next to a space or before - or :.

    Readers strip line ends and take a line starting with "-" or ":" for a new tag, so a cut
    is moved left until both sides are ordinary characters; lines rejoin without a space.
    """
    out, start = [], 0
    while len(text) - start > width:
        cut = start + width
        while cut > start + 1 and (text[cut - 1] == " " or text[cut] in " -:"):
            cut -= 1
        if cut == start + 1:
            cut = start + width
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def _counter_account(payer: str, currency: str) -> tuple[str, str]:
    digest = int(hashlib.blake2b(payer.encode(), digest_size=8).hexdigest(), 16)
    if currency == "EUR":
        return (
            "COBADEFFXXX" if digest % 3 == 0 else "DEUTDEFFXXX",
            f"DE{digest % 89 + 10}{digest % 10**18:018d}",
        )
    return "CITIUS33XXX" if currency == "USD" else "BARCGB22XXX", f"{digest % 10**12:012d}"


def _details(amount: int, memo: str, payer: str, currency: str) -> str:
    credit = amount > 0
    if not credit:
        gvc, posting = "177", "SEPA-UEBERWEISUNG"
    elif currency == "EUR":
        gvc, posting = "166", "SEPA-GUTSCHRIFT"
    else:
        gvc, posting = "202", "AUSLANDSZAHLUNG"
    purpose = _fixed(f"SVWZ+{memo}", _SUBFIELD) if memo else []
    fields = [f"{gvc}?00{posting}?10{931 if credit else 9248}", "?20EREF+NOTPROVIDED"]
    fields += [f"?{21 + i}{piece}" for i, piece in enumerate(purpose[:9])]
    bic, iban = _counter_account(payer, currency)
    fields += [f"?30{bic}", f"?31{iban}"]
    name = _fixed(payer, _SUBFIELD) if payer else []
    fields += [f"?{32 + i}{piece}" for i, piece in enumerate(name[:2])]
    fields.append("?34997")
    return "".join(fields)


def _columns(lines: pd.DataFrame) -> zip:
    return zip(
        lines["Date"].dt.date.tolist(),
        lines["Amount"].astype("int64").tolist(),
        lines["Memo"].tolist(),
        lines["Payer"].tolist(),
        lines["BankRef"].tolist(),
        lines["Account"].tolist(),
        lines["Currency"].tolist(),
        strict=True,
    )


def _mt940(lines: pd.DataFrame, account: Account) -> str:
    out: list[str] = []
    balance = account.opening_balance
    day_before = None
    number = 0
    for day, cents, memo, payer, bank_ref, _, _ in _columns(lines.sort_values("Date", kind="stable")):
        if day != day_before:
            if day_before is not None:
                out += [_balance_line("62F", day_before, account.currency, balance), "-"]
            number += 1
            out += [
                f":20:NW{day:%y%m%d}{number:04d}",
                f":25:{account.iban}",
                f":28C:{number:05d}/001",
                _balance_line("60F", day, account.currency, balance),
            ]
            day_before = day
        out.append(f":61:{day:%y%m%d%m%d}{'C' if cents > 0 else 'D'}{_money(cents)}NTRFNONREF//{bank_ref}")
        pieces = _chunks(_details(cents, memo, payer, account.currency), _LINE - 4)
        out.append(":86:" + pieces[0])
        out += pieces[1:]
        balance += cents
    if day_before is not None:
        out += [_balance_line("62F", day_before, account.currency, balance), "-"]
    return "\r\n".join(out) + "\r\n"


def _balance_line(tag: str, day: object, currency: str, cents: int) -> str:
    return f":{tag}:{'C' if cents >= 0 else 'D'}{day:%y%m%d}{currency}{_money(cents)}"


def _csv(lines: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for day, cents, memo, payer, bank_ref, account, currency in _columns(lines):
        if cents < 0:
            text = "ONLINE-UEBERWEISUNG"
        elif payer.startswith("Nordwerk"):
            text = "UMBUCHUNG"
        else:
            text = "GUTSCHR. UEBERWEISUNG"
        bic, iban = _counter_account(payer, currency)
        when = f"{day:%d.%m.%Y}"
        writer.writerow(
            [account, when, when, text, memo, payer, iban, bic, _german_money(cents), currency, bank_ref]
        )
    return buffer.getvalue()
