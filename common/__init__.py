"""Leaf helpers shared by `workbook`, `matching`, `mailer` and `receivables`: the error tree and value parsing.

These packages must not know each other (each can be read, tested and changed alone), yet
they raise the same errors and parse amounts and dates by the same rules; this package
depends on nothing of ours.
"""
