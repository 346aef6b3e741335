"""Formats and layouts beyond the real files: CSV headings in many languages and sign marks
(written here from the banks' published export layouts, not copied), record-type and total
rows, spreadsheets and the ".xls" that is HTML or CSV, the usual oddities, and each
fixed-record format refused at the line where it is cut short."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import xlsxwriter

from common.errors import BankFileError
from matching.importers import parse_bank_bytes
from tests.bank_golden import REAL


def _read(text: str, name: str = "f.csv", encoding: str = "utf-8", **kw: str) -> list[tuple[str, int, str]]:
    lines = parse_bank_bytes(text.encode(encoding), name, **{"date_order": "dmy", **kw}).lines
    return [
        (d.date().isoformat(), int(a), p)
        for d, a, p in lines[["Date", "Amount", "Payer"]].itertuples(index=False)
    ]


LAYOUTS = {
    # ING Netherlands: Af Bij beside an unsigned Bedrag (EUR); the header has no "credit" amount column
    "nl_ing": (
        '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)","Mutatiesoort","Mededelingen"\n'
        '"20261103","Bakkerij Jansen BV","NL20INGB0001234567","NL69ABNA0417164300","OV","Bij","717,55","Overschrijving","Factuur 2026-042"\n'
        '"20261104","Kosten","NL20INGB0001234567","","DV","Af","25,00","Diversen","Kosten november"\n',
        "utf-8",
        [("2026-11-03", 71755, "Bakkerij Jansen BV"), ("2026-11-04", -2500, "Kosten")],
    ),
    # Triodos/Knab style: a "Credit/Debet" column of C/D marks next to Bedrag
    "nl_credit_debet": (
        "Datum;Rekeningnummer;Bedrag;Credit/Debet;Naam tegenrekening;Omschrijving\n"
        "03-11-2026;NL12TRIO0123456789;717,55;C;Stichting Groen;Factuur 42\n"
        "04-11-2026;NL12TRIO0123456789;25,00;D;Triodos;Kosten\n",
        "utf-8",
        [("2026-11-03", 71755, "Stichting Groen"), ("2026-11-04", -2500, "Triodos")],
    ),
    # Belgian (Flemish) export: Bedrag signed, Valutadatum, Tegenpartij
    "be_flemish": (
        "Rekening;Boekingsdatum;Valutadatum;Bedrag;Munt;Tegenpartij;Omschrijving\n"
        "BE68539007547034;03/11/2026;03/11/2026;717,55;EUR;De Clerck BVBA;+++000/0042/56262+++\n"
        "BE68539007547034;04/11/2026;04/11/2026;-25,00;EUR;KBC;Beheerskosten\n",
        "utf-8",
        [("2026-11-03", 71755, "De Clerck BVBA"), ("2026-11-04", -2500, "KBC")],
    ),
    # Spanish: Fecha/Concepto/Importe/Saldo, running balance oldest first
    "es": (
        "Fecha;Fecha valor;Concepto;Importe;Saldo\n"
        "03/11/2026;03/11/2026;TRANSFERENCIA DE ACME IBERICA SA;717,55;1.952,11\n"
        "04/11/2026;04/11/2026;COMISION MANTENIMIENTO;-25,00;1.927,11\n",
        "cp1252",
        [("2026-11-03", 71755, ""), ("2026-11-04", -2500, "")],
    ),
    # Italian: Dare/Avere columns
    "it": (
        "Data contabile;Data valuta;Descrizione;Dare;Avere;Causale\n"
        "03/11/2026;03/11/2026;BONIFICO DA ROSSI SRL;;717,55;Fattura 42\n"
        "04/11/2026;04/11/2026;COMMISSIONI;25,00;;Canone\n",
        "utf-8",
        [("2026-11-03", 71755, ""), ("2026-11-04", -2500, "")],
    ),
    # Polish mBank: '#' headings after a preamble, amounts with "PLN"
    "pl_mbank": (
        "mBank S.A. Bankowość Detaliczna;\n#Za okres:;\n01.11.2026;30.11.2026;\n#Waluta;\nPLN;\n\n"
        "#Data księgowania;#Data operacji;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;#Numer konta;#Kwota;#Saldo po operacji;\n"
        '2026-11-03;2026-11-03;PRZELEW PRZYCHODZĄCY;"Faktura 42";"Kowalski Sp. z o.o.";\'12345\';717,55 PLN;1 717,55 PLN;\n'
        '2026-11-04;2026-11-04;OPŁATA;"Prowizja";"mBank";\'\';-25,00 PLN;1 692,55 PLN;\n',
        "utf-8",
        [("2026-11-03", 71755, "Kowalski Sp. z o.o."), ("2026-11-04", -2500, "mBank")],
    ),
    # Hungarian: Könyvelés dátuma, Összeg with T/J (terhelés/jóváírás)
    "hu": (
        "Könyvelés dátuma;Értéknap;Összeg;T/J;Partner neve;Közlemény\n"
        "2026.11.03;2026.11.03;717,55;J;Kovács Kft.;Számla 42\n"
        "2026.11.04;2026.11.04;25,00;T;OTP;Díj\n",
        "cp1252" if False else "utf-8",
        [("2026-11-03", 71755, "Kovács Kft."), ("2026-11-04", -2500, "OTP")],
    ),
    # Czech: Datum, Objem, Měna, Název protiúčtu, Zpráva pro příjemce
    "cz": (
        "Datum;Objem;Měna;Protiúčet;Název protiúčtu;Zpráva pro příjemce;VS\n"
        "03.11.2026;717,55;CZK;2000123456/2010;Novák s.r.o.;Faktura 42;2026042\n"
        "04.11.2026;-25,00;CZK;;Fio banka;Poplatek;\n",
        "utf-8",
        [("2026-11-03", 71755, "Novák s.r.o."), ("2026-11-04", -2500, "Fio banka")],
    ),
    # Japanese (Shift_JIS): 日付, お取引内容, お引出し / お預入れ, 残高
    "jp_sjis": (
        "日付,お取引内容,お引出し,お預入れ,残高\n2026/11/03,ﾌﾘｺﾐ ﾔﾏﾀﾞｼｮｳｼﾞ,,71755,1071755\n2026/11/04,手数料,550,,1071205\n",
        "cp932",
        [("2026-11-03", 7175500, ""), ("2026-11-04", -55000, "")],
    ),
    # Chinese (GB18030): 借方发生额/贷方发生额 with 对方户名 and a total row at the end
    "cn_gb18030_total_row": (
        "账号：6222020200112233445\n交易日期,摘要,借方发生额,贷方发生额,余额,对方户名\n"
        "2026-11-03,货款,,717.55,1717.55,北京华联商贸有限公司\n2026-11-04,手续费,25.00,,1692.55,\n"
        "合计,,25.00,717.55,,\n",
        "gb18030",
        [("2026-11-03", 71755, "北京华联商贸有限公司"), ("2026-11-04", -2500, "")],
    ),
    # Swedbank (Baltic): a record-type column; opening, turnover and closing rows are not payments
    "lt_swedbank_row_types": (
        '"Client account";"Row type";"Date";"Beneficiary/Payer";"Details";"Amount";"Currency";"Debit/Credit";"Transfer reference"\n'
        '"LT357300010133333333";"10";"2026-11-01";"";"Opening balance";"10374.04";"EUR";"K";""\n'
        '"LT357300010133333333";"20";"2026-11-03";"UAB Kazkas";"Saskaita 42";"717.55";"EUR";"K";"R1"\n'
        '"LT357300010133333333";"20";"2026-11-04";"Swedbank";"Komisinis";"25.00";"EUR";"D";"R2"\n'
        '"LT357300010133333333";"82";"2026-11-30";"";"Turnover";"717.55";"EUR";"K";""\n'
        '"LT357300010133333333";"82";"2026-11-30";"";"Turnover";"25.00";"EUR";"D";""\n'
        '"LT357300010133333333";"86";"2026-11-30";"";"Closing balance";"11066.59";"EUR";"K";""\n',
        "utf-8",
        [("2026-11-03", 71755, "UAB Kazkas"), ("2026-11-04", -2500, "Swedbank")],
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_bank_layout_in_its_language_reads_with_signs_and_payers(name: str) -> None:
    text, encoding, expected = LAYOUTS[name]
    assert _read(text, f"{name}.csv", encoding) == expected


def test_swedbank_balance_rows_must_reconcile_with_the_payments() -> None:
    text = LAYOUTS["lt_swedbank_row_types"][0].replace('"11066.59"', '"11066.60"')
    with pytest.raises(BankFileError, match=r"closing balance is 11066\.60") as caught:
        parse_bank_bytes(text.encode(), "swed.csv", date_order="dmy")
    assert caught.value.line == 7


def test_unknown_record_type_is_refused_at_its_row() -> None:
    text = LAYOUTS["lt_swedbank_row_types"][0].replace(
        '"82";"2026-11-30";"";"Turnover";"25.00"', '"99";"2026-11-30";"";"X";"25.00"'
    )
    with pytest.raises(BankFileError, match="record type '99'") as caught:
        parse_bank_bytes(text.encode(), "swed.csv", date_order="dmy")
    assert caught.value.line == 6


def test_a_lone_credit_column_without_amount_or_debit_is_refused_with_its_reason() -> None:
    with pytest.raises(
        BankFileError, match="has a Credit column but neither an amount column nor a debit column"
    ):
        parse_bank_bytes(b"Datum;Omschrijving;Credit\n03-11-2026;x;717,55\n", "nl.csv", date_order="dmy")


def test_cr_cr_lf_line_ends_keep_line_numbers() -> None:
    data = b"Date;Amount\r\r\n2026-11-03;1,00\r\r\n2026-11-04;x\r\r\n"
    with pytest.raises(BankFileError) as caught:
        parse_bank_bytes(data, "crcrlf.csv", date_order="dmy")
    assert caught.value.line == 3
    assert _read("Date;Amount\r\r\n2026-11-03;1,00\r\r\n") == [("2026-11-03", 100, "")]


def test_a_quote_missing_on_one_row() -> None:
    # the opening quote missing: the stray closing quote is text, the row reads
    assert _read('Date,Payer,Amount\n2026-11-03,ACME GmbH",1.00\n')[0][2] == 'ACME GmbH"'
    # the closing quote missing: the rest of the file would be one cell; refused at that row
    with pytest.raises(BankFileError) as caught:
        parse_bank_bytes(
            b'Date,Payer,Amount\n2026-11-03,"ACME GmbH,1.00\n2026-11-04,B,2.00\n', "q.csv", date_order="dmy"
        )
    assert caught.value.line == 2


def _xlsx(rows: list[list[object]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Umsätze")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def test_xlsx_export_with_preamble_reads_as_its_csv_twin() -> None:
    rows = [
        ["Kontoauszug DE44500105175407324931"],
        [],
        ["Buchungstag", "Auftraggeber", "Betrag"],
        ["03.11.2026", "ACME GmbH", 717.55],
        ["04.11.2026", "Bank", -25],
    ]
    lines = parse_bank_bytes(_xlsx(rows), "export.xlsx", date_order="dmy").lines
    assert lines["Amount"].tolist() == [71755, -2500] and lines["Payer"].tolist() == ["ACME GmbH", "Bank"]


def test_xlsx_refusal_names_the_sheet_row() -> None:
    rows = [["Date", "Amount"], ["2026-11-03", 1], ["2026-11-04", "x"]]
    with pytest.raises(BankFileError, match=r"export.xlsx \(sheet Umsätze\) line 3: column Amount") as caught:
        parse_bank_bytes(_xlsx(rows), "export.xlsx", date_order="dmy")
    assert caught.value.line == 3


def test_an_xls_that_is_an_html_table_is_read_by_its_content() -> None:
    data = (
        "<html><head><meta charset='utf-8'></head><body>\n<table>\n"
        "<tr><th>交易日期</th><th>摘要</th><th>收入金额</th><th>支出金额</th></tr>\n"
        "<tr><td>2026-11-03</td><td>货款</td><td>717.55</td><td></td></tr>\n"
        "<tr><td>2026-11-04</td><td>手续费</td><td></td><td>x</td></tr>\n</table></body></html>\n"
    ).encode()
    with pytest.raises(BankFileError, match="column 支出金额") as caught:
        parse_bank_bytes(data, "export.xls", date_order="dmy")
    assert caught.value.line == 5  # the HTML line of that table row
    ok = data.replace(b"<td>x</td>", b"<td>25.00</td>")
    assert parse_bank_bytes(ok, "export.xls", date_order="dmy").lines["Amount"].tolist() == [71755, -2500]


def test_an_html_colspan_keeps_later_cells_under_their_headings_and_a_short_total_row_is_set_aside() -> None:
    data = (
        "<html><body>\n<table>\n<tr><td colspan='4'>账户明细</td></tr>\n"
        "<tr><th>交易日期</th><th>摘要</th><th>收入金额</th><th>支出金额</th></tr>\n"
        "<tr><td>2026-11-03</td><td>货款</td><td>717.55</td><td></td></tr>\n"
        "<tr><td colspan='2'>2026-11-04</td><td></td><td>25.00</td></tr>\n"
        "<tr><td>人民币合计</td><td>717.55</td><td>25.00</td></tr>\n"
        "<tr><td>以上数据仅供参考</td></tr>\n</table></body></html>\n"
    ).encode()
    lines = parse_bank_bytes(data, "export.xls", date_order="dmy").lines
    assert lines["Amount"].tolist() == [71755, -2500]  # not +25.00 under 收入金额
    assert lines["Memo"].tolist() == ["货款", ""]


_HTML_PL = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body>\n'
    "<table>\n<tr><th>Data operacji</th><th>Kwota</th><th>Opis transakcji</th></tr>\n"
    "<tr><td>2024-03-15</td><td>+1230.00</td><td>Tytuł: FV 2024/03/017 ZARZĄD</td></tr>\n"
    "</table></body></html>\n"
)


def test_an_html_xls_is_read_in_the_charset_its_meta_declares() -> None:
    # in windows-1250 "ł" and "Ą" are bytes that cp1252 reads as "³" and "¥"
    data = _HTML_PL.format(charset="windows-1250").encode("cp1250")
    assert parse_bank_bytes(data, "historia.xls", date_order="dmy").lines["Memo"].tolist() == [
        "Tytuł: FV 2024/03/017 ZARZĄD"
    ]


def test_an_html_xls_whose_bytes_are_not_its_declared_charset_is_refused_at_that_line() -> None:
    data = _HTML_PL.format(charset="utf-8").encode("cp1250")
    with pytest.raises(BankFileError, match="not utf-8, the charset the page declares") as caught:
        parse_bank_bytes(data, "historia.xls", date_order="dmy")
    assert caught.value.line == 4
    unknown = _HTML_PL.format(charset="x-no-such-charset").encode("cp1250")
    with pytest.raises(BankFileError, match="declares charset 'x-no-such-charset'"):
        parse_bank_bytes(unknown, "historia.xls", date_order="dmy")


def test_an_xls_that_is_a_csv_text_is_read_as_csv() -> None:
    data = "交易日期\t摘要\t交易金额\n2026-11-03\t货款\t717.55\n".encode("gb18030")
    bank = parse_bank_bytes(data, "export.xls", date_order="dmy")
    assert bank.format == "csv" and bank.lines["Amount"].tolist() == [71755]


@pytest.mark.parametrize(
    "name,cut_at_line,fragment",
    [
        ("n43/spec_aeb43_santander_style.n43", 6, "88 record"),
        ("coda/spec_febelfin_coda_v2.cod", 6, "trailer record (9)"),
        ("cfonb/spec_cfonb120_releve.txt", 6, "new balance (07)"),
        ("bai2/mojbai2_nwb_example.bai2", 10, "trailer record 99"),
    ],
)
def test_fixed_record_file_cut_short_is_refused_at_its_last_line(
    name: str, cut_at_line: int, fragment: str
) -> None:
    data = (REAL / name).read_bytes()
    kept = b"".join(data.splitlines(keepends=True)[:cut_at_line])
    with pytest.raises(BankFileError, match=re.escape(fragment)) as caught:
        parse_bank_bytes(kept, Path(name).name, date_order="dmy")
    assert (
        caught.value.line in (cut_at_line, None)
        if name.endswith(".bai2")
        else caught.value.line == cut_at_line
    )


@pytest.mark.parametrize(
    "name,old,new,line,fragment",
    [
        ("n43/spec_aeb43_santander_style.n43", b"00000000071755", b"00000000071756", 9, "33 record's sums"),
        ("coda/spec_febelfin_coda_v2.cod", b"000000000717550", b"000000000717560", 10, "closing balance is"),
        ("cfonb/spec_cfonb120_releve.txt", b"0000000007175E", b"0000000007175F", 9, "closing balance is"),
        ("mt940/actual_data.sta", b"D42,50", b"D42,51", 22, "closing balance is"),
        ("mt940/fruitl00p_zenith.sta", b"DN240,23//", b"DN240,24//", 22, "closing balance is"),
        ("cfonb/silarhi_complex.txt", b"0000000000050000}", b"0000000000050001}", 8, "closing balance is"),
        (
            "n43/sergief_movements.n43",
            b"200204124081000000000023990",
            b"200204124081000000000024000",
            34,
            "33 record's sums",
        ),
        (
            "xls/b2y_swedbank_lt.xls",
            b'"2863.63","LTL","K","1234',
            b'"2863.64","LTL","K","1234',
            18,
            "closing balance is",
        ),
        (
            "ofx/ofxparse_bank_medium.ofx",
            b"<TRNAMT>-6.60",
            b"<TRNAMT>1e308",
            15,
            "not an amount money can be",
        ),
        ("qif/actual_data-payee-memo.qif", b"T-20.00", b"T-20.00.0", None, "QIF"),
    ],
)
def test_a_changed_amount_is_refused_where_the_file_shows_it(
    name: str, old: bytes, new: bytes, line: int | None, fragment: str
) -> None:
    data = (REAL / name).read_bytes()
    assert data.count(old) == 1
    with pytest.raises(BankFileError, match=fragment) as caught:
        parse_bank_bytes(data.replace(old, new), Path(name).name, date_order="dmy")
    if line is not None:
        assert caught.value.line == line


def test_a_row_with_neither_date_nor_amount_continues_the_row_above() -> None:
    # OCBC writes each payment's details on the line below it
    text = (
        "Transaction date,Value date,Description,Withdrawals (SGD),Deposits (SGD)\n"
        "18/04/2026,18/04/2026,DEBIT PURCHASE,6.66,\n"
        ",,15/04/26 UBER EATS\n"
        "17/04/2026,17/04/2026,GIRO,,120.00\n"
        ",,INV-1001 ACME PTE LTD\n"
    )
    lines = parse_bank_bytes(text.encode(), "ocbc.csv", date_order="dmy").lines
    assert lines["Memo"].tolist() == ["DEBIT PURCHASE 15/04/26 UBER EATS", "GIRO INV-1001 ACME PTE LTD"]
    assert lines["Amount"].tolist() == [-666, 12000]


@pytest.mark.parametrize(
    "row,line,fragment",
    [
        (",,x,6.66,", 3, "row has no date in Date "),
        ("19/04/2026,19/04/2026,x,,", 3, "row has no amount in Withdrawals and Deposits "),
    ],
)
def test_a_row_with_only_a_date_or_only_an_amount_is_still_refused(
    row: str, line: int, fragment: str
) -> None:
    text = f"Date,Value date,Description,Withdrawals,Deposits\n18/04/2026,18/04/2026,a,1.00,\n{row}\n"
    with pytest.raises(BankFileError, match=fragment) as caught:
        parse_bank_bytes(text.encode(), "f.csv", date_order="dmy")
    assert caught.value.line == line


def test_a_footer_after_the_last_movement_is_not_a_movement() -> None:
    # 兴业银行 ends its export with a "说明" (note) row whose text stands under 记账日
    text = "交易时间,记账日,支出,收入,账户余额,摘要\n2024-01-04,2024-01-04,,5.50,5.50,购汇\n说明,交易明细仅供个人参考,,,,\n"
    assert _read(text) == [("2024-01-04", 550, "")]


def test_a_minority_sign_in_the_debit_column_is_a_reversal() -> None:
    # 兴业银行: "-5.50" under 支出 puts back the 5.50 taken the day before; the balance agrees
    text = (
        "交易时间,支出,收入,账户余额\n2024-01-04,,5.50,5.50\n2024-01-04,5.50,,0.00\n"
        "2024-01-05,-5.50,,5.50\n2024-01-05,5.50,,0.00\n"
    )
    assert [a for _d, a, _p in _read(text)] == [550, -550, 550, -550]
    with pytest.raises(BankFileError, match="as many negative as positive") as caught:
        parse_bank_bytes(
            b"Date,Debit,Credit\n2024-01-04,5.50,\n2024-01-05,-5.50,\n", "f.csv", date_order="dmy"
        )
    assert caught.value.line == 3


def test_rows_shorter_than_the_header_are_cut_only_when_shorter_than_the_row_before() -> None:
    head = "Date,Amount,Payer,Extra1,Extra2\n"
    assert _read(head + "2026-11-03,1.00,A\n2026-11-04,2.00,B") == [
        ("2026-11-03", 100, "A"),
        ("2026-11-04", 200, "B"),
    ]
    with pytest.raises(BankFileError, match="cut short") as caught:
        parse_bank_bytes((head + "2026-11-03,1.00,A\n2026-11-04,2.0").encode(), "f.csv", date_order="dmy")
    assert caught.value.line == 3


def test_czech_windows_1250_headings_and_hungarian_dates() -> None:
    czech = (
        "Datum zaúčtování;Název protiúčtu;Zaúčtovaná částka;Měna účtu\n27.05.2026;Novák s.r.o.;1 250,00;CZK\n"
    )
    assert _read(czech, encoding="cp1250") == [("2026-05-27", 125000, "Novák s.r.o.")]
    hungarian = "Tranzakció dátuma;Partner neve;Tranzakció összege\n2026.04.19.;Kovács Kft.;-350\n"
    assert _read(hungarian) == [("2026-04-19", -35000, "Kovács Kft.")]


_MT940 = (
    ":20:S1\n:25:NL00BANK0123456789\n:28C:1/1\n:60F:C261101EUR100,00\n{lines}:62F:C261101EUR{closing}\n-\n"
)


@pytest.mark.parametrize(
    "case,text,amounts",
    [
        # Sberbank: the non-SWIFT :NS: field goes on over numbered lines
        ("ns", _MT940.format(lines=":61:2611011101C5,00NTRFX\n:NS:01x\n17y\n", closing="105,00"), [500]),
        # ING, Triodos: the type code padded with a space
        ("padded type", _MT940.format(lines=":61:2611011101D5,00NIT NONREF\n", closing="95,00"), [-500]),
        # Zenith Bank: no type, the bank reference right after the amount
        (
            "no type",
            _MT940.format(lines=":61:2611011101CN5,00//123\n:61:2611011101D1,00//124\n", closing="104,00"),
            [500, -100],
        ),
        # Zenith Bank: a blank statement number
        ("blank number", _MT940.format(lines="", closing="100,00").replace(":28C:1/1", ":28C: /1"), []),
        # ABN AMRO: its file header repeated between statements; mBank: SOH/ETX framing
        (
            "header",
            "\x01"
            + _MT940.format(lines="", closing="100,00")
            + "ABNANL2A\n940\nABNANL2A\n"
            + _MT940.format(lines="", closing="100,00")
            + "\x03",
            [],
        ),
    ],
)
def test_mt940_oddities_of_real_banks_read(case: str, text: str, amounts: list[int]) -> None:
    assert (
        parse_bank_bytes(text.encode(), f"{case}.sta", date_order="dmy").lines["Amount"].tolist() == amounts
    )


@pytest.mark.parametrize(
    "old,new,line,fragment",
    [
        (":28C:1/1\n", ":28C:1/1\nABNANL2A\n", 4, "belongs to no field"),  # a BIC only between statements
        (":62F:", ":61:2611011101C5,00\n:62F:", 5, ":61:"),  # neither type nor "//" after the amount
        (":28C:1/1", ":28C: /", 3, ":28C:"),  # a blank number needs its sequence number
    ],
)
def test_mt940_oddities_do_not_open_the_door_to_misreadings(
    old: str, new: str, line: int, fragment: str
) -> None:
    text = _MT940.format(lines="", closing="105,00").replace(old, new)
    with pytest.raises(BankFileError, match=fragment) as caught:
        parse_bank_bytes(text.encode(), "f.sta", date_order="dmy")
    assert caught.value.line == line


def test_a_mark_that_is_neither_debit_nor_credit_is_refused_at_its_row() -> None:
    # WeChat Pay marks its neutral top-ups "/" under 收/支: not money in, not money out
    text = "交易时间,收/支,金额(元)\n2021-01-17 18:03:35,支出,¥12.00\n2021-01-17 10:07:31,/,¥2000.00\n"
    with pytest.raises(BankFileError, match="got '/'") as caught:
        parse_bank_bytes(text.encode(), "wechat.csv", date_order="dmy")
    assert caught.value.line == 3
