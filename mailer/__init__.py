"""mailer: statements of account and dunning notices, from ledger frames to sent mail.

Pipeline: select (statement.build_statements, dunning.select_notices: pure, on frames) ->
compose (templates in a Jinja2 sandbox, Babel formats, fpdf2 PDF) -> deliver (journal
pending -> transport -> journal outcome) -> fold the journal into MailLog rows.
This package knows nothing of the workbook or of arbook: it receives DataFrames.
"""

from .compose import Company, Composed, Unreachable, compose_notices, compose_statements
from .defaults import DEFAULT_DUNNING_LEVELS, DEFAULT_TEMPLATES
from .deliver import Delivery, deliver
from .dunning import (
    NOTICE_KINDS,
    DunningLevel,
    NoticeDue,
    Selection,
    dunning_history,
    levels_from_frame,
    select_notices,
)
from .formats import Formatter, formatter_for
from .interest import late_interest, rate_decimal, round_cents
from .journal import (
    DELIVERED,
    FAILED,
    GIVEN_UP,
    MAILLOG_COLUMNS,
    NOT_MAILED,
    REFUSED,
    SUPERSEDED,
    Journal,
    fold,
    given_up_keys,
    journal_path,
    log_frame,
    message_outcomes,
    sent_keys,
)
from .message import Covered, Outgoing, build_email, message_key, parse_sender, safe_filename
from .pdf import PdfFont, fonts_for, statement_pdf
from .run import RESEND, Scope, mail_history, resends, send_and_fold
from .statement import StatementData, build_statements
from .templates import TemplateBook, html_to_text
from .transport import (
    DeliveryError,
    OutboxTransport,
    SmtpSettings,
    SmtpTransport,
    Transport,
    smtp_password,
)

__all__ = [
    "DEFAULT_DUNNING_LEVELS",
    "DEFAULT_TEMPLATES",
    "DELIVERED",
    "FAILED",
    "GIVEN_UP",
    "MAILLOG_COLUMNS",
    "NOTICE_KINDS",
    "NOT_MAILED",
    "REFUSED",
    "RESEND",
    "SUPERSEDED",
    "Company",
    "Composed",
    "Covered",
    "Delivery",
    "DeliveryError",
    "DunningLevel",
    "Formatter",
    "Journal",
    "NoticeDue",
    "OutboxTransport",
    "Outgoing",
    "PdfFont",
    "Scope",
    "Selection",
    "SmtpSettings",
    "SmtpTransport",
    "StatementData",
    "TemplateBook",
    "Transport",
    "Unreachable",
    "build_email",
    "build_statements",
    "compose_notices",
    "compose_statements",
    "deliver",
    "dunning_history",
    "fold",
    "fonts_for",
    "formatter_for",
    "given_up_keys",
    "html_to_text",
    "journal_path",
    "late_interest",
    "levels_from_frame",
    "log_frame",
    "mail_history",
    "message_key",
    "message_outcomes",
    "parse_sender",
    "rate_decimal",
    "resends",
    "round_cents",
    "safe_filename",
    "select_notices",
    "send_and_fold",
    "sent_keys",
    "smtp_password",
    "statement_pdf",
]
