"""The one XML parser arbook uses for what it did not write expands no entity and reads no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from common.safexml import safe_parser


@pytest.mark.parametrize("huge_tree", [False, True])
def test_an_internal_entity_is_not_expanded(huge_tree: bool) -> None:
    data = b'<!DOCTYPE d [<!ENTITY e "EVIL">]><d>&e;</d>'
    root = etree.fromstring(data, safe_parser(huge_tree=huge_tree))
    assert "EVIL" not in etree.tostring(root).decode()


def test_an_external_entity_reads_no_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = f'<!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]><d>&x;</d>'.encode()
    root = etree.fromstring(data, safe_parser(huge_tree=False))
    assert "TOP-SECRET" not in etree.tostring(root).decode()
    assert root.text is None


def test_comments_and_processing_instructions_go_only_when_asked() -> None:
    data = b"<d><!--c--><?pi x?><e/></d>"
    kept = etree.fromstring(data, safe_parser(huge_tree=False))
    dropped = etree.fromstring(data, safe_parser(huge_tree=False, remove_comments=True, remove_pis=True))
    assert len(kept) == 3
    assert [child.tag for child in dropped] == ["e"]
