"""The invoice matcher: which open invoices each bank credit pays, how sure, and why.

A pure pipeline on DataFrames (no files, no Excel): `match_lines` proposes and decides,
`post_approved` posts what a person approved. See pipeline.py for the stages.
"""

from matching.matcher.ledger import ALLOCATION_COLUMNS, MATCH_COLUMNS
from matching.matcher.pipeline import MARGIN, MatchResult, MatchSettings, match_lines
from matching.matcher.posting import PostResult, learned_aliases, post_approved

__all__ = [
    "ALLOCATION_COLUMNS",
    "MARGIN",
    "MATCH_COLUMNS",
    "MatchResult",
    "MatchSettings",
    "PostResult",
    "learned_aliases",
    "match_lines",
    "post_approved",
]
