"""Bank CSV exports: encodings, delimiters, preambles, header synonyms, amount and date conventions."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from common.errors import BankFileError
from matching.importers import parse_bank_bytes, read_bank_file
from matching.importers.csv_profiles import GENERIC, CsvProfile, layout_for, normalise_name
from tests.bank_fixtures import FIXTURES, GOOD
from tests.bank_golden import REAL


def _rows(frame: pd.DataFrame, *columns: str) -> list[list[object]]:
    out = frame.loc[:, list(columns)].astype(object)
    if "Date" in columns:
        out["Date"] = frame["Date"].dt.strftime("%Y-%m-%d")
    return out.values.tolist()


def test_committed_fixtures_are_the_ones_the_fixture_source_writes() -> None:
    for name, (text, encoding) in GOOD.items():
        assert (FIXTURES / name).read_bytes() == text.encode(encoding), name


def test_chinese_bank_csv_in_gbk_with_preamble() -> None:
    raw = (FIXTURES / "cn_bank_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    lines = read_bank_file(FIXTURES / "cn_bank_gbk.csv", date_order="dmy").lines
    assert _rows(lines, "Date", "Amount", "Currency", "Payer", "Memo", "BankRef", "Status") == [
        [
            "2026-11-03",
            1280000,
            "CNY",
            "北京华联商贸有限公司",
            "货款 发票号 INV-2026-0042",
            "20261103000123",
            "Unmatched",
        ],
        ["2026-11-05", -2500, "CNY", "", "手续费", "20261105000456", "Ignored"],
        [
            "2026-11-28",
            350000,
            "CNY",
            "广州南方电子科技有限公司",
            "支付 INV-2026-0051 尾款",
            "20261128000789",
            "Unmatched",
        ],
    ]


def test_debit_credit_columns_with_ambiguous_dates_follow_date_order() -> None:
    path = FIXTURES / "debit_credit.csv"
    dmy = read_bank_file(path, date_order="dmy").lines
    assert _rows(dmy, "Date", "Amount", "Payer", "Memo", "BankRef") == [
        ["2026-04-03", 123450, "ACME Ltd", "Invoice 1001", "R-1"],
        ["2026-04-04", -1250, "", "Card fee", "R-2"],
        ["2026-04-05", 9999, "Beta GmbH", "INV 1002 and INV 1003", "R-3"],
    ]
    mdy = read_bank_file(path, date_order="mdy").lines
    assert mdy["Date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-04", "2026-04-04", "2026-05-04"]
    assert mdy["LineID"].tolist() != dmy["LineID"].tolist()


def test_german_cp1252_with_soll_haben_mark() -> None:
    lines = read_bank_file(FIXTURES / "de_soll_haben_cp1252.csv", date_order="dmy").lines
    assert _rows(lines, "Date", "Amount", "Currency", "Payer", "Memo") == [
        ["2026-11-02", 118000, "EUR", "Müller & Söhne GmbH", "Rechnung RE-2026-118 Grüße"],
        ["2026-11-03", -8990, "EUR", "Stadtwerke Köln", "Abschlag Strom"],
    ]


def test_two_accented_letters_alone_stay_cp1252_not_one_chinese_character() -> None:
    # b"\xdf\xdf" is "ßß" in cp1252 and "哌" in GB18030; found by the round-trip property test.
    data = "Date;Amount;Payer;Memo\r\n01.01.2020;1,00;ßß;x-äö-1\r\n".encode("cp1252")
    assert parse_bank_bytes(data, "de.csv", date_order="dmy").lines[["Payer", "Memo"]].values.tolist() == [
        ["ßß", "x-äö-1"]
    ]


def test_lone_common_chinese_characters_stay_gb18030() -> None:
    data = "Date,Amount,Payer\n2023年4月11日,1.00,王 Li\n".encode("gb18030")
    lines = parse_bank_bytes(data, "cn.csv", date_order="dmy").lines
    assert _rows(lines, "Date", "Payer") == [["2023-04-11", "王 Li"]]


def test_full_width_digits_in_amounts_are_read() -> None:
    data = "交易日期,金额,摘要\n2026-01-01,１２３.４５,房租\n2026-01-02,7.00,水费\n".encode("gb18030")
    assert parse_bank_bytes(data, "cn.csv", date_order="dmy").lines["Amount"].tolist() == [12345, 700]


def test_one_unambiguous_date_settles_the_whole_column() -> None:
    data = b"Date,Amount\n1/5/19,1.00\n2/20/19,2.00\n"
    lines = parse_bank_bytes(data, "us.csv", date_order="dmy").lines
    assert lines["Date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-01-05", "2019-02-20"]


def test_decimal_comma_decided_per_column_not_per_cell() -> None:
    data = (
        "Buchungstag;Betrag;Verwendungszweck\n01.11.2026;1.234;a\n02.11.2026;-12,5;b\n03.11.2026;2.000,00;c\n"
    )
    lines = parse_bank_bytes(data.encode(), "de.csv", date_order="dmy").lines
    assert lines["Amount"].tolist() == [123400, -1250, 200000]
    # Alone, "1,234" reads as 1234.00; in a decimal-comma column it has three decimals and is refused.
    data = "Buchungstag;Betrag\n01.11.2026;1,234\n02.11.2026;-12,5\n"
    with pytest.raises(BankFileError, match="line 2: column Betrag: expected at most 2 decimals"):
        parse_bank_bytes(data.encode(), "de.csv", date_order="dmy")


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16", b"")])
def test_utf8_bom_and_utf16_exports(encoding: str, bom: bytes) -> None:
    text = "Datum\tBetrag\tAuftraggeber\tVerwendungszweck\n30.11.2026\t€ 1.050,00\tÉcole Française\tRE 7\n"
    lines = parse_bank_bytes(bom + text.encode(encoding), "x.txt", date_order="dmy").lines
    assert _rows(lines, "Date", "Amount", "Currency", "Payer", "Memo") == [
        ["2026-11-30", 105000, "EUR", "École Française", "RE 7"]
    ]


def test_purpose_over_numbered_columns_is_joined() -> None:
    data = (
        "Buchungstag;Betrag;VWZ1;VWZ2;VWZ3;Kontostand\n01.11.2026;10,00;Rechnung;;4711 danke;1.000,00\n"
    ).encode("cp1252")
    lines = parse_bank_bytes(data, "gls.csv", date_order="dmy").lines
    assert lines[["Memo", "Amount"]].values.tolist() == [["Rechnung 4711 danke", 1000]]


def test_excel_serial_dates_and_parenthesised_negatives() -> None:
    data = b'Date,Amount,Memo\n46329,"(1,234.56)",x\n46330,$7.00,y\n'
    lines = parse_bank_bytes(data, "serial.csv", date_order="dmy").lines
    assert _rows(lines, "Date", "Amount") == [["2026-11-03", -123456], ["2026-11-04", 700]]


def test_formula_like_text_is_kept_as_text() -> None:
    data = b'Date,Amount,Payer,Memo\n2026-11-01,5.00,=HYPERLINK("x"),@SUM(A1)\n'
    lines = parse_bank_bytes(data, "f.csv", date_order="dmy").lines
    assert lines[["Payer", "Memo"]].values.tolist() == [['=HYPERLINK("x")', "@SUM(A1)"]]


def test_blank_and_empty_rows_are_skipped_and_lines_numbered_from_the_file() -> None:
    data = b"preamble\n\nDate;Amount\n\n2026-11-01;1,00\n;\n2026-11-02;x\n"
    with pytest.raises(BankFileError, match=r"line 7: column Amount"):
        parse_bank_bytes(data, "gaps.csv", date_order="dmy")


def test_a_bank_profile_is_a_few_lines_of_data() -> None:
    cells = [
        "Produit",
        "Monn.",
        "Description",
        "Date de valeur",
        "Description 1",
        "Description 2",
        "Description 3",
        "N° de transaction",
        "Débit",
        "Crédit",
        "Solde",
    ]
    layout = layout_for(cells)
    assert layout is not None and layout.profile == "ubs_ch_fr"
    assert layout.columns == {
        "account": (0,),
        "payer": (5,),
        "currency": (1,),
        "date": (3,),
        "debit": (8,),
        "credit": (9,),
        "bankref": (7,),
        "memo": (4, 5, 6),
        "balance": (10,),
    }
    mine = CsvProfile("mine", signature=("Wert",), amount=("Wert",))
    assert mine.date == () and GENERIC.date[0] == "Booking date"


def test_only_a_bank_profile_that_names_it_takes_a_column_without_a_header() -> None:
    volksbank = ["Buchungstag", "Valuta", "Auftraggeber/Zahlungsempfänger", "Vorgang/Verwendungszweck"]
    volksbank += ["Kundenreferenz", "Währung", "Umsatz", " "]
    layout = layout_for(volksbank)
    assert layout is not None and layout.profile == "volksbank_de"
    assert layout.columns["amount"] == (6,) and layout.columns["sign"] == (7,)
    generic = layout_for(["Buchungstag", "Betrag", " ", "Verwendungszweck"])
    assert generic is not None and generic.profile == "generic"
    assert 2 not in {i for cols in generic.columns.values() for i in cols}


def test_a_volksbank_mark_that_is_neither_s_nor_h_is_refused_at_its_line() -> None:
    data = (REAL / "csv" / "spec_volksbank_soll_haben.csv").read_bytes()
    bad = data.replace(b'"238,00";"H"', b'"238,00";"X"')
    with pytest.raises(BankFileError, match="column sign: expected a debit/credit mark") as caught:
        parse_bank_bytes(bad, "umsaetze.csv", date_order="dmy")
    assert caught.value.line == 17  # the movement's first line; its purpose runs on to line 18


def test_a_running_balance_is_held_only_between_lines_whose_bank_numbers_follow() -> None:
    # Rabobank numbers every line of the account (Volgnr); 9565 then 9590 says 24 lines were
    # left out of the export, so that pair's balances cannot follow and are not held.
    head = '"Volgnr","Datum","Bedrag","Saldo na trn"\n'
    rows = '"9565","2018-03-01","-337,49","+5257,28"\n"9590","2018-03-14","+50,00","+13084,53"\n'
    good = head + rows + '"9591","2018-03-16","-750,00","+12334,53"\n'
    bank = parse_bank_bytes(good.encode(), "rabo.csv", date_order="dmy")
    assert bank.lines["Amount"].tolist() == [-33749, 5000, -75000]
    assert bank.lines["BankRef"].tolist() == ["9565", "9590", "9591"]
    # the clerk learns which lines are missing: payments among them are not in this import
    assert bank.notes == [
        "rabo.csv: Volgnr 9566 to 9589 (24 lines) are not in the file (the export left them out); "
        "import an export that holds them to bring their payments in"
    ]
    # between consecutive numbers a balance that does not follow is still refused, at its line
    bad = head + rows + '"9591","2018-03-16","-750,00","+12334,35"\n'
    with pytest.raises(
        BankFileError, match=r"column Saldo na trn: the balance 12334\.35 does not follow"
    ) as caught:
        parse_bank_bytes(bad.encode(), "rabo.csv", date_order="dmy")
    assert caught.value.line == 4
    # a number given twice is no jump: the row repeated is refused where its balance fails
    twice = head + rows + '"9590","2018-03-14","+50,00","+13084,53"\n'
    with pytest.raises(BankFileError, match=r"the balance 13084\.53 does not follow") as caught:
        parse_bank_bytes(twice.encode(), "rabo.csv", date_order="dmy")
    assert caught.value.line == 4
    # without the numbers every pair is held, and the jump is refused where it is
    plain = 'Datum,Bedrag,Saldo\n2018-03-01,"-337,49","5257,28"\n2018-03-14,"50,00","13084,53"\n'
    with pytest.raises(BankFileError, match=r"the balance 13084\.53 does not follow") as caught:
        parse_bank_bytes(plain.encode(), "plain.csv", date_order="dmy")
    assert caught.value.line == 3


def test_a_currency_code_after_a_heading_names_the_currency_not_the_column() -> None:
    # Česká spořitelna writes "Částka CZK" / "Amount CZK", as others write "Betrag (EUR)"
    data = "Datum zaúčtování;Částka CZK;Název protiúčtu\n2018/05/21;-111,11;X\n2018/05/22;200,00;Y\n"
    lines = parse_bank_bytes(data.encode("cp1250"), "cs.csv", date_order="dmy").lines
    assert lines["Amount"].tolist() == [-11111, 20000]
    data = "Posting date;Amount CZK\n2018/05/21;-111,11\n"
    assert parse_bank_bytes(data.encode(), "en.csv", date_order="dmy").lines["Amount"].tolist() == [-11111]
    # three capitals that are no currency code stay part of the name
    assert normalise_name("Kód BIC") != normalise_name("Kód")
