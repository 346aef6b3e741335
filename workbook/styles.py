"""Cell styles arbook needs but a workbook may lack: a date format, a money format, a quote prefix.

A cell keeps its own style whenever it has a suitable one; only when a date would show as a
bare serial number, money shows in General or in arbook's format for other decimals (a JPY
amount in a two-decimal cell), or text starting with "=" needs Excel's quote prefix, is a
variant of the cell's style used: one already in styles.xml when it has the same format, else
one appended (an existing style is never changed, and rewriting does not pile up copies).
"""

from __future__ import annotations

import re

from lxml import etree

from common.errors import UnsafeWorkbookError

from .package import NS, safe_xml

__all__ = ["Styles"]

_BUILTIN = {0: "General", 2: "0.00", 4: "#,##0.00", 9: "0%", 10: "0.00%", 14: "mm-dd-yy", 22: "m/d/yy h:mm"}
_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _m(tag: str) -> str:
    return f"{{{NS['m']}}}{tag}"


class Styles:
    """styles.xml, with variants added on demand; `changed` tells whether it must be written."""

    def __init__(self, xml: bytes) -> None:
        self.root = safe_xml(xml, "xl/styles.xml")
        self.changed = False
        self._numfmts = self.root.find("m:numFmts", NS)
        self._xfs = self.root.find("m:cellXfs", NS)
        if self._xfs is None:
            raise UnsafeWorkbookError(
                "xl/styles.xml has no cell formats (cellXfs); the file is damaged: open it in Excel and save it again"
            )
        self._xf_list = self._xfs.findall("m:xf", NS)
        self._variants: dict[tuple[int, str | None, bool], int] = {}
        self._copies: dict[tuple[int, int], int] = {}
        self._formats = {int(n.get("numFmtId", "0")): n.get("formatCode", "") for n in self._iter_numfmts()}

    def _iter_numfmts(self):
        return [] if self._numfmts is None else self._numfmts.findall("m:numFmt", NS)

    def _xf(self, index: int) -> etree._Element:
        xfs = self._xf_list
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def format_code(self, xf_index: int) -> str:
        fid = int(self._xf(xf_index).get("numFmtId", "0"))
        return self._formats.get(fid, _BUILTIN.get(fid, "General" if fid not in _DATE_IDS else "m/d/yy"))

    def is_date(self, xf_index: int) -> bool:
        fid = int(self._xf(xf_index).get("numFmtId", "0"))
        if fid in _DATE_IDS:
            return True
        code = _QUOTED.sub("", self._formats.get(fid, "")).lower()
        return any(ch in code for ch in "dmy") and "general" not in code

    def variant(self, base: int, *, number_format: str | None = None, quote_prefix: bool = False) -> int:
        """The index of a style like `base` with that number format and/or quote prefix."""
        key = (base, number_format, quote_prefix)
        if key in self._variants:
            return self._variants[key]
        xf = etree.fromstring(etree.tostring(self._xf(base)))
        if number_format is not None:
            xf.set("numFmtId", str(self._numfmt_id(number_format)))
            xf.set("applyNumberFormat", "1")
        if quote_prefix:
            xf.set("quotePrefix", "1")
        wanted = etree.tostring(xf)
        index = next((i for i, known in enumerate(self._xf_list) if etree.tostring(known) == wanted), -1)
        if index < 0:
            self._xfs.append(xf)
            self._xf_list.append(xf)
            self._xfs.set("count", str(len(self._xf_list)))
            index = len(self._xf_list) - 1
            self.changed = True
        self._variants[key] = index
        return index

    def copied(self, other: Styles, index: int) -> int:
        """The index of a style here that looks like style `index` of `other` (another workbook's
        styles.xml): its font, fill, border and number format appended as needed, based on Normal."""
        key = (id(other), index)
        if key in self._copies:
            return self._copies[key]
        xf = etree.fromstring(etree.tostring(other._xf(index)))
        for attribute, section in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            theirs = other.root.find(f"m:{section}", NS)
            ours = self.root.find(f"m:{section}", NS)
            if theirs is None or ours is None:
                raise UnsafeWorkbookError(
                    f"xl/styles.xml has no {section}; the file is damaged: open it in Excel and save it again"
                )
            ours.append(etree.fromstring(etree.tostring(theirs[int(xf.get(attribute, "0"))])))
            ours.set("count", str(len(ours)))
            xf.set(attribute, str(len(ours) - 1))
        fid = int(xf.get("numFmtId", "0"))
        if fid in other._formats:
            xf.set("numFmtId", str(self._numfmt_id(other._formats[fid])))
        xf.set("xfId", "0")
        self._xfs.append(xf)
        self._xf_list.append(xf)
        self._xfs.set("count", str(len(self._xf_list)))
        self._copies[key] = len(self._xf_list) - 1
        self.changed = True
        return self._copies[key]

    def copied_dxf(self, other: Styles, index: int) -> int:
        """The index here of a copy of `other`'s differential format `index` (what a conditional
        format applies), appended to this workbook's dxfs, its number format given an id of ours."""
        theirs = other.root.find("m:dxfs", NS)
        if theirs is None or not 0 <= index < len(theirs):
            raise UnsafeWorkbookError(
                f"xl/styles.xml has no conditional format {index}; the template is damaged"
            )
        dxf = etree.fromstring(etree.tostring(theirs[index]))
        numfmt = dxf.find("m:numFmt", NS)
        if numfmt is not None:
            numfmt.set("numFmtId", str(self._numfmt_id(numfmt.get("formatCode", "General"))))
        ours = self.root.find("m:dxfs", NS)
        if ours is None:
            ours = etree.Element(_m("dxfs"))
            after = self.root.find("m:cellStyles", NS)
            anchor = after if after is not None else self._xfs
            anchor.addnext(ours)
        ours.append(dxf)
        ours.set("count", str(len(ours)))
        self.changed = True
        return len(ours) - 1

    def _numfmt_id(self, code: str) -> int:
        for fid, existing in {**_BUILTIN, **self._formats}.items():
            if existing == code:
                return fid
        if self._numfmts is None:
            self._numfmts = etree.Element(_m("numFmts"))
            self.root.insert(0, self._numfmts)
        fid = max([163, *self._formats]) + 1
        el = etree.SubElement(self._numfmts, _m("numFmt"))
        el.set("numFmtId", str(fid))
        el.set("formatCode", code)
        self._numfmts.set("count", str(len(self._iter_numfmts())))
        self._formats[fid] = code
        return fid

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
