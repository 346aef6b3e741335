"""Leaf helpers shared by `workbook`, `matching` and `mailer`: the error tree and value parsing.

These three packages must not know each other (SPEC §1), yet they raise the same errors and
parse amounts and dates by the same rules; this package depends on nothing of ours.
"""
