"""Money that is no customer receipt, in the languages our users bank in; words that say how a
receipt is meant. The memos are written here for these tests (wording after real bank files)."""

from __future__ import annotations

import pandas as pd
import pytest

from matching.matcher.screening import non_receipt
from matching.matcher.vocabulary import MEANINGS, NOT_RECEIPTS, PAYMENT_WORDS, fold, vocabulary


def lines(*rows: tuple[str, str]) -> pd.DataFrame:
    """(payer, memo) per line."""
    return pd.DataFrame(rows, columns=["Payer", "Memo"])


def meaning(payer: str, memo: str, **options) -> str:
    return non_receipt(lines((payer, memo)), vocabulary(), "", **options).iloc[0]


@pytest.mark.parametrize(
    "payer, memo, expected",
    [
        ("Sparkasse Köln", "Zinsen 1. Quartal", "interest"),
        ("中国工商银行", "结息", "interest"),
        ("中国银行", "存款利息", "interest"),
        ("Bunq", "Interest payment", "interest"),
        ("Müller GmbH", "Erstattung Doppelzahlung", "a refund or return"),
        ("Müller GmbH", "RUECKZAHLUNG Ueberzahlung", "a refund or return"),
        ("Müller GmbH", "Rückzahlung", "a refund or return"),
        ("上海某公司", "退款", "a refund or return"),
        ("武汉宏威贸易有限公司", "退货款", "a refund or return"),
        ("Lieferant AG", "Jahresbonus 2025", "a rebate or bonus"),
        ("Lieferant AG", "Gutschrift Bonus Nr. 4471", "a rebate or bonus"),
        ("Lieferant AG", "WKZ Gutschrift 2025", "a rebate or bonus"),
        ("青岛某实业有限公司", "4季度返利", "a rebate or bonus"),
        ("ACME DISTRIBUTING", "VOLUME REBATE Q4", "a rebate or bonus"),
        ("Hans Meier", "Darlehen lt. Vertrag", "a loan or shareholder money"),
        ("Hans Meier", "Gesellschafterdarlehen", "a loan or shareholder money"),
        ("张三", "股东借款", "a loan or shareholder money"),
        ("Hausverwaltung", "Rückgabe Kaution Halle 3", "a security deposit"),
        ("Allianz", "Schadensregulierung 2026-77", "an insurance settlement"),
        ("Allianz Versicherungs-AG", "Vertrag 99812", "an insurance settlement"),
        ("Finanzamt Kiel", "USt 08/2026", "a tax refund"),
        ("国家税务总局深圳市税务局", "出口退税", "a tax refund"),
        ("PayPal Europe S.a.r.l.", "Auszahlung", "a card or payment-provider payout"),
        ("STRIPE", "STRIPE PAYOUT", "a card or payment-provider payout"),
        ("SumUp Payments", "Auszahlung 14.03.", "a card or payment-provider payout"),
        ("", "ADYEN SETTLEMENT 8812", "a card or payment-provider payout"),
        ("", "SQUARE INC DEPOSIT", "a card or payment-provider payout"),
        ("支付宝（中国）网络技术有限公司", "提现", "a card or payment-provider payout"),
        ("财付通支付科技有限公司", "结算", "a card or payment-provider payout"),
        ("", "Umbuchung vom Tagesgeldkonto", "a transfer between own accounts"),
    ],
)
def test_money_that_is_no_receipt_in_four_languages(payer, memo, expected):
    assert meaning(payer, memo) == expected


@pytest.mark.parametrize(
    "payer, memo",
    [
        ("Müller GmbH", "Gutschrift"),  # the bank's name for a credit, or a self-billed invoice
        ("Müller GmbH", "Re 4711 abzgl. Gutschrift 4712"),  # a credit note netted
        ("武汉宏威贸易有限公司", "往来款"),  # an ordinary payment between trading partners
        ("宁波某公司", "货款"),
        ("ACME CORP", "LOCKBOX 0456 DEPOSIT CHECK 70135"),
        ("Müller GmbH", "Rechnung 4711 abzgl. Bonus 2025"),  # a bonus deducted from a payment
        ("ACME CORP", "INV-4711 LESS REBATE"),
        ("Müller GmbH", "RE 4711 inkl. Zinsen"),  # late interest added to a payment
        ("Müller GmbH", "Rechnung 4711 Verzugszinsen"),  # late interest is the customer's money too
        ("Müller GmbH", "Lohnfertigung März"),  # contract manufacturing, not wages
        ("Provision Tools Ltd", "Payment for provision of services"),
    ],
)
def test_words_that_look_alike_but_are_receipts(payer, memo):
    assert meaning(payer, memo) == ""


def test_a_word_in_the_payers_name_does_not_count_when_the_payer_is_a_customer():
    frame = lines(
        ("Versicherungskammer Bayern", "RE 202600412"), ("Allianz Versicherungs-AG", "RE 202600412")
    )
    known = pd.Series([True, False], index=frame.index)
    assert non_receipt(frame, vocabulary(), "", known_payer=known).tolist() == ["", "an insurance settlement"]


def test_a_provider_payout_naming_one_of_our_invoices_is_a_customer_paying_through_it():
    frame = lines(("PayPal Europe", "Acme Ltd INV-2026-00412"), ("PayPal Europe", "Auszahlung"))
    named = pd.Series([True, False], index=frame.index)
    assert non_receipt(frame, vocabulary(), "", invoice_named=named).tolist() == [
        "",
        "a card or payment-provider payout",
    ]


def test_the_companys_own_words_extend_the_vocabulary():
    frame = lines(("Stadtwerke", "Mieteinnahme Halle 2"), ("Stadtwerke", "Rechnung 4711"))
    assert non_receipt(frame, vocabulary(("Mieteinnahme",)), "").tolist() == [MEANINGS["company"], ""]
    assert non_receipt(frame, vocabulary(), "").tolist() == ["", ""]


def test_the_company_itself_paying_is_an_own_transfer():
    frame = lines(("NORDWERK INDUSTRIETECHNIK GMBH", "Transfer"))
    assert non_receipt(frame, vocabulary(), "Nordwerk Industrietechnik GmbH").tolist() == [MEANINGS["own"]]


@pytest.mark.parametrize(
    "memo, expected",
    [
        ("Anzahlung Auftrag AB-2026-0765", True),
        ("Vorauszahlung lt. Proforma PR-2026-14", True),
        ("预付货款", True),
        ("定金 合同HT202506757", True),
        ("TRN:4895870836TC ADVANCE PMT SO-235277", True),
        ("PMT DET:DEPOSIT PF-8315", True),
        ("LOCKBOX 0456 DEPOSIT CHECK 76902 DEPOSIT PF-9851", True),
        ("LOCKBOX 0456 DEPOSIT CHECK 70135 PMT INV-230961", False),
        ("MOBILE DEPOSIT", False),
        ("Rechnung 202600412", False),
    ],
)
def test_advances_on_orders(memo, expected):
    assert vocabulary().says("advance", memo) is expected


@pytest.mark.parametrize(
    "meaning, memo",
    [
        ("discount", "INV-231394 LESS 1% DISC"),
        ("discount", "RE 202600613 abzgl. 2 % Skonto"),
        ("discount", "票号26442000000474520555 扣现金折扣2%"),
        ("discount", "Facture 2026-0042 escompte 2 %"),
        ("fee", "INV-1 less bank charges"),
        ("fee", "RE 4711 abzgl. Gebühren"),
        ("partial", "INV-231077 PARTIAL"),
        ("partial", "Teilzahlung RE 4711"),
        ("partial", "分期付款 发票26442000000474520177"),
    ],
)
def test_how_a_receipt_is_meant(meaning, memo):
    assert vocabulary().says(meaning, memo)


def test_every_phrase_is_data_with_a_known_meaning_and_language():
    for words in (*NOT_RECEIPTS, *PAYMENT_WORDS):
        assert words.meaning in MEANINGS
        assert words.language in {"en", "de", "fr", "zh"}
        assert words.phrases


def test_folding_meets_umlauts_and_their_spellings():
    assert fold("Rückzahlung") == fold("RUECKZAHLUNG") == fold("RUCKZAHLUNG") == "RUCKZAHLUNG"
