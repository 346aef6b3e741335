"""A corpus of malformed bank files, made from three small valid seeds by rules whose
expected refusal line follows from the rule, not from what the importer says.

Each case is (name, bytes, line, fragment): the file must be refused naming `line` of it,
with `fragment` in the reason. The seeds are valid and balanced (a test holds them to it),
so a case fails only for the fault it was given:

- cut short at many points: the true line is the one the cut falls in (an MT940 or a CAMT
  file cut short ends inside a field or an element; a CSV one inside its last row);
- amounts no money can be (1e308, 10^20, NaN), malformed, negative where the format has a
  sign of its own, or changed so the statement no longer reconciles;
- unknown, missing, doubled or misplaced MT940 tags, bad dates, bad statement numbers;
- CSV rows with bad cells, extra fields, an unclosed quote, a running balance that breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["CAMT_SEED", "CSV_SEED", "MT940_SEED", "cases"]

MT940_SEED = (
    ":20:STMT-1\n"  # 1
    ":25:DE44500105175407324931\n"  # 2
    ":28C:00001/001\n"  # 3
    ":60F:C261101EUR1000,00\n"  # 4
    ":61:2611021102C717,55NTRFNONREF//BANK1\n"  # 5
    "RECHNUNG 1001\n"  # 6
    ":86:166?00GUTSCHRIFT?20EREF+INV-1001?21SVWZ+Rechnung 1001?32ACME GMBH\n"  # 7
    ":61:2611031103D25,00NMSCNONREF\n"  # 8
    ":86:GEBUEHR\n"  # 9
    "KONTOFUEHRUNG\n"  # 10
    ":62F:C261103EUR1692,55\n"  # 11
    "-\n"  # 12
    ":20:STMT-2\n"  # 13
    ":25:DE44500105175407324931\n"  # 14
    ":28C:00002/001\n"  # 15
    ":60F:C261103EUR1692,55\n"  # 16
    ":61:2611041104C120,00NTRFNONREF\n"  # 17
    ":86:166?20SVWZ+Rechnung 1002?32BETA AG\n"  # 18
    ":62F:C261104EUR1812,55\n"  # 19
    ":64:C261104EUR1812,55\n"  # 20
    "-\n"  # 21
)


def _camt_entry(amount: str, mark: str, day: str, ref: str, details: str = "") -> str:
    return (
        f'<Ntry>\n<Amt Ccy="EUR">{amount}</Amt>\n<CdtDbtInd>{mark}</CdtDbtInd>\n<Sts>BOOK</Sts>\n'
        f"<BookgDt><Dt>{day}</Dt></BookgDt>\n<AcctSvcrRef>{ref}</AcctSvcrRef>\n{details}</Ntry>\n"
    )


def _camt_detail(amount: str, payer: str, text: str) -> str:
    return (
        f'<TxDtls>\n<Amt Ccy="EUR">{amount}</Amt>\n<CdtDbtInd>CRDT</CdtDbtInd>\n'
        f"<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>\n<RmtInf><Ustrd>{text}</Ustrd></RmtInf>\n</TxDtls>\n"
    )


def _camt_balance(code: str, amount: str, day: str) -> str:
    return (
        f"<Bal>\n<Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>\n"
        f'<Amt Ccy="EUR">{amount}</Amt>\n<CdtDbtInd>CRDT</CdtDbtInd>\n<Dt><Dt>{day}</Dt></Dt>\n</Bal>\n'
    )


CAMT_SEED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n'
    "<BkToCstmrStmt>\n<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-30T18:00:00</CreDtTm></GrpHdr>\n"
    "<Stmt>\n<Id>STMT-2026-11</Id>\n<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
    + _camt_balance("OPBD", "1000.00", "2026-11-01")
    + _camt_balance("CLBD", "1812.55", "2026-11-30")
    + _camt_entry(
        "717.55",
        "CRDT",
        "2026-11-02",
        "E1",
        "<NtryDtls>\n"
        + _camt_detail("700.00", "ACME GmbH", "Invoice 1001")
        + _camt_detail("17.55", "Beta AG", "Invoice 1002")
        + "</NtryDtls>\n",
    )
    + _camt_entry("25.00", "DBIT", "2026-11-03", "E2")
    + _camt_entry("120.00", "CRDT", "2026-11-04", "E3")
    + "</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
)

CSV_SEED = (
    "Kontoauszug;DE44500105175407324931;;;;\n"  # 1
    "Zeitraum;01.11.2026 - 30.11.2026;;;;\n"  # 2
    "Buchungstag;Auftraggeber;Verwendungszweck;Betrag;Währung;Saldo\n"  # 3
    "02.11.2026;ACME GmbH;Rechnung 1001;717,55;EUR;1.717,55\n"  # 4
    "03.11.2026;Stadtwerke;Abschlag;-25,00;EUR;1.692,55\n"  # 5
    '04.11.2026;"Beta AG";"Rechnung 1002";120,00;EUR;1.812,55\n'  # 6
)

_BAD_NUMBERS = ("1e308", "1E20", "100000000000000000000,00", "NaN", "12,3,4", "abc", "--5")


def _line_of(text: str, offset: int) -> int:
    """The line holding the last character before `offset` that is not a line end."""
    return text.count("\n", 0, len(text[:offset].rstrip("\n"))) + 1


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _replace_line(text: str, number: int, new: str | None) -> str:
    lines = _lines(text)
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return "\n".join(lines)


# SWIFT's formats of the fields a cut can leave whole (amounts: digits, a comma, decimals)
_MT940_WHOLE = {
    "60F": re.compile(r"[CD]\d{6}[A-Z]{3}\d+,\d*"),
    "62F": re.compile(r"[CD]\d{6}[A-Z]{3}\d+,\d*"),
    "61": re.compile(r"\d{6}(\d{4})?[CD]\d+,\d*[NFS][A-Z0-9]{3}.*"),
}
_MT940_NEXT = {  # the mandatory field a statement cut after this one's line is left without
    "20": "account :25:",
    "25": "statement number :28C:",
    "28C": "opening balance :60F:",
    "60F": "closing balance :62F:",
    "61": "closing balance :62F:",
    "86": "closing balance :62F:",
}


def _mt940_cut_names(number: int, before: list[str], text: str) -> str:
    """What the refusal of `text`, a file cut on line `number` after the lines `before`, must
    name: the field cut in its value, the mandatory field the statement is then left without,
    or the closing balance that a cut amount no longer reaches."""
    if number == 1:
        return "not a bank statement"  # ':20:ST' alone is no statement of any format
    kept = text.split("\n")[-1]
    field = next(line[1:].partition(":")[0] for line in reversed(before) if line.startswith(":"))
    tag, colon, value = kept[1:].partition(":")
    if not kept.startswith(":") or not colon:  # a continuation line, or a tag cut (':28C')
        # only :61: and :86: go on over lines: anything else is text outside every field
        return "closing balance :62F:" if field in ("61", "86") else "belongs to no field"
    if tag in _MT940_WHOLE and not _MT940_WHOLE[tag].fullmatch(value):
        return f":{tag}:"
    return "closing balance is" if tag == "62F" else f"without its {_MT940_NEXT[tag]}"


def _mt940_cases() -> Iterator[tuple[str, str, int, str]]:
    seed = MT940_SEED
    lines = _lines(seed)
    # a cut between the first statement's closing balance and the second's :20: leaves one
    # whole statement: nothing of it is lost, and MT940 has no file trailer to miss
    whole_first = range(seed.index("\n", seed.index(":62F:")), seed.index(":20:STMT-2") + 1)
    last_amount = seed.index("1812,55\n:64:") + len("1812,55")
    # cut short: inside every line (a third and two thirds of the way) and at every digit of amounts
    offsets: set[int] = set()
    start = 0
    for line in lines:
        if line:
            offsets |= {start + max(1, len(line) // 3), start + max(1, 2 * len(line) // 3)}
        start += len(line) + 1
    offsets |= {m.start() + i for m in re.finditer(r"\d+,\d\d", seed) for i in range(1, len(m[0]))}
    for k in sorted(offsets):
        if k >= last_amount or k in whole_first:
            continue
        line = _line_of(seed, k)
        yield f"mt940_cut_{k}.sta", seed[:k], line, _mt940_cut_names(line, lines[: line - 1], seed[:k])
    # amounts no money can be, in every :61: and balance
    for number, line in enumerate(lines, start=1):
        m = re.match(r"(:61:\d{10}[CD]|:6[02]F:C\d{6}EUR|:64:C\d{6}EUR)(\d+,\d\d)", line)
        if not m:
            continue
        for i, bad in enumerate(_BAD_NUMBERS):
            text = _replace_line(seed, number, m[1] + bad + line[m.end() :])
            yield f"mt940_amount_{number}_{i}.sta", text, number, m[1][: m[1].index(":", 1) + 1]
        text = _replace_line(seed, number, m[1] + "9" * 13 + ",00" + line[m.end() :])
        yield f"mt940_huge_{number}.sta", text, number, "beyond the largest amount"
    # a :61: amount or a balance changed by a cent: the statement no longer reconciles
    for number, closing in ((5, 11), (8, 11), (4, 11), (11, 11), (17, 19), (16, 19), (19, 19)):
        line = lines[number - 1]
        m = re.search(r"(\d+),(\d\d)", line)
        assert m is not None
        cents = int(m[1]) * 100 + int(m[2]) + 1
        text = _replace_line(
            seed, number, line[: m.start()] + f"{cents // 100},{cents % 100:02d}" + line[m.end() :]
        )
        yield f"mt940_unbalanced_{number}.sta", text, closing, "closing balance is"
    # a tag this reader does not know, where a :61: (or any field) stood
    for number, line in enumerate(lines, start=1):
        if line.startswith(":"):
            for tag in ("66", "63", "6X"):
                text = _replace_line(seed, number, f":{tag}:{line.split(':', 2)[2]}")
                yield f"mt940_tag_{tag}_{number}.sta", text, number, "unknown MT940 tag"
    # a mandatory field missing: the statement's :20: line, or its last line for the closing balance
    for number, stmt_line in ((2, 1), (3, 1), (14, 13), (15, 13)):
        text = _replace_line(seed, number, None)
        yield f"mt940_missing_{number}.sta", text, stmt_line, "has no"
    for number in (4, 16):  # no opening balance: the :61: that follows stands outside the statement
        yield f"mt940_missing_{number}.sta", _replace_line(seed, number, None), number, "outside"
    for number, last in ((11, 10), (19, 19)):
        text = _replace_line(seed, number, None)
        yield f"mt940_no_closing_{number}.sta", text, last, "cut short"
    # malformed or misplaced fields: (line replaced, its new text, line refused, fragment)
    for i, (number, value, at, fragment) in enumerate(
        (
            (3, ":28C:ABC/x/y", 3, ":28C:"),
            (15, ":28C:", 15, ":28C:"),
            (1, ":20:", 1, ":20: is empty"),
            (2, ":25:", 2, ":25: is empty"),
            (4, ":60F:C261341EUR1000,00", 4, "not a date"),
            (4, ":60F:X261101EUR1000,00", 4, ":60F:"),
            (4, ":60F:C261101EU1000,00", 4, ":60F:"),
            (5, ":61:", 5, ":61:"),
            (5, ":61:2613021102C717,55NTRFNONREF", 5, "not a date"),
            (5, ":61:2611021102X717,55NTRFNONREF", 5, ":61:"),
            (8, ":61:2611031103D25,00", 8, ":61:"),
            (11, ":62F:C261103EUR", 11, ":62F:"),
            (19, ":62F:C261104EUR1812", 19, ":62F:"),
            (20, ":64:", 20, ":64:"),
            (13, ":20:STMT-2\n:20:STMT-3", 13, "ends without"),
            (4, ":60F:C261101EUR1000,00\n:60F:C261101EUR1000,00", 5, "second opening balance"),
            (11, ":62F:C261103EUR1692,55\n:62F:C261103EUR1692,55", 12, "second closing balance"),
            (11, ":62F:C261103EUR1692,55\n:61:2611031103C1,00NTRFNONREF", 12, "outside"),
            (4, ":61:2611011101C1,00NTRFNONREF\n:60F:C261101EUR1000,00", 4, "outside"),
            (3, ":28C:00001/001\nstray text", 4, "belongs to no field"),
            (12, "-\nstray text", 13, "belongs to no field"),
        )
    ):
        yield f"mt940_field_{i}.sta", _replace_line(seed, number, value), at, fragment
    yield "mt940_tags_only.sta", ":20:\n:25:\n:28C:\n:60F:\n:62F:\n", 1, ":20: is empty"
    yield "mt940_empty_61.sta", seed.replace(":61:2611041104C120,00NTRFNONREF", ":61:"), 17, ":61:"


def _camt_cases() -> Iterator[tuple[str, str, int, str]]:
    seed = CAMT_SEED
    lines = _lines(seed)
    root_end = seed.index("</Document>")
    for k in range(seed.index("<BkToCstmrStmt>") + 3, root_end, 29):
        yield f"camt_cut_{k}.xml", seed[:k], _line_of(seed, k), "not well-formed XML"
    amount_lines = [n for n, line in enumerate(lines, start=1) if line.startswith('<Amt Ccy="EUR">')]
    for number in amount_lines:
        line = lines[number - 1]
        for i, bad in enumerate((*_BAD_NUMBERS, "-5.00", "", "1,00", "12.345", "9" * 13 + ".00")):
            text = _replace_line(seed, number, f'<Amt Ccy="EUR">{bad}</Amt>')
            yield f"camt_amount_{number}_{i}.xml", text, number, "<Amt>"
        assert line.endswith("</Amt>")
    # an amount changed by a cent: a batch whose details no longer add up (at the entry), or a
    # statement that no longer reconciles (at its closing balance)
    closing = next(n for n in amount_lines if lines[n - 1] == '<Amt Ccy="EUR">1812.55</Amt>')
    entry_of = {
        n: max(i for i in range(1, n) if lines[i - 1] == "<Ntry>") for n in amount_lines if n > closing
    }
    for number in amount_lines:
        value = lines[number - 1][len('<Amt Ccy="EUR">') : -len("</Amt>")]
        whole, frac = value.split(".")
        cents = int(whole) * 100 + int(frac) + 1
        text = _replace_line(seed, number, f'<Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt>')
        in_batch = value in ("717.55", "700.00", "17.55")
        expected = entry_of[number] if in_batch else closing
        yield (
            f"camt_off_by_a_cent_{number}.xml",
            text,
            expected,
            "adding up" if in_batch else "closing balance",
        )
    for number, line in enumerate(lines, start=1):
        if line.startswith("<CdtDbtInd>"):
            yield (
                f"camt_mark_{number}.xml",
                _replace_line(seed, number, "<CdtDbtInd>CRDIT</CdtDbtInd>"),
                number - 1,
                "CRDT or DBIT",
            )
        if line.startswith("<BookgDt>"):
            yield (
                f"camt_date_{number}.xml",
                _replace_line(seed, number, "<BookgDt><Dt>2026-02-30</Dt></BookgDt>"),
                number,
                "expected a date",
            )
    yield "camt_version_14.xml", seed.replace("camt.053.001.08", "camt.053.001.14"), 2, "expected a camt"


def _csv_cases() -> Iterator[tuple[str, str, int, str]]:
    seed = CSV_SEED
    lines = _lines(seed)
    for number, cents in ((5, "-25,01"), (6, "210,00")):  # the running balance no longer follows
        cells = lines[number - 1].split(";")
        row = ";".join([*cells[:3], cents, *cells[4:]])
        yield f"csv_amount_changed_{number}.csv", _replace_line(seed, number, row), number, "balance"
    for number in (4, 5, 6):
        cells = lines[number - 1].split(";")
        for i, bad in enumerate(_BAD_NUMBERS):
            row = ";".join([*cells[:3], bad, *cells[4:]])
            yield f"csv_amount_{number}_{i}.csv", _replace_line(seed, number, row), number, "column Betrag"
        row = ";".join([*cells[:3], "9" * 13 + ",00", *cells[4:]])
        yield f"csv_huge_{number}.csv", _replace_line(seed, number, row), number, "beyond the largest amount"
        for i, bad in enumerate(("31.02.2026", "32.11.2026", "2026-13-01", "x", "01.11.1026")):
            row = ";".join([bad, *cells[1:]])
            yield f"csv_date_{number}_{i}.csv", _replace_line(seed, number, row), number, "column Buchungstag"
        yield (
            f"csv_no_amount_{number}.csv",
            _replace_line(seed, number, ";".join([*cells[:3], "", *cells[4:]])),
            number,
            "row has no amount in Betrag",
        )
        yield (
            f"csv_no_date_{number}.csv",
            _replace_line(seed, number, ";".join(["", *cells[1:]])),
            number,
            "row has no date in Buchungstag",
        )
        yield (
            f"csv_wide_{number}.csv",
            _replace_line(seed, number, lines[number - 1] + ";extra"),
            number,
            "more fields",
        )
        if number == 4:
            continue  # the first row's balance or the second row's amount: either may be wrong
        broken = cells[5][:-1] + ("0" if cells[5][-1] != "0" else "1")
        yield (
            f"csv_balance_{number}.csv",
            _replace_line(seed, number, ";".join([*cells[:5], broken])),
            number,
            "balance",
        )
    yield (
        "csv_open_quote.csv",
        _replace_line(seed, 5, '03.11.2026;"Stadtwerke;Abschlag;-25,00;EUR;1.692,55'),
        5,
        "column Auftraggeber: a quote opened here is closed only on a later line",
    )
    last = seed.rstrip("\n")
    start = last.rindex("\n") + 1
    width = lines[2].count(";") + 1
    for k in range(start + 1, len(last)):
        if last[k - 1] == ";":
            continue
        # a row cut before its last field is short of fields; one cut inside its last field
        # (the balance) has them all, and that cell is what is wrong
        fields = last[start:k].count(";") + 1
        yield f"csv_cut_{k}.csv", last[:k], 6, "cut short" if fields < width else "column Saldo"


def cases() -> list[tuple[str, bytes, int, str]]:
    """Every case: (file name, bytes, line the refusal must name, fragment of its reason)."""
    out = [*_mt940_cases(), *_camt_cases(), *_csv_cases()]
    names = [name for name, *_ in out]
    assert len(names) == len(set(names)), "case names must be unique"
    return [(name, text.encode("utf-8"), line, fragment) for name, text, line, fragment in out]
