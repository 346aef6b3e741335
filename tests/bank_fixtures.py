"""Small bank files the real samples lack, and a corpus of bad files, written from this source.

    .venv/bin/python -m tests.bank_fixtures      # rewrite tests/fixtures/bank/

The files are committed (each under 1 KB) so a reader can open them; this module is their
source of truth, with the encodings that matter (GBK, cp1252) applied here. BAD lists each
bad file with the line it must be refused at (None: the file as a whole) and a fragment of
the reason; test_import_refusals checks every one.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BAD", "FIXTURES", "GOOD", "camt053", "write_all"]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bank"

# name -> (text, encoding)
GOOD: dict[str, tuple[str, str]] = {
    # A Chinese bank export: preamble, GBK, income/expense columns, amounts quoted with a leading tab (an Excel text trick).
    "cn_bank_gbk.csv": (
        "账号：6222020200112233445\n户名：上海示例贸易有限公司\n起止日期：2026-11-01 至 2026-11-30\n\n"
        "交易日期,交易时间,摘要,收入金额,支出金额,账户余额,对方户名,对方账号,流水号,币种\n"
        '2026-11-03,09:12:44,货款 发票号 INV-2026-0042,"\t12,800.00",,"\t58,800.00",北京华联商贸有限公司,'
        "6228480012345678,20261103000123,人民币\n"
        '2026-11-05,14:01:09,手续费,,"\t25.00","\t58,775.00",,,20261105000456,人民币\n'
        '2026/11/28,16:30:00,支付 INV-2026-0051 尾款,"\t3500",,"\t62,275.00",广州南方电子科技有限公司,'
        "6217000099887766,20261128000789,人民币\n",
        "gbk",
    ),
    # Separate Debit/Credit columns, thousands separators, ambiguous d/m dates, a (negative) debit.
    "debit_credit.csv": (
        "Date,Description,Payer,Debit,Credit,Balance,Reference\n"
        '03/04/2026,Invoice 1001,ACME Ltd,,"1,234.50","5,000.00",R-1\n'
        '04/04/2026,Card fee,,(12.50),,"4,987.50",R-2\n'
        '05/04/2026,INV 1002 and INV 1003,Beta GmbH,,99.99,"5,087.49",R-3\n',
        "utf-8",
    ),
    # German export in cp1252: preamble, ';', decimal comma, an unsigned amount with a Soll/Haben mark.
    "de_soll_haben_cp1252.csv": (
        "Umsätze Girokonto;;;;;\nZeitraum: 01.11.2026 - 30.11.2026;;;;;\n"
        "Buchungstag;Auftraggeber/Empfänger;Verwendungszweck;Umsatz;Soll/Haben;Währung\n"
        "02.11.2026;Müller & Söhne GmbH;Rechnung RE-2026-118 Grüße;1.180,00;H;EUR\n"
        "03.11.2026;Stadtwerke Köln;Abschlag Strom;89,90;S;EUR\n",
        "cp1252",
    ),
}

# name -> (text, encoding, line or None, reason fragment)
BAD: dict[str, tuple[str, str, int | None, str]] = {
    "empty.csv": ("", "utf-8", None, "empty"),
    "no_header.csv": ("foo;bar\n1;2\n", "utf-8", None, "no header row"),
    "bad_amount.csv": (
        "Datum;Betrag;Verwendungszweck\n01.11.2026;12,50;a\n02.11.2026;1,2,3;b\n",
        "utf-8",
        3,
        "column Betrag: expected an amount",
    ),
    "bad_date.csv": (
        "Date,Amount\n2026-11-01,1.00\n\n2026-02-31,2.00\n",
        "utf-8",
        4,
        "column Date: expected a real date",
    ),
    "mixed_decimal_marks.csv": (
        "Date;Amount\n01.11.2026;1.234,56\n02.11.2026;7\n03.11.2026;12.50\n",
        "utf-8",
        4,
        "column Amount mixes decimal marks",
    ),
    "mixed_date_order.csv": (
        "Date,Amount\n13/01/2026,1.00\n01/13/2026,2.00\n",
        "utf-8",
        3,
        "column Date has day-first and month-first",
    ),
    "debit_and_credit.csv": (
        "Date,Debit,Credit\n2026-11-01,,5.00\n2026-11-02,3.00,4.00\n",
        "utf-8",
        3,
        "row has both Debit and Credit filled",
    ),
    "missing_amount.csv": (
        "Date,Amount,Memo\n2026-11-01,5.00,a\n2026-11-02,,b\n",
        "utf-8",
        3,
        "row has no amount in Amount",
    ),
    "missing_date.csv": (
        "Date,Amount,Memo\n2026-11-01,5.00,a\n,7.00,b\n",
        "utf-8",
        3,
        "row has no date in Date",
    ),
    "extra_field.csv": ("Date,Amount\n2026-11-01,5.00\n2026-11-02,6.00,oops\n", "utf-8", 3, "more fields"),
    "bad_sign.csv": (
        "Datum;Umsatz;Soll/Haben\n01.11.2026;5,00;X\n",
        "utf-8",
        2,
        "column Soll/Haben: expected a debit/credit mark",
    ),
    "mt940_unreadable_61.sta": (
        ":20:STMT1\n:25:DE00123\n:28C:1\n:60F:C261101EUR100,00\n:61:2611011101C50,00NTRFNONREF\n:86:ok\n"
        ":62F:C261101EUR150,00\n"
        ":20:STMT2\n:25:DE00123\n:28C:2\n:60F:C261102EUR150,00\n:61:26110X1102C5,00NTRFNONREF\n:86:bad\n"
        ":62F:C261102EUR155,00\n",
        "utf-8",
        12,
        ":61: expected value date, mark, amount and type",
    ),
    "mt940_data_before_20.sta": (
        ":61:2611011101C50,00NTRFNONREF\n:20:STMT1\n:25:DE00123\n:60F:C261101EUR1,00\n",
        "utf-8",
        1,
        "before the first :20:",
    ),
    "camt_not_xml.xml": (
        '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "\n<BkToCstmrStmt>\n<Stmt>\n</BkToCstmrStmt>\n",
        "utf-8",
        5,
        "not well-formed",
    ),
    "camt_doctype.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        '<Stmt><Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-11-01</Dt></BookgDt><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Stmt>"
        "</BkToCstmrStmt></Document>\n",
        "utf-8",
        2,
        "DOCTYPE",
    ),
    "camt_bad_amount.xml": (
        '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        '<BkToCstmrStmt><Stmt>\n<Ntry>\n<Amt Ccy="EUR">12,50</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        "<Sts>BOOK</Sts><BookgDt><Dt>2026-11-01</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt>"
        "</Document>\n",
        "utf-8",
        4,
        "<Amt>: expected",
    ),
    "binary.png": ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "latin-1", 1, "not a bank statement"),
    "amount_text.csv": (
        "Date,Amount,Memo\n2026-11-01,5.00,a\n2026-11-02,five euros,b\n",
        "utf-8",
        3,
        "column Amount: expected an amount",
    ),
    # a Dutch export whose "Credit" column is the C/D mark beside an unsigned Bedrag: a cell
    # that is no mark is refused there (it was read as money in)
    "nl_credit_is_a_sign.csv": (
        "Datum;Naam / Omschrijving;Rekening;Bedrag;Credit;Mededelingen\n"
        "03-11-2026;Bakkerij Jansen BV;NL20INGB0001234567;717,55;C;Factuur 42\n"
        "04-11-2026;Kosten;NL20INGB0001234567;25,00;X;Kosten\n",
        "utf-8",
        3,
        "column Credit: expected a debit/credit mark",
    ),
    # a quote opened and never closed on its line takes in the next row: with no balance
    # column to catch it, the rows were read merged (the 25.00 paid out was lost)
    "unclosed_quote.csv": (
        "Buchungstag;Auftraggeber;Verwendungszweck;Betrag;Währung\n"
        "02.11.2026;ACME GmbH;Rechnung 1001;717,55;EUR\n"
        '03.11.2026;"Stadtwerke;Abschlag;-25,00;EUR\n'
        '04.11.2026;"Beta AG";"Rechnung 1002";120,00;EUR\n',
        "utf-8",
        3,
        "column Auftraggeber: a quote opened here is closed only on a later line",
    ),
    "mt940_bad_28c.sta": (
        ":20:STMT1\n:25:DE00123\n:28C:1/A\n:60F:C261101EUR100,00\n:61:2611011101C50,00NTRFNONREF\n"
        ":62F:C261101EUR150,00\n",
        "utf-8",
        3,
        ":28C: expected a statement number",
    ),
    "mt940_bad_60f.sta": (
        ":20:STMT1\n:25:DE00123\n:28C:1\n:60F:C2611O1EUR100,00\n:61:2611011101C50,00NTRFNONREF\n"
        ":62F:C261101EUR150,00\n",
        "utf-8",
        4,
        ":60F: expected a balance",
    ),
    # ".xls" pages that are HTML tables, broken: cut short inside a cell ("25" of "25.00"), and
    # a row that lost a cell (its 25.00 paid out would fall under 收入金额)
    "html_cut_short.xls": (
        "<html><head><meta charset='utf-8'></head><body>\n<table>\n"
        "<tr><th>交易日期</th><th>摘要</th><th>收入金额</th><th>支出金额</th></tr>\n"
        "<tr><td>2026-11-03</td><td>货款</td><td>717.55</td><td></td></tr>\n"
        "<tr><td>2026-11-04</td><td>手续费</td><td></td><td>25",
        "utf-8",
        5,
        "the table is not closed",
    ),
    "html_missing_cell.xls": (
        "<html><head><meta charset='utf-8'></head><body>\n<table>\n"
        "<tr><th>交易日期</th><th>摘要</th><th>收入金额</th><th>支出金额</th></tr>\n"
        "<tr><td>2026-11-03</td><td>货款</td><td>717.55</td><td></td></tr>\n"
        "<tr><td>2026-11-04</td><td></td><td>25.00</td></tr>\n</table></body></html>\n",
        "utf-8",
        5,
        "row has 3 cells where the header has 4",
    ),
}


def camt053(batch: int, *, version: str = "02", detail_total_off_by: int = 0) -> bytes:
    """A CAMT.053 statement with one credit entry batching `batch` payments of 1.01, 1.02, ...

    Version 02 puts detail amounts in AmtDtls/TxAmt, later versions in TxDtls/Amt; each
    payment has its own debtor and a structured RF creditor reference.
    """
    amounts = [101 + i for i in range(batch)]
    total = sum(amounts) + detail_total_off_by
    details = []
    for i, cents in enumerate(amounts, start=1):
        amount = f'<Amt Ccy="EUR">{cents / 100:.2f}</Amt>'
        amount = (
            f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>"
            if version == "02"
            else f"{amount}<CdtDbtInd>CRDT</CdtDbtInd>"
        )
        details.append(
            f"<TxDtls><Refs><AcctSvcrRef>TX{i:04d}</AcctSvcrRef><EndToEndId>E2E-{i:04d}</EndToEndId></Refs>{amount}"
            f"<RltdPties><Dbtr><Nm>Customer {i:02d} GmbH</Nm></Dbtr></RltdPties>"
            f"<RmtInf><Ustrd>Invoice INV-{1000 + i}</Ustrd><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>"
            f"</Tp><Ref>RF18INV{1000 + i}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"
        )
    opening, closing = 100000, 100000 + sum(amounts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">'
        "<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>STMT-2026-11</Id>"
        "<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening / 100:.2f}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>"
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing / 100:.2f}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>"
        f'<Ntry><Amt Ccy="EUR">{total / 100:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-11-12</Dt></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef>"
        f"<NtryDtls><Btch><NbOfTxs>{batch}</NbOfTxs></Btch>{''.join(details)}</NtryDtls></Ntry>"
        "</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def write_all() -> None:
    (FIXTURES / "bad").mkdir(parents=True, exist_ok=True)
    for name, (text, encoding) in GOOD.items():
        (FIXTURES / name).write_bytes(text.encode(encoding))
    for name, (text, encoding, _line, _reason) in BAD.items():
        (FIXTURES / "bad" / name).write_bytes(text.encode(encoding))


if __name__ == "__main__":
    write_all()
