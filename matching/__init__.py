"""matching: the money in the bank, read from its statement files and matched to invoices.

importers  a bank statement file (CSV, MT940, CAMT.053/.054) -> BankLines and BankStatements rows
matcher    bank credits and open invoices -> Matches, Allocations and BankLines statuses

Pure: bytes or DataFrames in, DataFrames out; it imports nothing of ours but `common`.
"""

from .importers import BankFile, read_bank_file
from .matcher import MatchResult, PostResult, match_lines, post_approved

__all__ = ["BankFile", "MatchResult", "PostResult", "match_lines", "post_approved", "read_bank_file"]
