"""Every real bank file in ../shared/bank-samples reads right: counts per MANIFEST.tsv, exact golden output.

Golden files are regenerated with `.venv/bin/python -m tests.bank_golden` (see that module).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import mt940
import pandas as pd
import pytest

from common.errors import BankFileError
from matching.importers import LINE_COLUMNS, STATEMENT_COLUMNS, parse_bank_bytes, read_bank_file
from tests.bank_golden import assert_matches_golden
from workbook.contract import table

# The MANIFEST counted credits with mt-940's default signs, where "RC" (reversal of a credit,
# SWIFT field 61 subfield 3) comes out positive. It is money going out: the statement's own
# balances prove it (test_reversal_of_credit_is_money_out), so those two lines are debits.
CREDIT_CORRECTIONS = {"mt940/wolph_betterplace_sepa_mt9401.sta": -2}
# Real files whose own balances disagree with their lines: test data edited by hand (the Knab
# file's D7260 is D2760 with two digits swapped: 3058.98 - 2760 + 500 = 798.98, its closing
# balance). Each statement was summed apart from our importer (lxml over <Ntry>, or by hand);
# a file that does not reconcile cannot be trusted, so it is refused at its closing balance.
UNBALANCED = {
    "camt/genkgo_053_v3_kbc.xml": (
        80,
        "opening 18.15 + lines 8.85 = 27.00, but the closing balance is -27.00",
    ),
    "camt/viafintech_053_v2_ing_batch.xml": (
        59,
        "opening 7329.80 + lines 2934.26 = 10264.06, but the closing balance is 23038.20",
    ),
    "camt/viafintech_053_v8_ubs.xml": (
        66,
        "opening 82721.95 + lines 542.28 = 83264.23, but the closing balance is 84515.25",
    ),
    "mt940/fruitl00p_rabo_sample.sta": (
        6,
        "opening 0.00 + lines 0.00 = 0.00, but the closing balance is 2145.00",
    ),
    "mt940/fruitl00p_rabo_sample3.sta": (
        28,
        "opening 1147.95 + lines 387.56 = 1535.51, but the closing balance is 1190.35",
    ),
    "mt940/wolph_jejik_knab.sta": (
        20,
        "opening 3058.98 + lines -6760.00 = -3701.02, but the closing balance is 798.98",
    ),
}


def _manifest(shared: Path) -> list[dict[str, str]]:
    with (shared / "bank-samples" / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _entries(lines: pd.DataFrame) -> int:
    """Bank entries behind the lines: a batched CAMT entry's lines share one "batch <ref>" note."""
    batch = lines["Note"].str.extract(r"batch (\S+):", expand=False)
    return int(batch.isna().sum() + batch.dropna().nunique())


def test_contract_columns_match_the_workbook_contract() -> None:
    assert list(LINE_COLUMNS) == table("BankLines").column_names
    assert list(STATEMENT_COLUMNS) == table("BankStatements").column_names


def test_every_manifest_file_reads_with_its_transaction_and_credit_counts(shared_dir: Path) -> None:
    rows = _manifest(shared_dir)
    assert len(rows) == 20
    for row in rows:
        if row["file"] in UNBALANCED:
            continue
        bank = read_bank_file(shared_dir / "bank-samples" / row["file"], date_order="dmy")
        lines = bank.lines
        credits = lines[lines["Amount"] > 0]
        txns, credit_text = row["txns"], row["credits"]
        if "/" in txns:  # CAMT "E / T": E entries, T TxDtls; one line per TxDtls, or per entry without any
            entries, details = _numbers(txns)[:2]
            assert (len(lines), _entries(lines)) == (max(entries, details), entries), row["file"]
        else:
            assert len(lines) == _numbers(txns)[0], row["file"]
        expected_credits = _numbers(credit_text)[0] + CREDIT_CORRECTIONS.get(row["file"], 0)
        got = _entries(credits) if row["format"].startswith("camt") else len(credits)  # CAMT: per entry
        assert got == expected_credits, row["file"]
        if "Stmt" in txns:
            assert len(bank.statements) == _numbers(txns)[1]


@pytest.mark.parametrize("name", sorted(UNBALANCED))
def test_real_file_whose_balances_disagree_with_its_lines_is_refused_at_its_closing_balance(
    shared_dir: Path, name: str
) -> None:
    line, reason = UNBALANCED[name]
    with pytest.raises(BankFileError) as caught:
        read_bank_file(shared_dir / "bank-samples" / name, date_order="dmy")
    assert caught.value.line == line
    assert reason in caught.value.reason


def _reconciled(path: Path, closings: dict[str, str]) -> bytes:
    """The real file with the closing balances given (old text -> new) put right, so that the
    rest of what it holds can still be tested; see UNBALANCED."""
    data = path.read_bytes()
    for old, new in closings.items():
        assert data.count(old.encode()) == 1, old
        data = data.replace(old.encode(), new.encode())
    return data


def _mt940_reconciled(path: Path) -> bytes:
    """Every :62F: of the real MT940 file set to its :60F: plus its :61: amounts (summed here
    with a regex of this test, not by the importer)."""
    text = path.read_bytes().decode("latin-1")
    out, balance = [], 0
    for line in text.splitlines(keepends=True):
        tag = line[:5]
        m = re.match(r":6[02]F:([CD])(\d{6})([A-Z]{3})([\d.,]+)", line) or re.match(
            r":61:\d{6}(?:\d{4})?(R?[CD])[A-Z]?([\d.,]+)", line
        )
        if m and tag == ":60F:":
            balance = (1 if m[1] == "C" else -1) * round(float(m[4].replace(",", ".") or 0) * 100)
        elif m and tag.startswith(":61:"):
            sign = {"C": 1, "D": -1, "RC": -1, "RD": 1}[m[1]]
            balance += sign * round(float(m[2].replace(",", ".").rstrip(".") or 0) * 100)
        elif m and tag == ":62F:":
            mark = "C" if balance >= 0 else "D"
            line = f":62F:{mark}{m[2]}{m[3]}{abs(balance) // 100},{abs(balance) % 100:02d}\n"
        out.append(line)
    return "".join(out).encode("latin-1")


@pytest.mark.parametrize(
    "name",
    [
        "camt/genkgo_053_v2_multi_statement.xml",
        "camt/viafintech_053_v2_vrbank.xml",
        "camt/viafintech_053_v4_postfinance.xml",
        "camt/viafintech_054_v4_ch.xml",
        "csv/csv2ofx_gls.csv",
        "csv/csv2ofx_outbank.csv",
        "csv/csv2ofx_schwab_checking.csv",
        "csv/csv2ofx_ubs_ch_fr.csv",
        "mt940/fruitl00p_bunq.sta",
        "mt940/fruitl00p_kontist.sta",
        "mt940/fruitl00p_penta.sta",
        "mt940/fruitl00p_sparkasse.sta",
        "mt940/wolph_asnb_0708271685.940.txt",
        "mt940/wolph_betterplace_sepa_mt9401.sta",
    ],
)
def test_sample_matches_its_golden_files(shared_dir: Path, name: str) -> None:
    sample = shared_dir / "bank-samples" / name
    assert_matches_golden(read_bank_file(sample, date_order="dmy"), sample)


def test_frames_have_contract_types(shared_dir: Path) -> None:
    bank = read_bank_file(shared_dir / "bank-samples" / "mt940" / "fruitl00p_kontist.sta", date_order="dmy")
    assert list(bank.lines.columns) == list(LINE_COLUMNS)
    assert str(bank.lines["Date"].dtype) == "datetime64[ns]"
    assert str(bank.lines["Amount"].dtype) == "Int64"
    assert bank.lines["ImportedAt"].isna().all()
    assert bank.lines["SourceFile"].eq("fruitl00p_kontist.sta").all()
    assert list(bank.statements.columns) == list(STATEMENT_COLUMNS)
    assert bank.statements.iloc[0][["OpeningBalance", "ClosingBalance", "Lines"]].tolist() == [15, 39591, 6]


def test_debits_are_kept_but_set_aside(shared_dir: Path) -> None:
    lines = read_bank_file(
        shared_dir / "bank-samples" / "mt940" / "fruitl00p_bunq.sta", date_order="dmy"
    ).lines
    debit = lines["Amount"] < 0
    assert lines.loc[debit, "Status"].eq("Ignored").all() and lines.loc[debit, "Note"].eq("debit").all()
    assert lines.loc[~debit, "Status"].eq("Unmatched").all() and lines.loc[~debit, "Note"].eq("").all()
    assert int(debit.sum()) == 85


def test_rabobank_dot_decimals_are_read_not_misparsed(shared_dir: Path) -> None:
    sample = shared_dir / "bank-samples" / "mt940" / "fruitl00p_rabo_sample.sta"
    naive = mt940.models.Transactions()
    naive.parse(sample.read_text(encoding="latin-1"))
    assert len(naive) == 1  # what mt-940 alone makes of it
    lines = parse_bank_bytes(_mt940_reconciled(sample), sample.name, date_order="dmy").lines
    assert len(lines) == 39
    yen = lines[lines["Currency"] == "JPY"]
    assert yen["Amount"].tolist() == [156039500, -34800000, 7973400, -13861900]
    waswit = lines[lines["Payer"] == "WASWIT BV"].iloc[0]
    assert (waswit["Amount"], waswit["Memo"]) == (
        25000,
        "KLANT 45680/ FAKTUUR 472564 ONDER AFTREK VAN 2% BETALINGSKORTING.",
    )


def test_reversal_of_credit_is_money_out(shared_dir: Path) -> None:
    bank = read_bank_file(
        shared_dir / "bank-samples" / "mt940" / "wolph_betterplace_sepa_mt9401.sta", date_order="dmy"
    )
    first = bank.statements.iloc[0]
    lines = bank.lines.iloc[: int(first["Lines"])]
    assert first["OpeningBalance"] + int(lines["Amount"].sum()) == first["ClosingBalance"]
    reversal = lines[lines["Note"].str.contains("reversal")]
    assert reversal["Amount"].tolist() == [-20488] and reversal["Status"].tolist() == ["Ignored"]
    assert bank.notes == []


def test_asn_bank_variant_and_swift_envelope(shared_dir: Path) -> None:
    bank = read_bank_file(
        shared_dir / "bank-samples" / "mt940" / "wolph_asnb_0708271685.940.txt", date_order="dmy"
    )
    assert len(bank.lines) == 8 and len(bank.statements) == 31
    first = bank.lines.iloc[0]
    assert (first["Payer"], first["Amount"], first["BankRef"]) == (
        "hr gjlm paulissen",
        -6500,
        "NL47INGB9999999999",
    )
    assert "Betaling sieraden" in first["Memo"]


def test_sepa_subfields_split_into_payer_memo_ref(shared_dir: Path) -> None:
    kontist = read_bank_file(
        shared_dir / "bank-samples" / "mt940" / "fruitl00p_kontist.sta", date_order="dmy"
    ).lines
    inv = kontist[kontist["Memo"].str.contains("INV-00002")].iloc[0]
    assert (inv["Payer"], inv["Memo"], inv["Amount"]) == (
        "DM PUTZ + STUCK UG HAFTUNGSBESCHRANKT",
        "Rechnung-Nr.: INV-00002 v. 13.02.21",
        9595,
    )
    rabo3 = shared_dir / "bank-samples" / "mt940" / "fruitl00p_rabo_sample3.sta"
    rabo = parse_bank_bytes(_mt940_reconciled(rabo3), rabo3.name, date_order="dmy").lines
    nespresso = rabo.iloc[0]
    assert (nespresso["Payer"], nespresso["BankRef"]) == (
        "Nespresso Nederland B.V.",
        "02-04-2013 22:56 1120000153447185",
    )
    assert rabo.iloc[1]["Memo"] == "NR.201303-111/11.3.2013 NR.201303-112/11.3.2013"


def test_camt_structured_references_reach_the_memo(shared_dir: Path) -> None:
    camt = shared_dir / "bank-samples" / "camt"
    ubs_file = camt / "viafintech_053_v8_ubs.xml"
    ubs = parse_bank_bytes(
        _reconciled(ubs_file, {">84515.25<": ">83264.23<"}), ubs_file.name, date_order="dmy"
    ).lines
    assert "RF38000000000000000000552" in ubs.iloc[1]["Memo"]
    assert "INVOICE R77561" in ubs.iloc[0]["Memo"]
    kbc_file = camt / "genkgo_053_v3_kbc.xml"
    kbc_fixed = {
        ">27.00</Amt>\n                <CdtDbtInd>DBIT": ">27.00</Amt>\n                <CdtDbtInd>CRDT"
    }
    kbc = parse_bank_bytes(_reconciled(kbc_file, kbc_fixed), kbc_file.name, date_order="dmy").lines
    assert kbc.iloc[0][["Payer", "Memo", "Amount"]].tolist() == ["NAME NAME", "4654654654654654", 885]


def test_camt_batched_entry_gives_one_line_per_payment(shared_dir: Path) -> None:
    lines = read_bank_file(
        shared_dir / "bank-samples" / "camt" / "viafintech_053_v4_postfinance.xml", date_order="dmy"
    ).lines
    batch = lines[lines["Note"].str.startswith("batch 20160530007602769939022000000012")]
    assert len(batch) == 10 and int(batch["Amount"].sum()) == 100000
    assert batch.iloc[1][["Payer", "Memo", "Amount"]].tolist() == [
        "Rutschmann Pia",
        "000000000002016030002820804 ?REJECT?0",
        5000,
    ]


def test_notification_repeating_a_statement_gives_the_same_line_ids(shared_dir: Path) -> None:
    camt = shared_dir / "bank-samples" / "camt"
    statement = read_bank_file(camt / "viafintech_053_v4_postfinance.xml", date_order="dmy").lines
    notification = read_bank_file(camt / "viafintech_054_v4_ch.xml", date_order="dmy").lines
    assert set(notification["LineID"]) <= set(statement["LineID"])
