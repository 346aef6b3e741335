"""The built-in wording and dunning ladder, as table rows the workbook can hold.

`arbook new` writes these rows into the workbook's `Templates` and `DunningLevels` tables,
where the team edits them; a row in the workbook overrides the built-in row with the same
Name and Language. Bodies are Jinja2 HTML rendered in a sandbox. Variables every template
sees: `company` (name, address, email, remit_to), `customer` (id, name, contact, address,
email), `as_of`, `currency`, `labels`. Statements add `period_start`, `period_end`,
`opening_balance`, `closing_balance`, `total_open`, `overdue_total` and the ready-made
block `statement`; reminders and notices add `level`, `invoices`, `overdue_total`, `fee`,
`interest`, `interest_rate`, `late_interest`, `total_due` and the block `overdue_table`.
Amounts and dates arrive already formatted for the customer's locale.

`upcoming` is not a message but a part of one: when a customer is due a reminder and an
overdue notice on the same day, they get the notice, and this part (rendered with the
reminder's variables) follows the notice's own overdue table. Its Subject is not used.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DUNNING_LEVELS", "DEFAULT_TEMPLATES"]

_SIGN = "<p>{kind}<br>{{{{ company.name }}}}</p>"

_WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "statement": (
            "Statement of account {{ as_of }} – {{ company.name }}",
            "<p>Dear {{ customer.contact or customer.name }},</p>"
            "<p>please find your statement of account as of {{ as_of }} below and attached as a PDF.</p>"
            "{{ statement }}"
            "<p>Please confirm that the balance of {{ closing_balance }} as of {{ as_of }} agrees with "
            "your records, or tell us about any difference by replying to this message.</p>",
        ),
        "reminder": (
            "Friendly reminder: invoices due soon – {{ company.name }}",
            "<p>Dear {{ customer.contact or customer.name }},</p>"
            "<p>this is a friendly reminder that the following invoices fall due shortly.</p>"
            "{{ overdue_table }}"
            "<p>If you have already arranged payment, thank you and please disregard this message.</p>",
        ),
        "notice1": (
            "Payment reminder – {{ company.name }}",
            "<p>Dear {{ customer.contact or customer.name }},</p>"
            "<p>according to our records the following invoices are overdue. Perhaps this has "
            "escaped your attention; we kindly ask you to pay {{ total_due }}.</p>"
            "{{ overdue_table }}",
        ),
        "notice2": (
            "Second reminder: overdue invoices – {{ company.name }}",
            "<p>Dear {{ customer.contact or customer.name }},</p>"
            "<p>we have not yet received payment for the invoices below despite our reminder. "
            "Please pay {{ total_due }} within 7 days.</p>"
            "{{ overdue_table }}",
        ),
        "notice3": (
            "Final notice before collection – {{ company.name }}",
            "<p>Dear {{ customer.contact or customer.name }},</p>"
            "<p>the invoices below remain unpaid. Unless we receive {{ total_due }} within 7 days we "
            "will pass the matter to collection without further notice.</p>"
            "{{ overdue_table }}",
        ),
    },
    "de": {
        "statement": (
            "Kontoauszug zum {{ as_of }} – {{ company.name }}",
            "<p>Guten Tag {{ customer.contact or customer.name }},</p>"
            "<p>anbei erhalten Sie Ihren Kontoauszug zum {{ as_of }}, unten und als PDF im Anhang.</p>"
            "{{ statement }}"
            "<p>Bitte bestätigen Sie uns den Saldo von {{ closing_balance }} zum {{ as_of }} oder teilen "
            "Sie uns Abweichungen als Antwort auf diese Nachricht mit.</p>",
        ),
        "reminder": (
            "Freundliche Erinnerung: bald fällige Rechnungen – {{ company.name }}",
            "<p>Guten Tag {{ customer.contact or customer.name }},</p>"
            "<p>wir erinnern freundlich an die folgenden, in Kürze fälligen Rechnungen.</p>"
            "{{ overdue_table }}"
            "<p>Falls Sie die Zahlung bereits veranlasst haben, danken wir Ihnen.</p>",
        ),
        "notice1": (
            "Zahlungserinnerung – {{ company.name }}",
            "<p>Guten Tag {{ customer.contact or customer.name }},</p>"
            "<p>nach unseren Unterlagen sind die folgenden Rechnungen überfällig. Sicher ist Ihnen das "
            "entgangen; bitte überweisen Sie {{ total_due }}.</p>"
            "{{ overdue_table }}",
        ),
        "notice2": (
            "Zweite Mahnung – {{ company.name }}",
            "<p>Guten Tag {{ customer.contact or customer.name }},</p>"
            "<p>trotz unserer Erinnerung ist für die folgenden Rechnungen noch keine Zahlung eingegangen. "
            "Bitte überweisen Sie {{ total_due }} innerhalb von 7 Tagen.</p>"
            "{{ overdue_table }}",
        ),
        "notice3": (
            "Letzte Mahnung vor Inkasso – {{ company.name }}",
            "<p>Guten Tag {{ customer.contact or customer.name }},</p>"
            "<p>die folgenden Rechnungen sind weiterhin unbezahlt. Geht {{ total_due }} nicht innerhalb "
            "von 7 Tagen ein, übergeben wir die Forderung ohne weitere Ankündigung dem Inkasso.</p>"
            "{{ overdue_table }}",
        ),
    },
    "fr": {
        "statement": (
            "Relevé de compte au {{ as_of }} – {{ company.name }}",
            "<p>Bonjour {{ customer.contact or customer.name }},</p>"
            "<p>veuillez trouver ci-dessous et en PDF joint votre relevé de compte au {{ as_of }}.</p>"
            "{{ statement }}"
            "<p>Merci de nous confirmer le solde de {{ closing_balance }} au {{ as_of }} ou de nous "
            "signaler tout écart en répondant à ce message.</p>",
        ),
        "reminder": (
            "Rappel amical : factures bientôt échues – {{ company.name }}",
            "<p>Bonjour {{ customer.contact or customer.name }},</p>"
            "<p>nous vous rappelons que les factures suivantes arrivent bientôt à échéance.</p>"
            "{{ overdue_table }}"
            "<p>Si le paiement est déjà en cours, merci de ne pas tenir compte de ce message.</p>",
        ),
        "notice1": (
            "Relance de paiement – {{ company.name }}",
            "<p>Bonjour {{ customer.contact or customer.name }},</p>"
            "<p>sauf erreur de notre part, les factures suivantes sont échues. Merci de régler "
            "{{ total_due }}.</p>"
            "{{ overdue_table }}",
        ),
        "notice2": (
            "Deuxième relance – {{ company.name }}",
            "<p>Bonjour {{ customer.contact or customer.name }},</p>"
            "<p>malgré notre relance, nous n'avons pas reçu le paiement des factures ci-dessous. "
            "Merci de régler {{ total_due }} sous 7 jours.</p>"
            "{{ overdue_table }}",
        ),
        "notice3": (
            "Mise en demeure avant recouvrement – {{ company.name }}",
            "<p>Bonjour {{ customer.contact or customer.name }},</p>"
            "<p>les factures ci-dessous restent impayées. Sans règlement de {{ total_due }} sous 7 jours, "
            "nous transmettrons le dossier au recouvrement.</p>"
            "{{ overdue_table }}",
        ),
    },
    "zh": {
        "statement": (
            "{{ company.name }} 对账单（截至 {{ as_of }}）",
            "<p>{{ customer.contact or customer.name }}：您好！</p>"
            "<p>现将截至 {{ as_of }} 的对账单列示如下，并附 PDF 文件。</p>"
            "{{ statement }}"
            "<p>请确认截至 {{ as_of }} 的余额 {{ closing_balance }} 与贵方记录一致；如有差异，请直接回复本邮件告知。</p>",
        ),
        "reminder": (
            "{{ company.name }}：发票即将到期提醒",
            "<p>{{ customer.contact or customer.name }}：您好！</p>"
            "<p>温馨提示：以下发票即将到期。</p>"
            "{{ overdue_table }}"
            "<p>如已安排付款，谢谢，请忽略本邮件。</p>",
        ),
        "notice1": (
            "{{ company.name }}：付款提醒",
            "<p>{{ customer.contact or customer.name }}：您好！</p>"
            "<p>根据我方记录，以下发票已逾期，请支付 {{ total_due }}。</p>"
            "{{ overdue_table }}",
        ),
        "notice2": (
            "{{ company.name }}：第二次催款通知",
            "<p>{{ customer.contact or customer.name }}：您好！</p>"
            "<p>我方提醒后仍未收到以下发票的款项，请于 7 日内支付 {{ total_due }}。</p>"
            "{{ overdue_table }}",
        ),
        "notice3": (
            "{{ company.name }}：最后催款通知",
            "<p>{{ customer.contact or customer.name }}：您好！</p>"
            "<p>以下发票仍未支付。如 7 日内未收到 {{ total_due }}，我方将不再另行通知，直接委托催收。</p>"
            "{{ overdue_table }}",
        ),
    },
}

_SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "upcoming": (
            "Invoices due soon",
            "<p>The following invoices also fall due shortly:</p>{{ overdue_table }}",
        )
    },
    "de": {
        "upcoming": (
            "Bald fällige Rechnungen",
            "<p>Außerdem werden die folgenden Rechnungen in Kürze fällig:</p>{{ overdue_table }}",
        )
    },
    "fr": {
        "upcoming": (
            "Factures bientôt échues",
            "<p>Par ailleurs, les factures suivantes arrivent bientôt à échéance :</p>{{ overdue_table }}",
        )
    },
    "zh": {"upcoming": ("即将到期的发票", "<p>另外，以下发票即将到期：</p>{{ overdue_table }}")},
}
"""Parts of a message, without greeting or signature (see `upcoming` in the module doc)."""

_REGARDS = {"en": "Kind regards", "de": "Mit freundlichen Grüßen", "fr": "Cordialement", "zh": "此致敬礼"}

DEFAULT_TEMPLATES: tuple[dict[str, str], ...] = tuple(
    {"Name": name, "Language": lang, "Subject": subject, "Body": body + _SIGN.format(kind=_REGARDS[lang])}
    for lang, templates in _WORDING.items()
    for name, (subject, body) in templates.items()
) + tuple(
    {"Name": name, "Language": lang, "Subject": subject, "Body": body}
    for lang, parts in _SECTIONS.items()
    for name, (subject, body) in parts.items()
)
"""Rows of the Templates table: Name, Language, Subject, Body."""

DEFAULT_DUNNING_LEVELS: tuple[dict[str, object], ...] = (
    {"Level": 0, "DaysOverdue": -3, "Template": "reminder", "MinAmount": 0, "Fee": 0},
    {"Level": 1, "DaysOverdue": 7, "Template": "notice1", "MinAmount": 1000, "Fee": 0},
    {"Level": 2, "DaysOverdue": 21, "Template": "notice2", "MinAmount": 1000, "Fee": 500},
    {"Level": 3, "DaysOverdue": 45, "Template": "notice3", "MinAmount": 1000, "Fee": 1000},
)
"""Rows of the DunningLevels table (MinAmount and Fee in integer cents, as Book.read returns them).

A negative DaysOverdue is a reminder before the due date; the others are notices."""
