"""The floors the mail benchmarks measure against, in the same run: the least work any tool must do.

  statement PDFs  fpdf2 writing the same number of documents and pages, each page carrying
                  its share of the same text (one `text` call per line, no measuring, no
                  rules), in its built-in Helvetica or, for a document given a font file
                  (a Chinese statement), in that same file, embedded as fpdf2 embeds it
                  (without recomputing glyph boxes): what fpdf2 costs at its minimum;
  e-mails         the standard library (email.message.EmailMessage, default policy) building
                  each message from the same headers and parts and writing it to a .eml file.

Both run in this process, on one core. Neither journals, checks an address or escapes a template:
they are what the product's work would cost if it did nothing else.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from fpdf import FPDF

from mailer.pdf import HELVETICA, PdfFont

__all__ = ["Document", "Mail", "bytes_floor", "eml_floor", "mails_in", "page_count", "pdf_floor"]

_LINES_PER_PAGE = 55  # an A4 page of 8.5 pt table rows


@dataclass(frozen=True)
class Document:
    """One PDF the product wrote, as the floor sees it: its page count, its text line by line, and
    the font it is set in (Helvetica, or the font file the product embedded)."""

    pages: int
    lines: tuple[str, ...]
    font: PdfFont = HELVETICA


@dataclass(frozen=True)
class Mail:
    """One message as the floor builds it: the same headers, bodies and attachments."""

    headers: tuple[tuple[str, str], ...]
    text: str
    html: str
    attachments: tuple[tuple[str, str, bytes], ...]  # (file name, content type, bytes)


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF fpdf2 wrote (its /Type /Page objects; fpdf2 writes no object streams)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def pdf_floor(documents: Sequence[Document]) -> float:
    """Seconds fpdf2 takes to write these documents, each in its font (characters the font
    lacks are made '?' first)."""
    prepared = [(d.pages, [_printable(line, d.font) for line in d.lines], d.font.path) for d in documents]
    started = time.perf_counter()
    for pages, lines, font_file in prepared:
        pdf = FPDF(format="A4")
        if font_file is None:
            pdf.core_fonts_encoding = "windows-1252"
            family = "helvetica"
        else:
            pdf.add_font("body", fname=str(font_file))
            pdf.fonts["body"].ttfont.recalcBBoxes = False  # fpdf2 at its cheapest: boxes kept as cut
            family = "body"
        per_page = -(-len(lines) // pages) if lines else 0
        for page in range(pages):
            pdf.add_page()
            pdf.set_font(family, size=8.5)
            for row, line in enumerate(lines[page * per_page : (page + 1) * per_page]):
                if line:
                    pdf.text(15, 15 + (row % _LINES_PER_PAGE) * 4.8, line)
        pdf.output()
    return time.perf_counter() - started


def _printable(line: str, font: PdfFont) -> str:
    return "".join(ch if ch in font.widths else "?" for ch in font.printable(line))


def eml_floor(mails: Sequence[Mail], folder: Path) -> float:
    """Seconds the standard library takes to build these messages and write each as a .eml file."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for number, mail in enumerate(mails):
        msg = EmailMessage()
        for name, value in mail.headers:
            msg[name] = value
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        for filename, kind, data in mail.attachments:
            maintype, _, subtype = kind.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        (folder / f"{number}.eml").write_bytes(bytes(msg))
    return time.perf_counter() - started


def bytes_floor(files: Sequence[bytes], folder: Path) -> float:
    """Seconds it takes only to write these finished files (the least of all floors for mail)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for number, data in enumerate(files):
        (folder / f"{number}.eml").write_bytes(data)
    return time.perf_counter() - started


_HEADERS = ("Message-ID", "Date", "From", "To", "Cc", "Reply-To", "Subject")


def mails_in(folder: Path) -> list[tuple[str, Mail]]:
    """Every .eml file in `folder` (name, parts), read back for the floor to write again."""
    out = []
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text, html = msg.get_body(("plain",)), msg.get_body(("html",))
        bodies = {id(text), id(html)}
        attachments = tuple(
            (part.get_filename() or "part", part.get_content_type(), part.get_payload(decode=True))
            for part in msg.walk()
            if not part.is_multipart() and id(part) not in bodies
        )
        headers = tuple((name, str(msg[name])) for name in _HEADERS if msg[name] is not None)
        out.append(
            (
                path.name,
                Mail(
                    headers,
                    text.get_content() if text is not None else "",
                    html.get_content() if html is not None else "",
                    attachments,
                ),
            )
        )
    return out
