"""The statement PDF: Chinese and German text as real text, a font found or a clear refusal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

import mailer
from common.errors import InputError
from mailer.pdf import CJK_FONTS
from tests.conftest import missing
from tests.test_mail_statement import AS_OF, build, ledger

CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
COMPANY = mailer.Company(
    "Beispiel AG",
    "Industriestr. 1\n70173 Stuttgart",
    "ar@beispiel.example",
    "IBAN DE89 3704 0044 0532 0130 00",
)


def _customers_with_address():
    customers = ledger()[0]
    customers.loc[customers["CustomerID"] == "C002", ["Address", "ContactName"]] = [
        "上海市浦东新区世纪大道100号\n200120 中国",
        "王经理",
    ]
    # Latin text beyond Windows-1252 that Noto Sans CJK also covers: a Latin font must still win
    customers.loc[customers["CustomerID"] == "C003", "Name"] = "Ōno Kōgyō sp. z o.o."
    return customers


def _compose(**kwargs):
    settings = {"default_locale": "en", "pdf_font": "", **kwargs}
    return mailer.compose_statements(
        build(), _customers_with_address(), mailer.TemplateBook(), company=COMPANY, **settings
    )


def _pdf_text(pdftotext: str, data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def composed():
    if not any(p.is_file() for p in CJK_FONTS):
        missing("no CJK font installed (apt-get install fonts-noto-cjk)")
    return _compose(balance_forward=True)


@pytest.mark.cjkfont
@pytest.mark.poppler
def test_chinese_name_and_address_are_text_in_the_pdf(composed, pdftotext, tmp_path):
    msg = next(m for m in composed.messages if m.customer_id == "C002")
    ((name, data),) = msg.attachments
    assert name == f"statement_C002_CNY_{AS_OF.isoformat()}.pdf"
    text = _pdf_text(pdftotext, data, tmp_path, name)
    for expected in (
        "上海华东贸易有限公司",
        "王经理",
        "上海市浦东新区世纪大道100号",
        "200120 中国",
        "对账单",
        "期初余额: ¥8,800.00",
        "2026年10月31日",
        "IBAN DE89 3704 0044 0532 0130 00",
    ):
        assert expected in text


@pytest.mark.poppler
def test_german_statement_shows_running_balance_and_aging(composed, pdftotext, tmp_path):
    msg = next(m for m in composed.messages if m.customer_id == "C001" and "EUR" in m.attachments[0][0])
    text = _pdf_text(pdftotext, msg.attachments[0][1], tmp_path, "de.pdf")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Anfangssaldo: 1.500,00 €" in lines
    assert "Endsaldo: 1.200,00 €" in lines
    assert "Datum Beschreibung Beleg Soll Haben Saldo" in lines
    assert any(
        line.startswith("12.11.2026 Zahlung R-1") and line.endswith("400,00 € 1.300,00 €") for line in lines
    )
    assert "250,00 € 350,00 € 600,00 € 0,00 € 0,00 € 0,00 € 1.200,00 €" in lines  # the aging box
    assert any("Bitte bestätigen Sie den Saldo von 1.200,00 € zum 30.11.2026" in line for line in lines)


@pytest.mark.poppler
def test_open_item_style_has_no_running_balance(pdftotext, tmp_path):
    msg = _compose(balance_forward=False).messages[0]
    text = _pdf_text(pdftotext, msg.attachments[0][1], tmp_path, "oi.pdf")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Datum Beschreibung Beleg Soll Haben" in lines


@pytest.mark.poppler
def test_rendered_page_has_ink_where_the_chinese_address_is(composed, tmp_path):
    msg = next(m for m in composed.messages if m.customer_id == "C002")
    pdf = tmp_path / "c002.pdf"
    pdf.write_bytes(msg.attachments[0][1])
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    w, h = page.size
    address = page.crop((int(w * 0.08), int(h * 0.16), int(w * 0.45), int(h * 0.24)))
    dark = sum(address.histogram()[:128])
    assert dark > 150  # glyphs drawn, not the empty boxes of a font without CJK


def test_the_collection_face_for_chinese_is_simplified_chinese(composed):
    if not CJK.is_file():
        missing("no Noto CJK (apt-get install fonts-noto-cjk)")
    font = mailer.PdfFont.for_texts({"x": "上海"}, str(CJK))
    assert font.face == "Noto Sans CJK SC" and font.source == CJK
    assert font.path.stat().st_size < 200_000  # a subset, not the 19 MB collection


def test_a_font_without_chinese_is_refused_naming_the_setting_and_customer():
    if not DEJAVU.is_file():
        missing("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
    with pytest.raises(InputError) as err:
        _compose(pdf_font=str(DEJAVU))
    text = str(err.value)
    assert "Settings: pdf_font: no font can show" in text and "customer C002" in text
    assert "DejaVuSans.ttf" in text


def test_a_missing_font_file_is_refused():
    with pytest.raises(
        InputError, match=r"pdf_font: expected a \.ttf, \.otf or \.ttc font file, '/no/such\.ttf'"
    ):
        mailer.PdfFont.for_texts({"x": "abc"}, "/no/such.ttf")


def test_latin_only_run_works_with_a_latin_font(pdftotext, tmp_path):
    if not DEJAVU.is_file():
        missing("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
    customers = _customers_with_address()
    statements = [s for s in build() if s.customer_id != "C002"]
    composed = mailer.compose_statements(
        statements,
        customers,
        mailer.TemplateBook(),
        company=COMPANY,
        default_locale="en",
        pdf_font=str(DEJAVU),
    )
    assert len(composed.messages) == 3
    assert "Müller GmbH" in _pdf_text(pdftotext, composed.messages[0].attachments[0][1], tmp_path, "l.pdf")


@pytest.mark.poppler
def test_long_statement_breaks_pages_and_repeats_the_heading(pdftotext, tmp_path):
    from mailer.compose import statement_view
    from mailer.statement import OpenLine, StatementData

    lines = [OpenLine(f"INV{i:05d}", "invoice", AS_OF, AS_OF, 10000, 10000, 0) for i in range(90)]
    data = StatementData(
        "C001", "EUR", AS_OF.replace(day=1), AS_OF, 900000, 900000, [], lines, [("current", 900000)]
    )
    customer = _customers_with_address().iloc[0]
    view = statement_view(data, customer, COMPANY, mailer.formatter_for("en", "en"), False)
    font = mailer.PdfFont.for_texts(
        {"C001": " ".join(str(v) for v in view.values())} | {"x": "Page1234567890/€,."}
    )
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(mailer.statement_pdf(view, font))
    pages = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    assert len([p for p in pages if p.strip()]) == 3
    assert all("Document" in p and "Days overdue" in p for p in pages[1:] if p.strip())  # heading repeated
    numbers = [w for p in pages for w in p.split() if w.startswith("INV")]
    assert numbers == [f"INV{i:05d}" for i in range(90)]  # every row once, in order
    assert "Page 3/3" in pages[2]


def _fonts_in(pdf: bytes) -> list[bytes]:
    """The /BaseFont names of a PDF fpdf2 wrote (its objects are not compressed)."""
    return re.findall(rb"/BaseFont /([^\s/>]+)", pdf)


def test_latin_statements_embed_no_font_and_chinese_ones_embed_a_subset(composed):
    by_customer = {m.customer_id: m.attachments[0][1] for m in composed.messages}
    german, chinese = by_customer["C001"], by_customer["C002"]
    assert _fonts_in(german) == [b"Helvetica"] and b"/FontFile2" not in german
    assert b"/FontFile2" in chinese and all(name.startswith(b"MPDFAA+") for name in _fonts_in(chinese))
    assert len(german) < 4_000 < 20_000 < len(chinese) < 60_000  # the subset, not the 19 MB collection


@pytest.mark.poppler
def test_a_latin_statement_beyond_windows_1252_embeds_a_latin_font_not_the_cjk_one(
    composed, pdftotext, tmp_path
):
    if not DEJAVU.is_file():
        missing("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
    by_customer = {m.customer_id: m.attachments[0][1] for m in composed.messages}
    latin, chinese = by_customer["C003"], by_customer["C002"]
    assert set(_fonts_in(latin)) == {b"MPDFAA+DejaVuSansBook"}
    assert set(_fonts_in(chinese)) == {b"MPDFAA+NotoSansCJKSC"}
    assert "Ōno Kōgyō sp. z o.o." in _pdf_text(pdftotext, latin, tmp_path, "latin.pdf")


def test_one_font_per_script_and_helvetica_for_windows_1252(composed):
    fonts = mailer.fonts_for(
        {
            "de": "Müller & Söhne, Fällig: 1.234,50 €",
            "fr": "Société Générale 1\u202f234,50 €",
            "pl": "Łódź Wrocław Spółka",
            "zh": "上海华东贸易有限公司 ¥8,800.00",
        }
    )
    assert fonts["de"] is fonts["fr"] and fonts["de"].path is None and fonts["de"].face == "Helvetica"
    assert fonts["fr"].printable("1\u202f234,50 €") == "1\xa0234,50 €"  # Helvetica has no narrow space
    assert fonts["pl"].path is not None and fonts["zh"].path is not None and fonts["pl"] is not fonts["zh"]
    assert not [ch for ch in fonts["pl"].widths if ord(ch) >= 0x2E80]  # no Chinese glyph in a Polish PDF
    assert {"上", "海", "¥"} <= set(fonts["zh"].widths)


def test_a_font_setting_is_used_for_every_statement():
    if not DEJAVU.is_file():
        missing("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
    fonts = mailer.fonts_for({"de": "Müller", "pl": "Łódź"}, str(DEJAVU))
    assert {f.source for f in fonts.values()} == {DEJAVU} and fonts["de"] is fonts["pl"]


@pytest.mark.parametrize("font_file", [None, DEJAVU], ids=["helvetica", "dejavu"])
def test_measured_widths_are_fpdf2s_own(font_file):
    text = "Müller & Söhne GmbH — 1.234,50 € «Zahlung» Łódź"[: None if font_file else -6]
    if font_file is None:
        font, pdf = mailer.fonts_for({"x": text})["x"], FPDF()
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_font("helvetica", size=9)
    else:
        if not font_file.is_file():
            missing("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
        font, pdf = mailer.PdfFont.for_texts({"x": text}, str(font_file)), FPDF()
        pdf.add_font("body", fname=str(font.path))
        pdf.set_font("body", size=9)
    assert font.width(text, 9) == pytest.approx(pdf.get_string_width(text), abs=1e-9)


@pytest.mark.poppler
def test_a_name_too_long_for_its_box_wraps_onto_a_second_line(pdftotext, tmp_path):
    customers = _customers_with_address()
    long_name = "Internationale Handelsgesellschaft für Maschinenbau und Anlagentechnik Müller & Söhne GmbH"
    customers.loc[customers["CustomerID"] == "C001", "Name"] = long_name
    statements = [s for s in build() if s.customer_id == "C001"]
    composed = mailer.compose_statements(
        statements, customers, mailer.TemplateBook(), company=COMPANY, default_locale="en", pdf_font=""
    )
    text = _pdf_text(pdftotext, composed.messages[0].attachments[0][1], tmp_path, "long.pdf")
    lines = [
        " ".join(line.split()) for line in text.splitlines() if "Müller" in line or "Internationale" in line
    ]
    assert " ".join(lines) == long_name and len(lines) == 2
