"""A corpus of bad bank files, each refused whole with the file and the line that is wrong."""

from __future__ import annotations

import pytest

from common.errors import BankFileError
from matching.importers import parse_bank_bytes, read_bank_file
from tests.bank_fixtures import BAD, FIXTURES, camt053


def test_committed_bad_files_are_the_ones_the_fixture_source_writes() -> None:
    on_disk = sorted(p.name for p in (FIXTURES / "bad").iterdir())
    assert on_disk == sorted(BAD)
    for name, (text, encoding, _line, _reason) in BAD.items():
        assert (FIXTURES / "bad" / name).read_bytes() == text.encode(encoding), name


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_with_file_and_line(name: str) -> None:
    _text, _encoding, line, reason = BAD[name]
    with pytest.raises(BankFileError) as caught:
        read_bank_file(FIXTURES / "bad" / name, date_order="dmy")
    assert (caught.value.file, caught.value.line) == (name, line)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{name} line {line}: " if line else f"{name}: ")


def test_batched_camt_entry_whose_details_do_not_add_up_is_refused() -> None:
    with pytest.raises(
        BankFileError, match=r"batched entry of 12\.79 has details adding up to 12\.78"
    ) as caught:
        parse_bank_bytes(camt053(12, detail_total_off_by=1), "batch.xml", date_order="dmy")
    assert caught.value.line == 2


def test_missing_file_and_unknown_format_are_refused(tmp_path) -> None:
    with pytest.raises(BankFileError, match="cannot read the file"):
        read_bank_file(tmp_path / "nope.csv", date_order="dmy")
    with pytest.raises(BankFileError, match="unknown format 'pdf'; expected one of csv, xlsx, xls, mt940, "):
        parse_bank_bytes(b"Date,Amount\n2026-11-01,1.00\n", "a.csv", fmt="pdf", date_order="dmy")


def test_forced_format_refuses_a_file_of_another_format() -> None:
    with pytest.raises(BankFileError, match="no MT940 statement"):
        parse_bank_bytes(b"Date,Amount\n2026-11-01,1.00\n", "a.csv", fmt="mt940", date_order="dmy")
    with pytest.raises(BankFileError, match="expected a camt"):
        parse_bank_bytes(b"<a/>", "a.xml", fmt="camt053", date_order="dmy")


@pytest.mark.parametrize(
    "data,line",
    [
        # the first data row is the wider one: pandas alone would drop its extra fields, and
        # those of every later row as wide, with only a warning
        (b"Date;Amount\n01.01.2026;1;x\n", 2),
        (b"Date;Amount;Memo;Reference\n01.01.2026;1,00;a;R1;\n02.01.2026;2,00;Rent; March;R2\n", 3),
        (b"Date;Amount\n\n01.01.2026;1;;;;;;x\n", 3),
    ],
)
def test_a_row_wider_than_the_header_is_refused_even_when_it_comes_first(data: bytes, line: int) -> None:
    with pytest.raises(BankFileError, match="row has more fields than the header's") as caught:
        parse_bank_bytes(data, "wide.csv", date_order="dmy")
    assert caught.value.line == line


_UNBALANCED = {
    "u.sta": b":20:S\n:25:DE1\n:28C:1\n:60F:C261101EUR1,00\n:61:2611011101C5,00NTRFNONREF\n"
    b":86:166?20SVWZ+x?32Y\n:62F:C261101EUR7,00\n",
    "u.xml": b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    b"<BkToCstmrStmt><Stmt><Id>S</Id><Acct><Id><IBAN>DE1</IBAN></Id></Acct>"
    b'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt>'
    b"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>"
    b'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">7.00</Amt>'
    b"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>"
    b'<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-01</Dt></BookgDt></Ntry>'
    b"</Stmt></BkToCstmrStmt></Document>",
}


@pytest.mark.parametrize("name,line", [("u.sta", 7), ("u.xml", 1)])
def test_a_statement_whose_balances_disagree_with_its_lines_is_refused_at_its_closing_balance(
    name: str, line: int
) -> None:
    with pytest.raises(BankFileError) as caught:
        parse_bank_bytes(_UNBALANCED[name], name, date_order="dmy")
    assert caught.value.line == line
    assert caught.value.reason == (
        "statement S of DE1: opening 1.00 + lines 5.00 = 6.00, but the closing balance is 7.00; "
        "a line is missing or misread, so the file is refused"
    )
