"""The statement PDF (fpdf2), and the fonts that let it show any customer's script.

PDF core fonts know only Western European text (Windows-1252), so a Chinese customer name
needs a real Unicode font embedded, and embedding costs: fpdf2 subsets and re-serialises an
embedded font for every document (fontTools), which is ten times the cost of the page itself.
So each statement gets the cheapest font that shows it (`fonts_for`, decided once per run):
  - the PDF standard font Helvetica, nothing embedded, when every character of the statement
    is Windows-1252 (German, English, French, ... customers) and no `pdf_font` is set;
  - otherwise a font file, found as `PdfFont.for_texts` says, cut down once per run to the
    characters its statements print: one subset for statements with East Asian text (from a
    CJK font), another for the rest (from a Latin font such as DejaVu Sans where there is
    one), so a Polish statement never carries a CJK font.
Text is measured with widths read once per font (`PdfFont.width`), not by fpdf2 per call.
"""

from __future__ import annotations

import functools
import os
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, TTLibError, newTable
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import CORE_FONTS_CHARWIDTHS

from common.errors import InputError, Problem

__all__ = [
    "CJK_FONTS",
    "HELVETICA",
    "LATIN_FONTS",
    "SYSTEM_FONTS",
    "PdfFont",
    "fonts_for",
    "helvetica_for",
    "statement_pdf",
]


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"


CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    _windows_fonts() / "msyh.ttc",
    _windows_fonts() / "simsun.ttc",
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
)
"""Fonts that show Chinese (and most other scripts), searched first for East Asian text."""

LATIN_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    _windows_fonts() / "arial.ttf",
    Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
)
"""Fonts for Latin, Greek and Cyrillic text, searched first for text without East Asian
characters: a Polish statement then embeds DejaVu Sans or Arial, not a CJK font."""

SYSTEM_FONTS: tuple[Path, ...] = CJK_FONTS + LATIN_FONTS
"""Every font searched when the `pdf_font` setting is empty."""


@dataclass(frozen=True)
class PdfFont:
    """How statements are set: an embedded font file (a subset made for this run) or Helvetica.

    `path` is None for Helvetica, which every PDF reader has: nothing is embedded. `widths`
    are the advance widths of the characters this font prints, in thousandths of the font
    size, read once when the font is chosen.
    """

    path: Path | None
    source: Path | None
    face: str
    widths: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    swaps: tuple[tuple[str, str], ...] = ()  # spaces the font lacks -> one it has (fr: U+202F -> U+00A0)
    missing_width: int = 500

    def printable(self, text: str) -> str:
        """The text with each space character the font lacks replaced by one it has."""
        for missing, present in self.swaps:
            text = text.replace(missing, present)
        return text

    def width(self, text: str, size_pt: float) -> float:
        """The width of printable `text` at `size_pt`, in millimetres (the unit of the statement layout)."""
        return sum(map(self.widths.get, text, repeat(self.missing_width))) * size_pt * _MM_PER_PT / 1000

    @classmethod
    def for_texts(cls, texts: Mapping[str, str], setting: str = "") -> PdfFont:
        """The first font file covering all `texts` (label -> text to print, e.g. customer -> name).

        Raises InputError naming Settings pdf_font and the first character and label no
        font can show.
        """
        shown = _shown(texts.values())
        wanted = {ch for ch in shown if not ch.isspace()}
        if setting:
            candidates = [Path(setting).expanduser()]
        elif any(_east_asian(text) for text in texts.values()):
            candidates = [*CJK_FONTS, *LATIN_FONTS]
        else:
            candidates = [*LATIN_FONTS, *CJK_FONTS]
        if setting and not candidates[0].is_file():
            why = "is a folder" if candidates[0].is_dir() else "does not exist"
            raise InputError(_font_problem(f"expected a .ttf, .otf or .ttc font file, {setting!r} {why}"))
        best_missing: set[str] | None = None
        for candidate in (c for c in candidates if c.is_file()):
            try:
                for index, name in _faces(candidate):
                    cmap = _code_points(candidate, index)
                    missing = {ch for ch in wanted if ord(ch) not in cmap}
                    if not missing:
                        spaces = {ch for ch in shown - wanted if ord(ch) in cmap}
                        fallback = "\xa0" if 0xA0 in cmap else " "
                        swaps = tuple((ch, fallback) for ch in sorted(shown - wanted - spaces))
                        path, widths, missing_width = _subset(candidate, index, frozenset(wanted | spaces))
                        return cls(path, candidate, name, widths, swaps, missing_width)
                    if best_missing is None or len(missing) < len(best_missing):
                        best_missing = missing
            except _NOT_A_FONT as exc:
                if setting:
                    raise InputError(
                        _font_problem(
                            f"expected a .ttf, .otf or .ttc font file, {setting!r} cannot be read as one "
                            f"({type(exc).__name__}: {exc})"
                        )
                    ) from None
                continue  # a damaged font among the system's: try the next
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


_MM_PER_PT = 25.4 / 72
_NOT_A_FONT = (TTLibError, struct.error, EOFError, ValueError, KeyError, IndexError, AssertionError, OSError)
"""What fontTools raises reading a file that is not a whole font (it has no one error for that)."""


def _font_problem(message: str) -> Problem:
    return Problem("Settings", None, None, f"pdf_font: {message}")


def _helvetica() -> PdfFont:
    """Helvetica as fpdf2 sets it with Windows-1252: its widths, keyed by the Unicode character."""
    widths = {}
    for code in range(32, 256):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:  # the five codes Windows-1252 leaves undefined
            continue
        widths[char] = CORE_FONTS_CHARWIDTHS["helvetica"][chr(code)]
    return PdfFont(None, None, "Helvetica", widths, (), widths[" "])


HELVETICA = _helvetica()


def _shown(texts: Any) -> set[str]:
    """The characters these texts print (spaces included, controls not)."""
    return {ch for text in texts for ch in set(text) if ch.isprintable() or ch.isspace()}


def _east_asian(text: str) -> bool:
    """Whether the text has characters from U+2E80 on (CJK, kana, hangul, full-width forms)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


def helvetica_for(texts: Mapping[str, str], setting: str = "") -> dict[str, PdfFont]:
    """The statements (label -> text it prints) that are set in Helvetica: those Windows-1252
    shows, spaces it lacks (such as French number groups' U+202F) made no-break spaces; none
    when `setting` names a font file. Deciding costs nothing: no font file is read."""
    if setting:
        return {}
    plain = [label for label, text in texts.items() if _windows_1252(text)]
    spaces = {ch for ch in _shown(texts[label] for label in plain) if ch not in HELVETICA.widths}
    return dict.fromkeys(plain, replace(HELVETICA, swaps=tuple((ch, "\xa0") for ch in sorted(spaces))))


def fonts_for(texts: Mapping[str, str], setting: str = "") -> dict[str, PdfFont]:
    """The font each statement is set in (label -> text it prints -> font), chosen once for the run.

    Helvetica as `helvetica_for` says; every other text gets the font of its group (East Asian
    or not), one subset per group.
    """
    fonts = helvetica_for(texts, setting)
    groups: dict[bool, dict[str, str]] = {}
    for label, text in texts.items():
        if label not in fonts:
            groups.setdefault(_east_asian(text), {})[label] = text
    for group in groups.values():
        font = PdfFont.for_texts(group, setting)
        fonts.update(dict.fromkeys(group, font))
    return fonts


def _windows_1252(text: str) -> bool:
    return all(ch in HELVETICA.widths or ch.isspace() for ch in _shown([text]))


@functools.lru_cache(maxsize=16)
def _faces(path: Path) -> tuple[tuple[int, str], ...]:
    """Each face of a font file (index, name; index -1 for a single-font file), simplified-Chinese
    faces (SC) first."""
    if path.suffix.lower() in (".ttc", ".otc"):
        fonts = list(enumerate(TTCollection(str(path), lazy=True).fonts))
    else:
        fonts = [(-1, TTFont(str(path), lazy=True))]
    faces = [(i, f["name"].getDebugName(4) or "") for i, f in fonts]
    return tuple(sorted(faces, key=lambda face: " SC" not in face[1]))


@functools.lru_cache(maxsize=64)
def _code_points(path: Path, index: int) -> frozenset[int]:
    """The characters a face has glyphs for. Cached, and read only for the faces tried: the
    character map of one CJK face takes a quarter of a second to read."""
    font = TTFont(str(path), fontNumber=index, lazy=True) if index >= 0 else TTFont(str(path), lazy=True)
    return frozenset(font.getBestCmap() or {})


@functools.cache
def _subset_dir() -> tempfile.TemporaryDirectory[str]:
    """The folder for this process's font subsets: made when the first PDF needs one (not when
    mailer is imported), kept by the cache, and removed when the process ends."""
    return tempfile.TemporaryDirectory(prefix="arbook-fonts-")


_UNUSED_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx", "VORG"]
"""Layout and vertical-writing tables: the statement sets text left to right without shaping, and
fpdf2 would otherwise read and rewrite them for every document."""


@functools.lru_cache(maxsize=16)
def _subset(path: Path, index: int, chars: frozenset[str]) -> tuple[Path, dict[str, int], int]:
    """The face cut down to `chars`, as a TrueType file, with its widths (cached: same text, same file).

    Widths are in thousandths of the font size, rounded as fpdf2 rounds them.
    """
    font = TTFont(str(path), fontNumber=index) if index >= 0 else TTFont(str(path))
    for tag in _UNUSED_TABLES:  # deleted unread: the subsetter would read them before dropping them
        if tag in font:
            del font[tag]
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
    scale = 1000 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {
        chr(code): round(scale * metrics[glyph][0] + 0.001) for code, glyph in font.getBestCmap().items()
    }
    return Path(name), widths, round(scale * metrics[".notdef"][0] + 0.001)


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
    for limit in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, limit, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\0\1\0\0"


_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "€£¥–—…·"


class _StatementPDF(FPDF):
    def __init__(self, font: PdfFont, page_label: str) -> None:
        super().__init__(format="A4")
        if font.path is None:
            self.core_fonts_encoding = "windows-1252"
            self._family = "helvetica"
        else:
            self.add_font("body", fname=str(font.path))
            # The subset's glyph boxes are right already: fpdf2 re-subsets the font for each
            # document, and without this fontTools recompiles every glyph outline to recompute them.
            self.fonts["body"].ttfont.recalcBBoxes = False
            self._family = "body"
        self._font, self._page_label = font, page_label

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self._family, size=8)
        self.cell(0, 6, f"{self._page_label} {self.page_no()}/{{nb}}", align="R")  # cell: it fills in {nb}

    def size(self, size_pt: float) -> None:
        self.set_font(self._family, size=size_pt)

    def measure(self, text: str) -> float:
        """The width of `text` in the current size, from the font's widths (not fpdf2's per-call path)."""
        return self._font.width(text, self.font_size_pt)

    def line_of(
        self, width: float, height: float, text: str, *, align: str = "L", wrap: str = "WORD"
    ) -> None:
        """`text` in a box `width` (0: to the right margin) by `height` at the cursor; the cursor
        then goes to the start of the next line.

        Drawn with `text()`, a tenth of what `cell()` costs; only text wider than the box goes
        through `multi_cell`, which breaks it into lines (at spaces, or anywhere for Chinese).
        """
        x = self.get_x()
        width = width or self.w - self.r_margin - x
        room = width - 2 * self.c_margin
        if self.measure(text) > room:
            self.multi_cell(
                width, height, text, align=align, new_x="LEFT", new_y="NEXT", wrapmode=WrapMode(wrap)
            )
            return
        if self.will_page_break(height):
            self.add_page()
        y = self.get_y()
        left = x + self.c_margin if align == "L" else x + width - self.c_margin - self.measure(text)
        if text:
            self.text(left, y + 0.5 * height + 0.3 * self.font_size, text)
        self.set_xy(x, y + height)


_GREY = (235, 235, 235)
_RULE = (190, 190, 190)
_ROW = 4.8  # mm per table row at 8.5 pt
_BOTTOM = 20  # mm kept free for the footer


def statement_pdf(view: Mapping[str, Any], font: PdfFont) -> bytes:
    """The statement of account as PDF bytes, from the same formatted view the HTML body uses."""
    labels = view["labels"]
    pdf = _StatementPDF(font, labels["page"])
    pdf.set_title(f"{labels['statement']} {view['customer']['id']} {view['as_of']}")
    pdf.set_creator("arbook")
    pdf.set_auto_page_break(True, margin=_BOTTOM)
    pdf.add_page()
    wrap = "CHAR" if view.get("language") == "zh" else "WORD"
    company, customer = view["company"], view["customer"]
    clean = font.printable

    pdf.size(15)
    pdf.line_of(100, 7, clean(company["name"]), wrap=wrap)
    pdf.size(8.5)
    for line in [*company["address_lines"], company["email"]]:
        pdf.line_of(100, 4.2, clean(line), wrap=wrap)
    pdf.set_xy(120, 10)
    pdf.size(14)
    pdf.line_of(80, 8, clean(labels["statement"]), align="R")
    pdf.size(9)
    for text in (
        f"{labels['as_of']}: {view['as_of']}",
        f"{labels['customer_no']}: {customer['id']}",
        f"{labels['period']}: {view['period_start']} – {view['period_end']}",
    ):
        pdf.line_of(80, 5, clean(text), align="R")

    pdf.set_xy(pdf.l_margin, 48)
    pdf.size(10.5)
    for line in [customer["name"], customer["contact"], *customer["address_lines"]]:
        if line:
            pdf.line_of(95, 5.2, clean(line), wrap=wrap)
    pdf.ln(8)

    pdf.size(9)
    pdf.line_of(0, 6, clean(f"{labels['opening']}: {view['opening_balance']}"))
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
    pdf.size(10.5)
    pdf.line_of(0, 8, clean(f"{labels['closing']}: {view['closing_balance']}"))

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

    pdf.size(9)
    pdf.ln(4)
    if company["remit_lines"]:
        pdf.line_of(0, 5, clean(f"{labels['remit_to']}:"))
        for line in company["remit_lines"]:
            pdf.line_of(0, 4.5, clean(line))  # bank details: break at spaces
    pdf.ln(3)
    pdf.line_of(0, 5, clean(view["confirm"]), wrap=wrap)
    return bytes(pdf.output())


def _heading(pdf: _StatementPDF, text: str) -> None:
    pdf.ln(2)
    pdf.size(11)
    pdf.line_of(0, 7, text)


def _table(
    pdf: _StatementPDF,
    clean: Callable[[str], str],
    head: list[str],
    rows: list[list[str]],
    widths: tuple[float, ...],
    numeric_from: int,
) -> None:
    """A ruled table: grey heading row (repeated on each new page), text left, figures right."""
    pdf.size(8.5)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.2)
    scale = pdf.epw / sum(widths)
    widths = tuple(w * scale for w in widths)

    def row(values: list[str], y: float, shaded: bool) -> None:
        if shaded:
            pdf.set_fill_color(*_GREY)
            pdf.rect(pdf.l_margin, y, pdf.epw, _ROW, style="F")
            # Back to the text's colour: while they differ, fpdf2 wraps every text() in its own
            # graphics state with the colour set again (a third of each row's cost).
            pdf.set_fill_color(0)
        x = pdf.l_margin
        for i, (value, width) in enumerate(zip(values, widths, strict=False)):  # a "none" row has one value
            text, room = clean(str(value)), width - 2
            size = pdf.measure(text)
            while size > room and len(text) > 1:
                text = text[:-2] + "…"
                size = pdf.measure(text)
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
            pdf.size(8.5)
            y = pdf.t_margin
            row(head, y, shaded=True)
            y += _ROW
        row(values, y, shaded=False)
        y += _ROW
    pdf.set_xy(pdf.l_margin, y + 1.5)
