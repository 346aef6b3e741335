"""Column profiles for bank CSV exports: a new bank's layout is data, not code.

A profile names, for each role a column can play, the header texts that play it. Header
texts are compared normalised (case, accents, spaces and punctuation ignored, a trailing
currency "(EUR)" or " CZK" dropped), and may end in `*` to take every numbered column ("VWZ*" is VWZ1..VWZ14).
The `memo` role joins all its columns; every other role takes the column whose header comes
first in the profile's list. A bank profile may name "" for the one column its bank leaves
without a header (Volksbank's S/H mark beside "Umsatz").

`GENERIC` knows the usual names in the languages banks export in (see README). A bank
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

from common.currency import is_currency

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
    "rowtype",
    "sequence",
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
    rowtype: tuple[str, ...] = ()  # a record type telling movements from balance and total rows
    # The bank's running number of each line on the account (Rabobank's "Volgnr"): where it
    # jumps, the export left lines out, so the running balance is held only between lines
    # whose numbers follow each other. It may also be the bank reference.
    sequence: tuple[str, ...] = ()
    date_order: str | None = None  # fixed by the bank; None: decided per file (see columns.py)
    # A credit-card export shows a purchase as a positive amount: money out of the account,
    # so its signs are turned (a payment to the card is then the credit).
    charges_positive: bool = False


@dataclass(frozen=True)
class Layout:
    """Where each role's column(s) sit in one file's header (column positions); `headers` as written."""

    profile: str
    columns: dict[str, tuple[int, ...]]
    headers: tuple[str, ...]
    charges_positive: bool = False

    def one(self, role: str) -> int | None:
        found = self.columns.get(role, ())
        return found[0] if found else None


GENERIC = CsvProfile(
    "generic",
    date=(
        "Booking date",
        "Buchungstag",
        "Buchungsdatum",
        "Posting date",
        "Posted Date",
        "Date Posted",
        "Date comptable",
        "Date de comptabilisation",
        "记账日期",
        "记账日",  # CCB
        "银行记账日",  # BOC's credit card, beside 交易日
        "入账日期",
        "Boekdatum",
        "Boekingsdatum",
        "Fecha contable",
        "Data contabile",
        "Data księgowania",
        "Könyvelés dátuma",
        "Könyvelési dátum",
        "Datum zaúčtování",
        "Datum verrekening",
        "Bokföringsdag",
        "Bokföringsdatum",
        "Date",
        "Datum",
        "Transaction date",
        "Date d'opération",
        "Date operation",
        "交易日期",
        "交易时间",
        "日期",
        "Datum transactie",
        "Transactiedatum",
        "Fecha",
        "Fecha operación",
        "Data",
        "Data operazione",
        "Data operacji",
        "Data transakcji",
        "Tranzakció dátuma",
        "Dátum",
        "Datum provedení",
        "Datum transakce",
        "Datum verrichting",
        "Belegdatum",
        "Created",
        "Transaktionsdag",
        "Data operacijos",
        "日付",
        "取引日",
        "お取引日",
        "年月日",
        "入出金日",
        "记账时间",
        "交易日",
        "Trans. Date",
        "Value date",
        "Valuta",
        "Valutadatum",
        "Wertstellung",
        "Date de valeur",
        "起息日",
        "Rentedatum",
        "Fecha valor",
        "F. valor",
        "Data valuta",
        "Data waluty",
        "Értéknap",
        "Datum splatnosti",
        "Kuupäev",  # Estonian banks (SEB, Swedbank, LHV: the Pangaliit CSV)
    ),
    amount=(
        "Amount",
        "Betrag",
        "Buchungsbetrag",
        "Umsatz",
        "Montant",
        "Transaction amount",
        "金额",
        "交易金额",
        "发生额",
        "Bedrag",
        "Bedrag (EUR)",
        "Transactiebedrag",
        "Importe",
        "Cantidad",
        "Importo",
        "Kwota",
        "Kwota operacji",
        "Kwota transakcji",
        "Összeg",
        "Tranzakció összege",
        "Částka",
        "Zaúčtovaná částka",
        "Objem",
        "Belopp",
        "Suma",
        "记账金额",
        "金額",
        "取引金額",
        "Billing amount",
        "Sum",
        "Montant de l'opération",
        "Summa",
    ),
    debit=(
        "记账金额(支出)",
        "交易金额(支出)",
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
        "Débit euros",
        "支出金额",
        "支出",
        "借方金额",
        "借方发生额",
        "Af",
        "Afschrijving",
        "Cargo",
        "Cargos",
        "Débito",
        "Dare",
        "Addebiti",
        "Addebito",
        "Uscite",
        "Obciążenia",
        "Wypływ",
        "Terhelés",
        "Terhelés összege",
        "Výdaj",
        "Výdej",
        "Uttag",
        "出金",
        "出金額",
        "お引出し",
        "お支払金額",
        "支払い金額",
        "引出額",
        "借方",
        "取出金额",
        "支取金额",
        "Dépense",
        "Withdrawal Amount",
    ),
    credit=(
        "记账金额(收入)",
        "交易金额(收入)",
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
        "Crédit euros",
        "收入金额",
        "收入",
        "存入",
        "贷方金额",
        "贷方发生额",
        "Bij",
        "Bijschrijving",
        "Abono",
        "Abonos",
        "Crédito",
        "Avere",
        "Accrediti",
        "Entrate",
        "Uznania",
        "Wpływ",
        "Jóváírás",
        "Jóváírás összege",
        "Příjem",
        "Insättning",
        "入金",
        "入金額",
        "お預入れ",
        "お預り金額",
        "預かり金額",
        "預入額",
        "贷方",
        "存入金额",
        "Recette",
        "Deposit Amount",
    ),
    sign=(
        "Soll/Haben",
        "S/H",
        "Debit/Credit",
        "D/C",
        "Cr/Dr",
        "借贷标志",
        "收支",
        "Af Bij",
        "Credit/Debet",
        "Debet/Credit",
        "D/K",
        "K/D",
        "Debet/Kredit",
        "Cargo/Abono",
        "Dare/Avere",
        "借/贷",
        "借贷",
        "借贷方向",
        "Strona",
        "Znak",
        "Jelleg",
        "T/J",
        "Debit/Kredit",
        "Credit / Debit",
        "Deebet/Kreedit (D/C)",
        "Deebet/Kreedit",
    ),
    currency=(
        "Currency",
        "Währung",
        "Waehrung",
        "Monnaie",
        "Monn.",
        "Devise",
        "Ccy",
        "币种",
        "货币",
        "Munt",
        "Divisa",
        "Moneda",
        "Waluta",
        "Deviza",
        "Pénznem",
        "Měna",
        "Měna účtu",
        "Valutacode",
        "Currency code",
        "通貨",
        "记账币种",  # the currency of 记账金额, which is read before 交易金额 (ICBC has both)
        "交易币种",
        "结算币种",
        "币别",
        "Billing currency",
        "Valuuta",
    ),
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
        "Naam / Omschrijving",
        "Naam tegenpartij",
        "Naam tegenrekening",
        "Tegenpartij",
        "Handelaar",
        "Ordenante",
        "Beneficiario",
        "Ordinante",
        "Beneficiario/Ordinante",
        "Nadawca / Odbiorca",
        "Kontrahent",
        "Dane kontrahenta",
        "Partner neve",
        "Ellenoldali név",
        "Partner",
        "Název protiúčtu",
        "Protistrana",
        "Beneficiary/Payer",
        "Beneficiary",
        "Mottagare",
        "Avsändare",
        "振込依頼人",
        "お取引相手",
        "相手先",
        "对方账户名",
        "交易对手名称",
        "对手信息",
        "Merchant name",
        "Payee",
        "Partner Name",
        "Nom du tiers",
        "Tiers",
        "Saaja/maksja nimi",
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
        "Omschrijving*",  # Rabobank: Omschrijving-1 to -3
        "Mededelingen",
        "Toelichting",
        "Concepto",
        "Descripción",
        "Observaciones",
        "Causale",
        "Descrizione",
        "Descrizione operazione",
        "Tytuł",
        "Tytuł operacji",
        "Opis operacji",
        "Opis transakcji",
        "VS",  # variabilní symbol: Czech and Slovak payers put the invoice number there
        "Variabilní symbol",
        "Közlemény",
        "Megjegyzés",
        "Tranzakció leírása",
        "Zpráva pro příjemce",
        "Poznámka",
        "Popis",
        "Zpráva",
        "Beskrivning",
        "Meddelande",
        "Text",
        "Informacija",
        "お取引内容",
        "摘要内容",
        "内容",
        "交易摘要",
        "交易描述",
        "交易说明",
        "交易详情",
        "交易名称",
        "客户摘要",
        "交易备注",  # CMB: the payer and what the payment is for
        "Payment Reference",
        "Transaction Description",
        "Libellé opération",
        "Selgitus",
        "Viitenumber",  # the Estonian reference number the payer copies from the invoice
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
        "Referentie",
        "Transactiereferentie",
        "Volgnr",
        "Referencia",
        "Riferimento",
        "CRO",
        "Numer referencyjny",
        "Numer transakcji",
        "Tranzakció azonosító",
        "Azonosító",
        "Variabilní symbol",
        "ID transakce",
        "Referens",
        "Nuoroda",
        "Transfer reference",
        "Reference number",
        "Document number",
        "取引番号",
        "お問合せ番号",
        "日志号",
        "交易序号",
        "Numéro d'opération",
        "Arhiveerimistunnus",
    ),
    account=(
        "Account",
        "Account number",
        "Account No",
        "Kontonummer",
        "Konto",
        "Auftragskonto",
        "Compte",
        "账号",
        "本方账号",
        "Rekening",
        "Rekeningnummer",
        "IBAN/BBAN",
        "Cuenta",
        "Conto",
        "Numer rachunku",
        "Rachunek",
        "Számlaszám",
        "Číslo účtu",
        "Client account",
        "Sąskaita",
        "口座番号",
        "借记卡号",
        "账户",
        "Kliendi konto",
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
        "Saldo na trn",
        "Saldo na mutatie",
        "Saldo na transactie",
        "Saldo contable",
        "Saldo contabile",
        "Saldo po operacji",
        "Saldo po transakcji",
        "Egyenleg",
        "Könyvelt egyenleg",
        "Zůstatek",
        "Zůstatek po transakci",
        "Bokfört saldo",
        "Likutis",
        "残高",
        "差引残高",
        "本次余额",
        "联机余额",
    ),
    rowtype=("Row type", "Record type", "Eilutės tipas", "Rea tüüp", "Ieraksta tips", "Radtyp"),
    sequence=("Volgnr",),
)

PROFILES: tuple[CsvProfile, ...] = (
    # Volksbanks and Raiffeisenbanks (DE, classic online banking): an unsigned "Umsatz" with
    # its S/H mark in the one unnamed column; the Anfangssaldo and Endsaldo rows carry their
    # label in "Kundenreferenz", which is read as memo so that they are told from movements.
    CsvProfile(
        "volksbank_de",
        signature=("Vorgang/Verwendungszweck", "Kundenreferenz", "Umsatz"),
        amount=("Umsatz",),
        sign=("",),
        payer=("Auftraggeber/Zahlungsempfänger",),
        memo=("Vorgang/Verwendungszweck", "Kundenreferenz"),
        date_order="dmy",
    ),
    # UBS (CH, French): "Description" is the product; 1..3 carry the transfer, 2 the counterparty.
    CsvProfile(
        "ubs_ch_fr",
        signature=("Produit", "Monn.", "Description 1", "Solde"),
        payer=("Description 2",),
        memo=("Description 1", "Description 2", "Description 3"),
        account=("Produit",),
        date_order="dmy",
    ),
    # Credit-card exports (purchases positive), each told apart by the columns only it has.
    CsvProfile(
        "citic_credit_card",
        signature=("卡末四位", "结算金额", "结算币种"),
        amount=("结算金额",),
        currency=("结算币种",),
        memo=("交易描述",),
        charges_positive=True,
    ),
    CsvProfile(
        "cgb_credit_card",
        signature=("入账金额", "入账货币", "交易摘要"),
        amount=("入账金额",),
        currency=("入账货币",),
        charges_positive=True,
    ),
    # CMB's 一网通 export: 交易类型 (汇入汇款, 账户结息: interest the matcher must not take for a
    # receipt) goes to the memo with 交易备注, which names the payer
    CsvProfile(
        "cmb_debit",
        signature=("交易类型", "交易备注", "收入", "支出"),
        memo=("交易类型", "交易备注"),
    ),
    # CMB's credit-card statement: dated by 记账日 (交易日 is empty on repayments), in CNY
    CsvProfile(
        "cmb_credit_card",
        signature=("记账日", "人民币金额", "卡号末四位"),
        date=("记账日",),
        amount=("人民币金额",),
        memo=("交易摘要",),
        charges_positive=True,
    ),
    CsvProfile(
        "bmo_credit_card",
        signature=("Item #", "Card #", "Transaction Amount"),
        date=("Posting Date",),
        charges_positive=True,
    ),
    CsvProfile(
        "pc_mastercard",
        signature=("Merchant Name", "Card Used For Transaction"),
        charges_positive=True,
    ),
    GENERIC,
)

# A trailing "(EUR)", "[CHF]" or "(元)" names the currency, not the column; "(收入)" does.
_PAREN_SUFFIX = re.compile(r"\s*[(\[（]\s*(?:[A-Za-z]{3}|元|人民币|€|\$|£|¥)\s*[)\]）]\s*$")
# So does a trailing ISO 4217 code after a space (Česká spořitelna: "Částka CZK", "Amount CZK").
_CODE_SUFFIX = re.compile(r"(?<=\S)\s+([A-Z]{3})\s*$")


@lru_cache(maxsize=4096)
def normalise_name(text: str) -> str:
    """Header text as compared: no accents, case, spaces, punctuation or currency suffix ("(EUR)",
    " CZK")."""
    text = _PAREN_SUFFIX.sub("", text.strip().lstrip("\ufeff"))
    code = _CODE_SUFFIX.search(text)
    if code and is_currency(code[1]):
        text = text[: code.start()]
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
    the memo and the sequence come last and may share a column (UBS's counterparty is also memo
    text, Rabobank's Volgnr also the bank reference)."""
    taken: set[int] = set()
    columns: dict[str, tuple[int, ...]] = {}
    own = {role: getattr(profile, role) for role in ROLES}
    for role in sorted(ROLES, key=lambda r: (r in ("memo", "sequence"), not own[r])):
        names = own[role] or getattr(GENERIC, role)
        if role == "sequence":
            found = next(((i,) for n in names for i, h in enumerate(headers) if h and _matches(n, h)), ())
        elif role == "memo":
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
                    if (h or not n) and i not in taken and _matches(n, h)
                ),
                (),
            )
            taken.update(found)
        if found:
            columns[role] = found
    return Layout(profile.name, columns, written, profile.charges_positive)


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
