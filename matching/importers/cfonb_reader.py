"""CFONB 120 statements of French banks (relevé de compte, 120-character records).

01 is the old balance (ancien solde), 04 a movement, 05 a complement of the movement
before it (qualifier NPY the payer's name, LIB more text, RCN/REF references), 07 the new
balance. Amounts are 14 digits whose last character carries the sign too ("{" and A-I
positive 0-9, "}" and J-R negative 0-9), with the number of decimals in position 20.
Refused at the line that shows it: an unknown record or one cut short, a movement outside
an account's 01 and 07, an old balance plus movements that is not the new balance, a file
that ends before its 07 (cut short). See fixedwidth for why this reader is declared here.
"""

from __future__ import annotations

import pandas as pd

from common.errors import BankFileError

from .fixedwidth import Field, cut, records
from .model import PARSED_COLUMNS, Parsed, check_amount, check_balanced

__all__ = ["CfonbImporter"]

_BALANCE = (
    Field("bank", 3, 7),
    Field("branch", 12, 16),
    Field("currency", 17, 19),
    Field("decimals", 20, 20, "digits"),
    Field("account", 22, 32),
    Field("date", 35, 40, "date"),
    Field("amount", 91, 104),
)
_MOVEMENT = (
    *_BALANCE[:5],
    Field("operation", 33, 34),
    Field("date", 35, 40, "date"),
    Field("value_date", 43, 48, "blankdate"),
    Field("label", 49, 79),
    Field("entry", 82, 88),
    Field("amount", 91, 104),
    Field("reference", 105, 120),
)
_COMPLEMENT = (Field("qualifier", 46, 48), Field("text", 49, 118))
_OVERPUNCH = {c: (1, i) for i, c in enumerate("{ABCDEFGHI")} | {
    c: (-1, i) for i, c in enumerate("}JKLMNOPQR")
}


class CfonbImporter:
    name = "cfonb"

    def accepts(self, head: str) -> bool:
        first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
        return first.startswith("01") and len(first) == 120 and first[103] in _OVERPUNCH

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        lines = records(data)
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        head: dict[str, object] | None = None
        for number, line in enumerate(lines, start=1):
            code = line[:2]
            if not line.strip():
                continue  # blank lines between records (some banks' files have them) hold nothing
            if code == "01":
                if head is not None:
                    raise BankFileError(
                        source,
                        number,
                        "an old balance (01) before the new balance (07) of the account before",
                    )
                head = cut(line, _BALANCE, source, number, "old balance (01)")
                head["cents"] = _cents(
                    str(head["amount"]), int(head["decimals"]), source, number, "old balance"
                )  # type: ignore[call-overload]
                head["start"] = len(rows)
            elif code == "04":
                if head is None:
                    raise BankFileError(
                        source, number, "a movement (04) outside an account's old (01) and new (07) balance"
                    )
                mv = cut(line, _MOVEMENT, source, number, "movement (04)")
                rows.append(
                    {
                        "Date": pd.Timestamp(mv["date"]),
                        "Amount": _cents(
                            str(mv["amount"]), int(mv["decimals"]), source, number, "movement amount"
                        ),  # type: ignore[call-overload]
                        "Currency": str(mv["currency"]),
                        "Payer": "",
                        "Memo": str(mv["label"]),
                        "BankRef": str(mv["reference"]) or str(mv["entry"]),
                        "Account": str(mv["account"]),
                        "Note": "",
                        "Statement": len(statements),
                    }
                )
            elif code == "05":
                if head is None or len(rows) <= int(head["start"]):  # type: ignore[call-overload]
                    raise BankFileError(
                        source, number, "a complement (05) without the movement (04) it completes"
                    )
                more = cut(line, _COMPLEMENT, source, number, "complement (05)")
                if more["qualifier"] == "NPY" and not rows[-1]["Payer"]:
                    rows[-1]["Payer"] = more["text"]
                else:
                    rows[-1]["Memo"] = " ".join(filter(None, [str(rows[-1]["Memo"]), str(more["text"])]))
            elif code == "07":
                if head is None:
                    raise BankFileError(source, number, "a new balance (07) without its old balance (01)")
                tail = cut(line, _BALANCE, source, number, "new balance (07)")
                closing = _cents(str(tail["amount"]), int(tail["decimals"]), source, number, "new balance")  # type: ignore[call-overload]
                mine = rows[int(head["start"]) :]  # type: ignore[call-overload]
                total = sum(int(r["Amount"]) for r in mine)  # type: ignore[call-overload]
                account = f"{head['bank']}{head['branch']}{head['account']}"
                check_balanced(source, number, account, account, int(head["cents"]), total, closing)  # type: ignore[call-overload]
                for row in mine:
                    row["Account"] = account
                statements.append(
                    {
                        "Key": (
                            "cfonb",
                            account,
                            str(head["date"]),
                            str(tail["date"]),
                            head["cents"],
                            closing,
                        ),
                        "Account": account,
                        "Currency": str(head["currency"]),
                        "FromDate": pd.Timestamp(head["date"]),  # type: ignore[arg-type]
                        "ToDate": pd.Timestamp(tail["date"]),  # type: ignore[arg-type]
                        "OpeningBalance": head["cents"],
                        "ClosingBalance": closing,
                        "Lines": len(mine),
                    }
                )
                head = None
            else:
                raise BankFileError(
                    source, number, f"not a CFONB 120 record (code {code!r}; expected 01, 04, 05 or 07)"
                )
        if head is not None or not statements:
            raise BankFileError(
                source, len(lines), "the file ends before the account's new balance (07): it was cut short"
            )
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _cents(field: str, decimals: int, source: str, line: int, what: str) -> int:
    """Cents of a 14-character CFONB amount whose last character is a sign-and-digit."""
    digits, last = field[:-1], field[-1:]
    if not digits.isdigit() or last not in _OVERPUNCH or decimals > 2:
        raise BankFileError(
            source,
            line,
            f"{what}: expected 13 digits and a sign character such as 'A' or '}}', got {field!r}",
        )
    sign, unit = _OVERPUNCH[last]
    value = int(digits) * 10 + unit
    return check_amount(sign * value * 10 ** (2 - decimals), source, line, what)
