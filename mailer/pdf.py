"""The statement PDF (fpdf2), and the font that lets it show any customer's script.

PDF core fonts know only Latin-1, so a Chinese customer name needs a real Unicode font
embedded. `PdfFont.for_texts` picks, once per run, the first font (the `pdf_font`
setting, else a list of usual system fonts, CJK first) that has a glyph for every
character the run will print, and subsets it to exactly those characters. fpdf2 reads
TrueType collections (.ttc) directly, but parsing a full CJK collection costs about half
a second per document; the subset is parsed in milliseconds, which is what makes a
thousand statements a minute's work rather than ten.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fpdf import FPDF
from fpdf.enums import WrapMode

from common.errors import InputError, Problem

__all__ = ["SYSTEM_FONTS", "PdfFont", "statement_pdf"]


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"


SYSTEM_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    _windows_fonts() / "msyh.ttc",
    _windows_fonts() / "simsun.ttc",
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    _windows_fonts() / "arial.ttf",
    Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
)
"""Searched in this order when the `pdf_font` setting is empty: CJK-capable fonts first."""


@dataclass(frozen=True)
class PdfFont:
    """A font file holding glyphs for every character of this run (a subset, kept until exit)."""

    path: Path
    source: Path
    face: str
    swaps: tuple[tuple[str, str], ...] = ()  # spaces the font lacks -> one it has (fr: U+202F -> U+00A0)

    def printable(self, text: str) -> str:
        """The text with each space character the font lacks replaced by one it has."""
        for missing, present in self.swaps:
            text = text.replace(missing, present)
        return text

    @classmethod
    def for_texts(cls, texts: Mapping[str, str], setting: str = "") -> PdfFont:
        """The first font covering all `texts` (label -> text to print, e.g. customer -> name).

        Raises InputError naming Settings pdf_font and the first character and label no
        font can show.
        """
        shown = {ch for text in texts.values() for ch in text if ch.isprintable() or ch.isspace()}
        wanted = {ch for ch in shown if not ch.isspace()}
        candidates = [Path(setting).expanduser()] if setting else list(SYSTEM_FONTS)
        if setting and not candidates[0].is_file():
            raise InputError(
                Problem(
                    "Settings",
                    None,
                    None,
                    f"pdf_font: expected a .ttf, .otf or .ttc font file, {setting!r} does not exist",
                )
            )
        best_missing: set[str] | None = None
        for candidate in (c for c in candidates if c.is_file()):
            for index, name, cmap in _faces(candidate):
                missing = {ch for ch in wanted if ord(ch) not in cmap}
                if not missing:
                    spaces = {ch for ch in shown - wanted if ord(ch) in cmap}
                    fallback = "\xa0" if 0xA0 in cmap else " "
                    swaps = tuple((ch, fallback) for ch in sorted(shown - wanted - spaces))
                    return cls(_subset(candidate, index, frozenset(wanted | spaces)), candidate, name, swaps)
                if best_missing is None or len(missing) < len(best_missing):
                    best_missing = missing
        missing = best_missing if best_missing is not None else wanted
        char = min(missing) if missing else "?"
        label = next((lab for lab, text in texts.items() if char in text), "")
        tried = setting or ", ".join(str(c) for c in SYSTEM_FONTS if c.is_file()) or "no font files found"
        raise InputError(
            Problem(
                "Settings",
                None,
                None,
                f"pdf_font: no font can show {char!r} (U+{ord(char):04X}) used for {label}; tried {tried}. "
                "Set pdf_font to a .ttf/.otf/.ttc file that covers it (e.g. Noto Sans CJK, Microsoft YaHei)",
            )
        )


@functools.lru_cache(maxsize=16)
def _faces(path: Path) -> tuple[tuple[int, str, frozenset[int]], ...]:
    """Each face of a font file (index, name, code points), simplified-Chinese faces (SC) first.

    Cached: reading the character map of a CJK collection takes about a second.
    """
    if path.suffix.lower() in (".ttc", ".otc"):
        fonts = list(enumerate(TTCollection(str(path), lazy=True).fonts))
    else:
        fonts = [(-1, TTFont(str(path), lazy=True))]
    faces = [(i, f["name"].getDebugName(4) or "", frozenset(f.getBestCmap() or {})) for i, f in fonts]
    return tuple(sorted(faces, key=lambda face: " SC" not in face[1]))


@functools.cache
def _subset_dir() -> tempfile.TemporaryDirectory[str]:
    """The folder for this process's font subsets: made when the first PDF needs one (not when
    mailer is imported), kept by the cache, and removed when the process ends."""
    return tempfile.TemporaryDirectory(prefix="arbook-fonts-")


@functools.lru_cache(maxsize=16)
def _subset(path: Path, index: int, chars: frozenset[str]) -> Path:
    """The face cut down to `chars`, as a TrueType file (cached: the same run text, the same file)."""
    font = TTFont(str(path), fontNumber=index) if index >= 0 else TTFont(str(path))
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars | set(_ALWAYS))))
    subsetter.subset(font)
    if font.sfntVersion == "OTTO":
        _to_truetype(font)
    handle, name = tempfile.mkstemp(suffix=".ttf", dir=_subset_dir().name)
    os.close(handle)
    font.save(name)
    return Path(name)


def _to_truetype(font: TTFont) -> None:
    """Turn CFF (PostScript) outlines into TrueType ones, in place.

    fpdf2 subsets the embedded font again for every document; on CFF outlines that means
    interpreting each glyph program (about 40 ms a document), on TrueType outlines it does
    not (about 17 ms). The curves are converted by fontTools' cu2qu within 1 font unit.
    """
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    metrics = font["hmtx"]
    for name in order:
        metrics[name] = (metrics[name][0], getattr(glyf[name], "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\0\1\0\0"


_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "€£¥–—…·"


class _StatementPDF(FPDF):
    def __init__(self, family: str, page_label: str) -> None:
        super().__init__(format="A4")
        self._family, self._page_label = family, page_label

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self._family, size=8)
        self.cell(0, 6, f"{self._page_label} {self.page_no()}/{{nb}}", align="R")


_GREY = (235, 235, 235)
_RULE = (190, 190, 190)
_ROW = 4.8  # mm per table row at 8.5 pt
_BOTTOM = 20  # mm kept free for the footer


def statement_pdf(view: Mapping[str, Any], font: PdfFont) -> bytes:
    """The statement of account as PDF bytes, from the same formatted view the HTML body uses.

    Tables are drawn with fpdf2's plain `text` and `line` (not `table`/`multi_cell`): a tenth
    of the cost per cell, which is most of the time a thousand statements take.
    """
    labels = view["labels"]
    pdf = _StatementPDF("body", labels["page"])
    pdf.set_title(f"{labels['statement']} {view['customer']['id']} {view['as_of']}")
    pdf.set_creator("arbook")
    pdf.add_font("body", fname=str(font.path))
    pdf.set_auto_page_break(True, margin=_BOTTOM)
    pdf.add_page()
    wrap = WrapMode.CHAR if view.get("language") == "zh" else WrapMode.WORD
    company, customer = view["company"], view["customer"]
    clean = font.printable

    pdf.set_font("body", size=15)
    pdf.multi_cell(100, 7, clean(company["name"]), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    pdf.set_font("body", size=8.5)
    for line in [*company["address_lines"], company["email"]]:
        pdf.multi_cell(100, 4.2, clean(line), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    pdf.set_xy(120, 10)
    pdf.set_font("body", size=14)
    pdf.cell(80, 8, clean(labels["statement"]), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font("body", size=9)
    for text in (
        f"{labels['as_of']}: {view['as_of']}",
        f"{labels['customer_no']}: {customer['id']}",
        f"{labels['period']}: {view['period_start']} – {view['period_end']}",
    ):
        pdf.cell(80, 5, clean(text), align="R", new_x="LEFT", new_y="NEXT")

    pdf.set_xy(pdf.l_margin, 48)
    pdf.set_font("body", size=10.5)
    for line in [customer["name"], customer["contact"], *customer["address_lines"]]:
        if line:
            pdf.multi_cell(95, 5.2, clean(line), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    pdf.ln(8)

    pdf.set_font("body", size=9)
    pdf.cell(0, 6, clean(f"{labels['opening']}: {view['opening_balance']}"), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, clean(labels["activity"]))
    if view["balance_forward"]:
        head = [
            labels["date"],
            labels["description"],
            labels["document"],
            labels["debit"],
            labels["credit"],
            labels["balance"],
        ]
        rows = [
            [a["date"], a["kind"], a["reference"], a["debit"], a["credit"], a["balance"]]
            for a in view["activity"]
        ]
        _table(pdf, clean, head, rows or [[labels["none"]]], (27, 27, 50, 27, 27, 32), numeric_from=3)
    else:
        head = [labels["date"], labels["description"], labels["document"], labels["debit"], labels["credit"]]
        rows = [[a["date"], a["kind"], a["reference"], a["debit"], a["credit"]] for a in view["activity"]]
        _table(pdf, clean, head, rows or [[labels["none"]]], (28, 32, 62, 34, 34), numeric_from=3)
    pdf.set_font("body", size=10.5)
    pdf.cell(0, 8, clean(f"{labels['closing']}: {view['closing_balance']}"), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, clean(labels["open_items"]))
    head = [
        labels["document"],
        labels["date"],
        labels["due"],
        labels["amount"],
        labels["open"],
        labels["days_overdue"],
    ]
    rows = [
        [o["number"], o["date"], o["due"], o["amount"], o["open"], o["days_overdue"]]
        for o in view["open_items"]
    ]
    _table(pdf, clean, head, rows or [[labels["none"]]], (32, 28, 28, 32, 32, 30), numeric_from=3)

    _heading(pdf, clean(labels["aging"]))
    aging = view["aging"]
    width = pdf.epw / (len(aging) + 1)
    _table(
        pdf,
        clean,
        [a["label"] for a in aging] + [labels["total"]],
        [[a["amount"] for a in aging] + [view["total_open"]]],
        (width,) * (len(aging) + 1),
        numeric_from=0,
    )

    pdf.set_font("body", size=9)
    pdf.ln(4)
    if company["remit_lines"]:
        pdf.cell(0, 5, clean(f"{labels['remit_to']}:"), new_x="LMARGIN", new_y="NEXT")
        for line in company["remit_lines"]:
            pdf.multi_cell(
                0, 4.5, clean(line), new_x="LMARGIN", new_y="NEXT"
            )  # bank details: break at spaces
    pdf.ln(3)
    pdf.multi_cell(0, 5, clean(view["confirm"]), new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(size=11)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: FPDF,
    clean: Callable[[str], str],
    head: list[str],
    rows: list[list[str]],
    widths: tuple[float, ...],
    numeric_from: int,
) -> None:
    """A ruled table: grey heading row (repeated on each new page), text left, figures right."""
    pdf.set_font(size=8.5)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.2)
    scale = pdf.epw / sum(widths)
    widths = tuple(w * scale for w in widths)

    def row(values: list[str], y: float, shaded: bool) -> None:
        if shaded:
            pdf.set_fill_color(*_GREY)
            pdf.rect(pdf.l_margin, y, pdf.epw, _ROW, style="F")
        x = pdf.l_margin
        for i, (value, width) in enumerate(zip(values, widths, strict=False)):  # a "none" row has one value
            text, room = clean(str(value)), width - 2
            size = pdf.get_string_width(text)
            while size > room and len(text) > 1:
                text = text[:-2] + "…"
                size = pdf.get_string_width(text)
            left = x + 1 if i < numeric_from else x + width - 1 - size
            if text:
                pdf.text(left, y + _ROW * 0.7, text)
            x += width
        pdf.line(pdf.l_margin, y + _ROW, pdf.l_margin + pdf.epw, y + _ROW)

    y = pdf.get_y()
    row(head, y, shaded=True)
    y += _ROW
    for values in rows:
        if y + _ROW > pdf.h - _BOTTOM:
            pdf.add_page()
            pdf.set_font(size=8.5)
            y = pdf.t_margin
            row(head, y, shaded=True)
            y += _ROW
        row(values, y, shaded=False)
        y += _ROW
    pdf.set_xy(pdf.l_margin, y + 1.5)
