"""The one way arbook parses XML it did not write: no entity expanded, no DTD loaded, no network.

Workbook parts and camt bank statements come from outside; an entity could read a local file
into a cell, a billion-laughs DTD could exhaust memory, an external reference could reach the
network. Every XML parser of arbook is made here, so none can forget one of the three.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["safe_parser"]


def safe_parser(
    *, huge_tree: bool, remove_comments: bool = False, remove_pis: bool = False
) -> etree.XMLParser:
    """An lxml parser with entities, DTDs and the network off.

    `huge_tree` lifts libxml2's limits on depth and on the length of one text node: a worksheet
    of a table of a million rows needs it (its size is bounded by the zip checks of
    `workbook/package.py` instead); a bank statement does not, and keeps the limits.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge_tree,
        remove_comments=remove_comments,
        remove_pis=remove_pis,
    )
