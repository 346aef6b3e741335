"""The invoice matcher: which open invoices each bank credit pays, how sure, and why.

A pure pipeline on DataFrames (no files, no Excel): `match_lines` proposes and decides,
`post_approved` posts what a person approved. See pipeline.py for the stages.
"""

from matching.matcher.assignment import MARGIN
from matching.matcher.books import OpenAmounts
from matching.matcher.ledger import ALLOCATION_COLUMNS, LINE_MONEY, MATCH_COLUMNS
from matching.matcher.pipeline import MatchResult, match_lines, receipt_verdicts
from matching.matcher.posting import PostResult, learned_aliases, post_approved
from matching.matcher.settings import MatchSettings

__all__ = [
    "ALLOCATION_COLUMNS",
    "LINE_MONEY",
    "MARGIN",
    "MATCH_COLUMNS",
    "MatchResult",
    "MatchSettings",
    "OpenAmounts",
    "PostResult",
    "learned_aliases",
    "match_lines",
    "post_approved",
    "receipt_verdicts",
]
