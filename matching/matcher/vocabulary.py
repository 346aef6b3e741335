"""What bank memos say about money, as data: each phrase with its meaning and its language.

Customers, banks and authorities describe money in the languages our users bank in. The
matcher needs to know two kinds of words:

- `NOT_RECEIPTS`: money that is no customer paying an invoice (interest, refunds, rebates,
  loans, security deposits, insurance and tax refunds, card and payment-provider payouts,
  own transfers). A line saying so is never matched, however well its amount fits.
- `PAYMENT_WORDS`: words that say how a receipt is meant (an advance on an order, a
  discount or bank fee deducted, a partial payment), and `CONTEXT` words (less, plus,
  abzgl., zzgl., 扣) that turn a not-a-receipt word into a part of a receipt ("INV 4711
  abzgl. Bonus" is a payment with the bonus deducted).

A company adds its own not-a-receipt words in Settings (`match_non_receipt_words`); they
get the meaning "one of your own non-receipt words" and the language "company".

How a phrase is written here:
- Latin phrases are compared on folded text: upper case, accents and umlauts removed, and
  Ä/AE, Ö/OE, Ü/UE meet (so "Rückzahlung", "RUECKZAHLUNG" and "RUCKZAHLUNG" are one word).
  A phrase matches whole words; a `*` at either end lets it be part of a longer word
  (German compounds: "*ERSTATTUNG" is also "Steuererstattung"; "REFUND*" also "REFUNDED").
- Chinese phrases match anywhere in the text (Chinese writes no spaces between words).

Some words are deliberately absent: "Gutschrift" alone is also the bank's name for any
credit and a buyer's self-billed invoice (it counts beside a rebate word: "Bonusgutschrift",
"Gutschrift Bonus"); "往来款" is an ordinary payment between trading partners; "还款" is
how some customers say they pay their arrears; "DEPOSIT" is a bank's word for a lockbox or
mobile deposit (it means an advance only outside those phrases).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "CONTEXT",
    "MEANINGS",
    "NOT_RECEIPTS",
    "PAYMENT_WORDS",
    "Vocabulary",
    "Words",
    "fold",
    "vocabulary",
]


@dataclass(frozen=True)
class Words:
    """Phrases of one meaning in one language."""

    meaning: str  # a key of MEANINGS
    language: str  # ISO 639-1 code, or "company" for the company's own words
    phrases: tuple[str, ...]
    in_payer: bool = False  # also recognised in the payer's name (authorities, providers)


MEANINGS = {
    # money that is no customer receipt: the words a run's notes use for it
    "refund": "a refund or return",
    "interest": "interest",
    "rebate": "a rebate or bonus",
    "loan": "a loan or shareholder money",
    "deposit": "a security deposit",
    "insurance": "an insurance settlement",
    "tax": "a tax refund",
    "provider": "a card or payment-provider payout",
    "own": "a transfer between own accounts",
    "dividend": "a dividend",
    "salary": "salary or a grant",
    "cashback": "cashback",
    "company": "one of your own non-receipt words",
    # how a receipt is meant
    "advance": "an advance on an order",
    "discount": "an early-payment discount deducted",
    "fee": "a bank fee deducted",
    "partial": "a partial payment",
    # words before a not-a-receipt word that make it part of a receipt
    "context": "deducted from or added to a payment",
}

NOT_RECEIPTS: tuple[Words, ...] = (
    Words("refund", "en", ("REFUND*", "REIMBURSEMENT", "RETURNED GOODS", "GOODS RETURN", "RETURN CREDIT")),
    Words("refund", "de", ("*ERSTATTUNG", "RUECKZAHLUNG", "RETOURE", "*RUECKSENDUNG", "RUECKUEBERWEISUNG")),
    Words("refund", "fr", ("REMBOURSEMENT", "RETOUR MARCHANDISE")),
    Words("refund", "zh", ("退款", "退货", "退回", "退费", "返还")),
    Words("interest", "en", ("INTEREST", "CREDIT INTEREST", "INTEREST PAYMENT")),
    Words("interest", "de", ("ZINSEN", "HABENZINS*", "*ZINSGUTSCHRIFT", "ZINSERTRAG")),
    Words("interest", "fr", ("INTERETS", "INTERET CREDITEUR")),
    Words("interest", "zh", ("利息", "结息")),
    Words("rebate", "en", ("REBATE*", "VOLUME BONUS", "BONUS", "CO-OP FUNDS")),
    Words("rebate", "de", ("*BONUS*", "*RUECKVERGUETUNG", "WKZ", "WERBEKOSTENZUSCHUSS")),
    Words("rebate", "fr", ("RISTOURNE", "BONIFICATION", "REMISE DE FIN D ANNEE")),
    Words("rebate", "zh", ("返利", "返点", "奖励款")),
    Words(
        "loan",
        "en",
        ("LOAN", "LOAN PROCEEDS", "SHAREHOLDER LOAN", "CAPITAL CONTRIBUTION", "CAPITAL INJECTION"),
    ),
    Words(
        "loan", "de", ("*DARLEHEN", "KREDITAUSZAHLUNG", "KREDIT AUSZAHLUNG", "KAPITALEINLAGE", "STAMMKAPITAL")
    ),
    Words("loan", "fr", ("PRET", "APPORT EN CAPITAL", "COMPTE COURANT D ASSOCIE")),
    Words("loan", "zh", ("借款", "贷款", "注资", "投资款", "股东投入")),
    Words("deposit", "en", ("SECURITY DEPOSIT", "RENTAL DEPOSIT", "DEPOSIT REFUND")),
    Words("deposit", "de", ("*KAUTION", "SICHERHEITSLEISTUNG")),
    Words("deposit", "fr", ("CAUTION", "DEPOT DE GARANTIE")),
    Words("deposit", "zh", ("押金", "保证金")),
    Words(
        "insurance",
        "en",
        ("INSURANCE CLAIM", "INSURANCE SETTLEMENT", "CLAIM SETTLEMENT", "INSURANCE PAYOUT"),
    ),
    Words(
        "insurance",
        "de",
        ("SCHADENSREGULIERUNG", "SCHADENREGULIERUNG", "VERSICHERUNGSLEISTUNG", "ENTSCHAEDIGUNG"),
    ),
    Words("insurance", "de", ("VERSICHERUNG*",), in_payer=True),
    Words("insurance", "fr", ("INDEMNISATION", "SINISTRE")),
    Words("insurance", "zh", ("理赔", "赔款", "保险")),
    Words("tax", "en", ("TAX REFUND", "VAT REFUND", "IRS TREAS*", "US TREASURY", "HMRC", "TAX OFFICE"), True),
    Words(
        "tax",
        "de",
        ("FINANZAMT", "FINANZKASSE", "BUNDESKASSE", "BUNDESZENTRALAMT", "STEUERERSTATTUNG", "UST ERSTATTUNG"),
        True,
    ),
    Words("tax", "fr", ("IMPOTS", "DGFIP", "TRESOR PUBLIC", "REMBOURSEMENT TVA"), True),
    Words("tax", "zh", ("退税", "税务局", "国库", "国家金库"), True),
    Words(
        "provider",
        "en",
        (
            "PAYPAL",
            "STRIPE",
            "SQUARE INC",
            "SQUARE PAYOUT",
            "ADYEN",
            "SUMUP",
            "KLARNA",
            "MOLLIE",
            "WORLDPAY",
            "SHOPIFY",
            "AMERICAN EXPRESS",
            "AMEX SETTLEMENT",
            "MERCHANT SETTLEMENT",
            "CARD SETTLEMENT",
            "BANKCARD",
            "MERCH DEP",
            "ALIPAY",
            "WECHAT PAY",
            "TENPAY",
        ),
        True,
    ),
    Words("provider", "de", ("KARTENUMSATZ*", "KARTENZAHLUNGEN", "HAENDLERABRECHNUNG"), True),
    Words("provider", "zh", ("支付宝", "财付通", "微信支付", "银联商务", "拉卡拉", "快钱"), True),
    Words("own", "en", ("OWN TRANSFER", "INTERNAL TRANSFER", "TRANSFER BETWEEN ACCOUNTS")),
    Words("own", "de", ("UMBUCHUNG", "UEBERTRAG", "EIGENUEBERTRAG", "KONTOUEBERTRAG")),
    Words("own", "fr", ("VIREMENT INTERNE",)),
    Words("own", "zh", ("内部转账", "资金调拨")),
    Words("dividend", "en", ("DIVIDEND*",)),
    Words("dividend", "de", ("DIVIDENDE",)),
    Words("dividend", "zh", ("股息", "分红")),
    Words("salary", "en", ("SALARY", "PAYROLL", "SUBSIDY")),
    Words("salary", "de", ("GEHALT", "LOHN", "FOERDERMITTEL", "ZUSCHUSS")),
    Words("salary", "fr", ("SALAIRE", "SUBVENTION")),
    Words("salary", "zh", ("工资", "补贴", "补助")),
    Words("cashback", "en", ("CASHBACK", "CASH BACK")),
    Words("cashback", "zh", ("返现",)),
)

PAYMENT_WORDS: tuple[Words, ...] = (
    Words(
        "advance",
        "en",
        (
            "ADVANCE",
            "ADVANCE PMT",
            "PREPAYMENT",
            "PRE PAYMENT",
            "PREPAID",
            "DOWN PAYMENT",
            "DOWNPAYMENT",
            "PROFORMA",
            "PRO FORMA",
            "DEPOSIT",
        ),
    ),
    Words("advance", "de", ("ANZAHLUNG", "VORAUSZAHLUNG", "VORKASSE", "PROFORMA*")),
    Words("advance", "fr", ("ACOMPTE SUR COMMANDE", "AVANCE")),
    Words("advance", "zh", ("预付", "定金", "订金", "首付")),
    Words("discount", "en", ("DISCOUNT*", "DISC", "DISC TAKEN", "CASH DISCOUNT", "EARLY PAYMENT")),
    Words("discount", "de", ("*SKONTO", "SKONTOABZUG", "RABATT")),
    Words("discount", "fr", ("ESCOMPTE",)),
    Words("discount", "zh", ("折扣", "现金折扣", "折让")),
    Words("fee", "en", ("FEE", "FEES", "CHARGE", "CHARGES", "BANK CHARGES")),
    Words("fee", "de", ("*GEBUEHR*", "SPESEN", "ENTGELT")),
    Words("fee", "fr", ("FRAIS",)),
    Words("fee", "zh", ("手续费",)),
    Words("partial", "en", ("PARTIAL*", "PART PAYMENT", "PART PMT", "INSTAL*MENT")),
    Words("partial", "de", ("TEILZAHLUNG", "RATE", "ABSCHLAG*")),
    Words("partial", "fr", ("ACOMPTE", "ECHEANCE")),
    Words("partial", "zh", ("部分", "分期")),
)

# Bank phrases in which DEPOSIT is how the money arrived, not what it is for: the word before
# it (numbers skipped: "LOCKBOX 0456 DEPOSIT"), or the word after it ("DEPOSIT CHECK 70135").
BANK_DEPOSITS = (
    frozenset({"LOCKBOX", "MOBILE", "BRANCH", "ATM", "REMOTE", "NIGHT", "DIRECT", "CASH", "COUNTER"}),
    frozenset({"CHECK", "CHECKS", "CHEQUE", "ITEM", "ITEMS", "CASH"}),
)

CONTEXT: tuple[Words, ...] = (
    Words("context", "en", ("LESS", "MINUS", "NET OF", "DEDUCT*", "PLUS", "INCL", "INCLUDING")),
    Words("context", "de", ("ABZGL", "ABZUEGLICH", "ABZUG", "ZZGL", "ZUZUEGLICH", "INKL", "INKLUSIVE")),
    Words("context", "fr", ("MOINS", "DEDUCTION", "DEDUIT")),
    Words("context", "zh", ("扣除", "扣", "减", "抵扣", "含")),
)

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "ss"})
_DIGRAPH = re.compile(r"(?<=[A-Z])(AE|OE|UE)")
_HAN = re.compile(r"[\u3400-\u9fff]")


def fold(text: str) -> str:
    """Upper case ASCII with umlauts met ("Rückzahlung" = "RUECKZAHLUNG" = "RUCKZAHLUNG")."""
    if not text.isascii():
        text = anyascii(unicodedata.normalize("NFKC", text.translate(_GERMAN)))
    return _DIGRAPH.sub(lambda m: m.group()[0], text.upper())


def _body(phrase: str) -> str:
    """A Latin phrase's words as a regex on folded text, any separators between them; whole at
    its end unless a `*` lets it run on."""
    words = [re.escape(w) for w in re.split(r"[^A-Z0-9]+", fold(phrase.strip("*"))) if w]
    return r"[^A-Z0-9]*".join(words) + ("" if phrase.endswith("*") else r"(?![A-Z])")


def _pattern(phrases: tuple[str, ...]) -> tuple[str, str]:
    """(regex on folded text, regex on the raw text) for Latin and Chinese phrases.

    Phrases that start a word share one look-behind in front of their alternatives (a look-
    behind in each alternative makes a search some fifteen times slower).
    """
    latin = sorted((p for p in phrases if not _HAN.search(p)), key=len, reverse=True)
    whole = "|".join(_body(p) for p in latin if not p.startswith("*"))
    inside = "|".join(_body(p) for p in latin if p.startswith("*"))
    parts = ([rf"(?<![A-Z])(?:{whole})"] if whole else []) + ([f"(?:{inside})"] if inside else [])
    han = [re.escape(unicodedata.normalize("NFKC", p)) for p in phrases if _HAN.search(p)]
    return "|".join(parts), "|".join(han)


@dataclass(frozen=True)
class _Meaning:
    meaning: str
    folded: re.Pattern[str] | None
    raw: re.Pattern[str] | None
    in_payer: bool

    def search(self, folded: str, raw: str) -> re.Match[str] | None:
        return (self.folded.search(folded) if self.folded else None) or (
            self.raw.search(raw) if self.raw else None
        )


def _compile(words: tuple[Words, ...]) -> tuple[_Meaning, ...]:
    """One pattern per meaning and field (memo only, or payer too), in the order of `words`."""
    grouped: dict[tuple[str, bool], list[str]] = {}
    for w in words:
        grouped.setdefault((w.meaning, w.in_payer), []).extend(w.phrases)
    out = []
    for (meaning, in_payer), phrases in grouped.items():
        latin, han = _pattern(tuple(phrases))
        out.append(
            _Meaning(
                meaning, re.compile(latin) if latin else None, re.compile(han) if han else None, in_payer
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Vocabulary:
    """The compiled words: what money is not, how a receipt is meant, and the context words."""

    not_receipts: tuple[_Meaning, ...]
    payment: dict[str, _Meaning]
    context: _Meaning
    any_folded: re.Pattern[str]  # every not-a-receipt phrase at once, for one quick pass
    any_raw: re.Pattern[str] | None
    any_payment: re.Pattern[str]  # every payment word at once
    any_payment_raw: re.Pattern[str] | None

    def not_receipt(self, memo: str, payer: str, *, payer_counts: bool) -> str:
        """The meaning of the first not-a-receipt word in the memo (or payer), "" when none.

        A word right after a context word ("abzgl. Bonus", "LESS REBATE") is a deduction or
        addition within a receipt, not what the money is. Payer words count only when
        `payer_counts` (the payer is not one of the customers by name).
        """
        folded_memo, folded_payer = fold(memo), fold(payer)
        for m in self.not_receipts:
            found = m.search(folded_memo, memo)
            text = folded_memo if found and found.re is m.folded else memo
            if found and not self._after_context(text, found.start()):
                return m.meaning
            if payer_counts and m.in_payer and m.search(folded_payer, payer):
                return m.meaning
        return ""

    def _after_context(self, text: str, start: int) -> bool:
        before = text[max(0, start - 12) : start]
        return bool(self.context.search(fold(before), before))

    def says(self, meaning: str, memo: str) -> bool:
        """Whether the memo uses a word of `meaning` (advance, discount, fee, partial)."""
        words, folded = self.payment[meaning], fold(memo)
        if words.raw is not None and words.raw.search(memo):
            return True
        for found in words.folded.finditer(folded) if words.folded is not None else ():
            if meaning != "advance" or not found.group().startswith("DEPOSIT"):
                return True
            before = [w for w in re.findall(r"[A-Z0-9]+", folded[: found.start()]) if not w.isdigit()]
            after = re.findall(r"[A-Z0-9]+", folded[found.end() :])
            if not (before and before[-1] in BANK_DEPOSITS[0]) and not (
                after and after[0] in BANK_DEPOSITS[1]
            ):
                return True
        return False


@lru_cache(maxsize=8)
def vocabulary(own_words: tuple[str, ...] = ()) -> Vocabulary:
    """The default words plus a company's own not-a-receipt words (Settings: match_non_receipt_words)."""
    own = (Words("company", "company", own_words),) if own_words else ()
    not_receipts = _compile((*own, *NOT_RECEIPTS))
    latin, han = _pattern(tuple(p for w in (*own, *NOT_RECEIPTS) for p in w.phrases))
    payment = {m.meaning: m for m in _compile(PAYMENT_WORDS)}
    pay_latin, pay_han = _pattern(tuple(p for w in PAYMENT_WORDS for p in w.phrases))
    return Vocabulary(
        not_receipts,
        payment,
        _compile(CONTEXT)[0],
        re.compile(latin),
        re.compile(han) if han else None,
        re.compile(pay_latin),
        re.compile(pay_han) if pay_han else None,
    )
