"""A German Mittelstand supplier's month: SEPA credits with Verwendungszweck, Skonto, a CAMT.053.

Customers are GmbH, GmbH & Co. KG, AG, e.K. with umlauts in their names; their banks send
the name in the SEPA character set about half the time ("Mueller Haustechnik GmbH + Co. KG"),
some older systems cut it at 27 characters. Our invoices are numbered year + serial
(202603074), which customers write as "RE 202603074", "Rechnung Nr. 202603074 Kd-Nr.
10023", "3074/2026" or "2026-03074"; a quarter of customers have 2 % Skonto within 10 or 14
days and write "abzgl. 2 % Skonto"; credit notes are a series of their own (GS...). Money
that is no receipt: Zinsen, Finanzamt refunds, Kaution back, Schadensregulierung from the
insurer, a Gesellschafterdarlehen, bonuses (Bonus, Gutschrift) from customers who are also
suppliers, PayPal/SumUp/Stripe/Adyen payouts. The bank file is a camt.053.001.02 statement
as a Sparkasse delivers it (one TxDtls per entry, AcctSvcrRef, AddtlNtryInf).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import ClassVar

from lxml import etree

from .model import Customer, Invoice, Line, Receipt
from .style import Debit, Style

__all__ = ["Germany"]

_SURNAMES = [
    "Müller",
    "Schröder",
    "Schäfer",
    "Krüger",
    "Köhler",
    "Jäger",
    "Günther",
    "Böhm",
    "Fröhlich",
    "Weiß",
    "Schulz",
    "Hoffmann",
    "Wagner",
    "Becker",
    "Fischer",
    "Meyer",
    "Weber",
    "Schneider",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Schmitt",
    "Huber",
    "Bauer",
    "Richter",
    "Klein",
    "Möller",
    "Röder",
    "Brückner",
    "Mößner",
]
_TRADES = [
    "Maschinenbau",
    "Haustechnik",
    "Elektrotechnik",
    "Metallbau",
    "Logistik",
    "Bau",
    "Holzbau",
    "Kunststofftechnik",
    "Lebensmittel",
    "Druckerei",
    "Automation",
    "Anlagenbau",
    "Stahlhandel",
    "Sanitär",
    "Feinmechanik",
    "Gerätebau",
    "Verpackung",
    "Medizintechnik",
    "Fahrzeugteile",
    "Werkzeugbau",
    "Heizungsbau",
    "Elektro",
    "Kältetechnik",
]
_FORMS = (
    "GmbH",
    "GmbH",
    "GmbH",
    "GmbH & Co. KG",
    "GmbH & Co. KG",
    "AG",
    "KG",
    "e.K.",
    "OHG",
    "UG (haftungsbeschränkt)",
)
_REGIONS = ("Nord", "Süd", "West", "Ost", "Bayern", "Sachsen", "Rhein-Main")
_CITIES = (
    "Freiburg",
    "Stuttgart",
    "Karlsruhe",
    "Mannheim",
    "Ulm",
    "München",
    "Köln",
    "Nürnberg",
    "Würzburg",
    "Offenburg",
)
_FOREIGN = (
    ("Keller Maschinen AG", "CHF", "de"),
    ("Brightline Tools Inc.", "USD", "en"),
    ("Harrow Engineering Ltd", "GBP", "en"),
    ("Zürcher Feinmechanik AG", "CHF", "de"),
    ("Lakeside Industrial Corp.", "USD", "en"),
)
_GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _money(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def sepa(text: str) -> str:
    """Text in the SEPA character set as many German banks send it: umlauts spelled out, & as +."""
    return text.translate(_TRANSLIT).replace("&", "+")


class Germany(Style):
    code = "de"
    company_name = "Schwarzwald Präzisionsteile GmbH"
    company_address = "Gewerbestraße 12, 79108 Freiburg im Breisgau"
    base_currency = "EUR"
    language = "de"
    date_order = "dmy"
    fee_tolerance = "25.00"
    po_share = 0.10
    discount_share = 0.25
    discount_terms = ((2, 10), (2, 14), (3, 8))
    typical_lateness = 6
    fixed_fees = (1_190_00, 595_00)
    fixed_fee_segment = "Wartungsvertrag"
    coarse_step = 100_00
    account = "DE89680501010012345678"
    rates: ClassVar[dict[str, float]] = {"USD": 0.92, "CHF": 1.04, "GBP": 1.17}

    # -- money ---------------------------------------------------------------------------
    def invoice_median(self) -> int:
        return 2_600_00

    def invoice_amount(self, rng: random.Random, scale: float) -> int:
        net = rng.lognormvariate(0, 1.0) * 2_200 * scale**0.5
        return round(round(net, 2) * 1.19 * 100)

    def bank_fee(self, rng: random.Random) -> int:
        return rng.choice((5_00, 7_50, 10_00, 12_50, 15_00, 20_00, 25_00))

    # whole units: lowest, highest, rounded to (1: with cents)
    other_ranges: ClassVar[dict[str, tuple[int, int, int]]] = {
        "rebate": (500, 25_000, 1),
        "refund": (40, 8_000, 1),
        "interest": (1, 400, 1),
        "loan": (20_000, 300_000, 5_000),
        "deposit": (1_500, 15_000, 100),
        "insurance": (300, 40_000, 1),
        "tax_refund": (200, 60_000, 1),
        "psp_payout": (50, 6_000, 1),
        "own_transfer": (5_000, 200_000, 5_000),
    }

    # -- customers -----------------------------------------------------------------------
    def customer_id(self, i: int) -> str:
        return str(10001 + i)

    def customer_name(self, rng: random.Random, taken: set[str]) -> str:
        while True:
            surname, trade, form = rng.choice(_SURNAMES), rng.choice(_TRADES), rng.choice(_FORMS)
            name = rng.choice(
                (
                    f"{surname} {trade} {form}",
                    f"{surname} {trade} {form}",
                    f"{trade} {surname} {form}",
                    f"{surname} & Söhne {trade} {form}",
                    f"{surname} {trade} {rng.choice(_REGIONS)} {form}",
                )
            )
            if name not in taken:
                return name

    def twin_name(self, rng: random.Random, name: str, taken: set[str]) -> str:
        surname = name.split()[0]
        variants = [
            name.replace(" GmbH & Co. KG", " GmbH")
            if "& Co. KG" in name
            else name.replace(" GmbH", " GmbH & Co. KG"),
            name.replace(surname, surname.replace("ö", "o", 1) if "ö" in surname else surname + "s", 1),
            name.replace(surname, f"{surname} {rng.choice(_REGIONS)}", 1),
        ]
        fresh = [v for v in variants if v != name and v not in taken]
        return rng.choice(fresh) if fresh else self.customer_name(rng, taken)

    def foreign_customer(self, rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
        fresh = [f for f in _FOREIGN if f[0] not in taken]
        return rng.choice(fresh) if fresh else (self.customer_name(rng, taken), "EUR", "de")

    def group_names(self, rng: random.Random, g: int) -> tuple[str, list[str]]:
        surname, trade = rng.choice(_SURNAMES), rng.choice(_TRADES)
        regions = rng.sample(_REGIONS, 3)
        members = [f"{surname} {trade} {r} GmbH" for r in regions]
        payer = f"{surname} Holding GmbH" if g % 2 else f"{surname} Shared Services GmbH"
        return payer, members[: 2 + g % 2]

    def bank_name(self, rng: random.Random, customer: Customer) -> str:
        name = customer.name
        roll = rng.random()
        if roll < 0.5:
            name = sepa(name)
        if rng.random() < 0.15:
            name = name[:27]  # an older system keeps 27 characters
        if rng.random() < 0.1:
            name = name.upper()
        return name.strip()

    def contact(self, rng: random.Random, customer: Customer) -> tuple[str, str]:
        word = sepa(customer.name.split()[0]).lower()
        city = rng.choice(_CITIES)
        return (
            f"buchhaltung@{word}-{customer.id[-3:]}.de",
            f"Industriestraße {rng.randint(1, 99)}, {rng.randint(10000, 99999)} {city}",
        )

    def terms_days(self, rng: random.Random) -> int:
        return rng.choice((14, 30, 30, 30, 45))

    def third_party(self, rng: random.Random) -> str:
        return rng.choice(
            (
                "Deutsche Factoring Bank GmbH & Co. KG",
                "abcfinance GmbH",
                "Creditreform Inkasso",
                f"{rng.choice(('Hans', 'Petra', 'Jürgen', 'Sabine'))} {rng.choice(_SURNAMES)}",
            )
        )

    # -- numbers -------------------------------------------------------------------------
    serial_width = 5  # 202603074; a company writing more than 99,999 invoices a year has 6 digits

    def number_invoices(self, invoices: list[Invoice], rng: random.Random) -> None:
        per_year = max(Counter(i.date.year for i in invoices).values(), default=0)
        self.serial_width = max(5, len(str(300 + per_year * 11 // 10)))  # room for gaps in the series
        super().number_invoices(invoices, rng)

    def first_serial(self, rng: random.Random) -> int:
        return rng.randrange(0, 300)

    def invoice_number(self, date: dt.date, serial: int, credit_note: bool) -> str:
        return f"GS-{date.year}-{serial:04d}" if credit_note else f"{date.year}{serial:0{self.serial_width}d}"

    def typed_forms(self, number: str) -> list[str]:
        if not number.isdigit():
            return [number.replace("-", ""), number.replace("GS-", "GS ")]
        year, serial = number[:4], number[4:]
        short = str(int(serial))
        return [
            f"{short}/{year}",
            f"{year}-{serial}",
            f"{year}/{short}",
            f"{serial}/{year[2:]}",
            f"RE {short}",
        ]

    def reference(self, rng: random.Random, customer: Customer, date: dt.date) -> str:
        return rng.choice((f"4500{rng.randrange(100_000, 999_999)}", f"BE-{rng.randrange(10_000, 99_999)}"))

    def proforma(self, rng: random.Random) -> str:
        return rng.choice((f"AB-2026-{rng.randrange(1, 999):04d}", f"PR2026{rng.randrange(1, 999):04d}"))

    # -- words ---------------------------------------------------------------------------
    def render(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        numbers = self.cited(receipt, rng)
        joined = rng.choice((", ", " ", "/", " u. ")).join(numbers)
        situation = receipt.situation
        customer = receipt.payer.customer
        payer = customer.bank_name if customer else ""
        kd = f" Kd-Nr. {customer.id}" if customer and rng.random() < 0.3 else ""
        channel = "SEPA-Gutschrift"
        lead = (
            rng.choice(("RE", "Rechnung", "Rechnung Nr.", "Re.-Nr.", "RE-Nr.", "Rg.", "")) if numbers else ""
        )
        if len(numbers) > 1:
            lead = rng.choice(("RE", "Rechnungen", "Rg.", "RE-Nr."))
        memo = f"{lead} {joined}{kd}".strip()
        if receipt.cite == "none":
            memo = rng.choice(
                (
                    "Zahlung",
                    "Rechnungsausgleich",
                    "Ausgleich offener Posten",
                    "Ueberweisung",
                    f"Kd-Nr. {customer.id}" if customer else "Zahlung",
                    "",
                )
            )
            if situation == "same_amount_many":
                memo = rng.choice(("Wartung", "Wartungsvertrag", "Dauerauftrag Wartung"))
        elif receipt.cite == "reference":
            memo = rng.choice(
                (f"Bestellnr. {joined}", f"Ihre Bestellung {joined}", f"Best.-Nr. {joined}", f"PO {joined}")
            )
        elif receipt.cite == "period":
            period: dt.date = receipt.details["period"]  # type: ignore[assignment]
            memo = rng.choice(
                (
                    f"Wartung {period:%m/%Y}",
                    f"Wartungspauschale {_GERMAN_MONTHS[period.month - 1]} {period.year}",
                    f"Servicevertrag {period:%m.%Y}",
                )
            )
        elif receipt.cite == "proforma":
            pf = receipt.details["proforma"]
            memo = rng.choice(
                (f"Anzahlung lt. AB {pf}", f"Vorauszahlung Proforma {pf}", f"Anzahlung Auftrag {pf}")
            )
        if situation == "partial":
            memo = rng.choice((f"Teilzahlung {memo}", f"Abschlag {memo}", f"1. Rate {memo}"))
        elif situation == "remainder":
            memo = rng.choice((f"Restzahlung {memo}", f"Rest {memo}", memo))
        elif situation in ("discount_in_period", "discount_after_period"):
            percent, short = receipt.details["percent"], _money(int(receipt.details["short"]))  # type: ignore[call-overload]
            memo = rng.choice(
                (
                    f"{memo} abzgl. {percent} % Skonto",
                    f"{memo} ./. {percent}% Skonto {short}",
                    f"{memo} abzueglich {percent}% Skonto",
                    f"{memo} unter Abzug von {percent} % Skonto",
                    memo,
                )
            )
        elif situation == "credit_note_netted":
            memo = rng.choice(
                (f"RE {numbers[0]} abzgl. Gutschrift {numbers[1]}", f"RE {numbers[0]} ./. {numbers[1]}")
            )
        elif situation == "other_currency":
            foreign = f"{receipt.details['foreign_currency']} {int(receipt.details['foreign']) / 100:,.2f}"  # type: ignore[call-overload]
            memo = rng.choice((f"INVOICE {numbers[0]} {foreign}", f"Inv. {numbers[0]}", f"{memo} {foreign}"))
            channel = "Auslandsueberweisung"
        elif situation == "group_payment":
            payer = receipt.payer.name
            names = " und ".join(sorted({i.customer.name.split(" GmbH")[0] for i in receipt.cites}))
            memo = rng.choice(
                (f"Sammelzahlung RE {joined}", f"Zahlung fuer {names}: {joined}", f"RE {joined}")
            )
        elif situation == "third_party_payer":
            payer = receipt.payer.name
            memo = rng.choice(
                (
                    f"{memo} {receipt.cites[0].customer.name}",
                    f"fuer {receipt.cites[0].customer.name} {memo}",
                    memo,
                )
            )
        elif situation == "bank_fee":
            channel = "Auslandsueberweisung"
        elif situation in _OTHER:
            name, memo, channel = self._other(receipt, rng)
            payer = payer or name
        if rng.random() < 0.5:
            memo = sepa(memo)
        return payer, memo[:140], channel

    def _other(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        names, memos, channel = _OTHER[receipt.situation]
        day = receipt.date
        pick = rng.randrange(len(names))  # a provider's payout carries its own words
        name = names[pick].format(supplier=self.customer_name(rng, set()), surname=rng.choice(_SURNAMES))
        memo = (memos[pick] if receipt.situation == "psp_payout" else rng.choice(memos)).format(
            year=day.year - 1,
            now=day.year,
            q=(day.month - 1) // 3 or 4,
            mm=f"{(day.month - 2) % 12 + 1:02d}",
            doc=rng.randrange(10_000, 999_999),
        )
        return name, memo, channel

    def debit(self, rng: random.Random) -> Debit:
        roll = rng.random()
        if roll < 0.5:
            return (
                self.customer_name(rng, set()),
                f"RE {rng.randrange(10_000, 99_999)} Kd {rng.randrange(1000, 9999)}",
                round(rng.lognormvariate(7, 1.2)) * 100,
                "SEPA-Ueberweisung",
            )
        if roll < 0.65:
            return (
                f"{rng.choice(('Anna', 'Tobias', 'Lena', 'Markus'))} {rng.choice(_SURNAMES)}",
                "Lohn/Gehalt",
                rng.randrange(2_200, 6_500) * 100,
                "SEPA-Ueberweisung",
            )
        if roll < 0.8:
            return (
                "Finanzamt Freiburg-Stadt",
                rng.choice(("USt-VA", "Lohnsteuer", "Gewerbesteuer")),
                rng.randrange(500, 40_000) * 100,
                "SEPA-Lastschrift",
            )
        return (
            "Sparkasse Freiburg-Noerdlicher Breisgau",
            rng.choice(("Kontofuehrungsentgelt", "Entgelt Auslandszahlung")),
            rng.randrange(5, 80) * 100,
            "Entgelt",
        )

    def bank_ref(self, day: dt.date, serial: int) -> str:
        return f"{day:%Y%m%d}{serial:06d}SPK"

    def bank_files(self, lines: list[Line], start: dt.date, end: dt.date) -> dict[str, bytes]:
        ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"

        def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
            node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
            node.text = text
            return node

        def balance(parent: etree._Element, code: str, cents: int, day: dt.date) -> None:
            bal = el(parent, "Bal")
            el(el(el(bal, "Tp"), "CdOrPrtry"), "Cd", code)
            el(bal, "Amt", f"{abs(cents) / 100:.2f}", Ccy=self.base_currency)
            el(bal, "CdtDbtInd", "CRDT" if cents >= 0 else "DBIT")
            el(el(bal, "Dt"), "Dt", day.isoformat())

        root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
        report = el(root, "BkToCstmrStmt")
        header = el(report, "GrpHdr")
        el(header, "MsgId", f"SPK{end:%Y%m%d}053")
        el(header, "CreDtTm", f"{end + dt.timedelta(days=1)}T06:12:00")
        stmt = el(report, "Stmt")
        el(stmt, "Id", f"{end:%Y%m%d}-{self.account[-6:]}")
        el(stmt, "ElctrncSeqNb", str(end.month))
        el(stmt, "CreDtTm", f"{end + dt.timedelta(days=1)}T06:12:00")
        period = el(stmt, "FrToDt")
        el(period, "FrDtTm", f"{start}T00:00:00")
        el(period, "ToDtTm", f"{end}T23:59:59")
        account = el(stmt, "Acct")
        el(el(account, "Id"), "IBAN", self.account)
        el(account, "Ccy", self.base_currency)
        el(el(account, "Ownr"), "Nm", self.company_name)
        el(el(el(account, "Svcr"), "FinInstnId"), "BIC", "SOLADES1FRB")
        opening = 412_377_81
        balance(stmt, "PRCD", opening, start - dt.timedelta(days=1))
        balance(stmt, "CLBD", opening + sum(line.amount for line in lines), end)
        for line in lines:
            credit = line.amount > 0
            entry = el(stmt, "Ntry")
            el(entry, "Amt", f"{abs(line.amount) / 100:.2f}", Ccy=line.currency)
            el(entry, "CdtDbtInd", "CRDT" if credit else "DBIT")
            el(entry, "Sts", "BOOK")
            el(el(entry, "BookgDt"), "Dt", line.date.isoformat())
            el(el(entry, "ValDt"), "Dt", line.date.isoformat())
            el(entry, "AcctSvcrRef", line.bank_ref)
            tx = el(el(entry, "NtryDtls"), "TxDtls")
            el(el(tx, "Refs"), "EndToEndId", "NOTPROVIDED")
            parties = el(tx, "RltdPties")
            party = "Dbtr" if credit else "Cdtr"
            if line.payer:
                el(el(parties, party), "Nm", line.payer)
            if line.memo:
                el(el(tx, "RmtInf"), "Ustrd", line.memo)
            el(entry, "AddtlNtryInf", line.channel)
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return {f"camt053_{self.account[-8:]}_{start:%Y%m}.xml": body}


_OTHER: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "rebate": (
        ("{supplier}",),
        (
            "Bonus {year}",
            "Jahresbonus {year} Gutschrift {doc}",
            "Umsatzbonus {year}",
            "Gutschrift Bonus Nr. {doc}",
            "WKZ Gutschrift {year}",
        ),
        "SEPA-Gutschrift",
    ),
    "refund": (
        ("{supplier}",),
        (
            "Erstattung Gutschrift {doc}",
            "Rückzahlung Überzahlung RE {doc}",
            "Erstattung Retoure {doc}",
            "Rückzahlung doppelte Zahlung",
        ),
        "SEPA-Gutschrift",
    ),
    "interest": (
        ("", "Sparkasse Freiburg-Noerdlicher Breisgau"),
        ("Zinsen", "Habenzinsen", "Abschluss Zinsen {q}. Quartal"),
        "Abschluss",
    ),
    "loan": (
        ("Dr. Klaus {surname}", "Sparkasse Freiburg-Noerdlicher Breisgau", "L-Bank"),
        (
            "Darlehen Gesellschafter",
            "Gesellschafterdarlehen",
            "Auszahlung Darlehen {doc}",
            "Darlehensauszahlung",
        ),
        "Gutschrift",
    ),
    "deposit": (
        ("Immobilien {surname} GmbH", "Stadtwerke Freiburg GmbH"),
        ("Rückzahlung Mietkaution", "Kaution zurück Halle 3", "Erstattung Kaution"),
        "SEPA-Gutschrift",
    ),
    "insurance": (
        ("Allianz Versicherungs-AG", "R+V Allgemeine Versicherung AG", "HDI Versicherung AG"),
        ("Schadensregulierung Schaden-Nr. {doc}", "Schadenzahlung {doc}", "Regulierung Schaden {doc}"),
        "SEPA-Gutschrift",
    ),
    "tax_refund": (
        ("Finanzamt Freiburg-Stadt",),
        (
            "Erstattung USt {mm}/{now} StNr 06412345678",
            "Steuererstattung",
            "Erstattung Koerperschaftsteuer {year}",
        ),
        "SEPA-Gutschrift",
    ),
    "psp_payout": (
        (
            "PayPal (Europe) S.a r.l. et Cie, S.C.A.",
            "SumUp Payments Limited",
            "Stripe Technology Europe Ltd",
            "Adyen N.V.",
        ),
        (
            "PAYPAL Auszahlung {doc}",
            "SumUp Auszahlung {doc}",
            "STRIPE PAYOUT {doc}",
            "Adyen payout batch {doc}",
        ),
        "SEPA-Gutschrift",
    ),
    "own_transfer": (
        ("Schwarzwald Praezisionsteile GmbH",),
        ("Umbuchung", "Uebertrag von Tagesgeld"),
        "Umbuchung",
    ),
}
