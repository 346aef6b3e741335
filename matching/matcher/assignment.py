"""Score, assignment and decisions: which proposals each line gets, and whether one posts itself.

Lines are taken in order of their best score (a line whose best proposal is the oldest of
equal items by convention alone after the others), and each invoice's open amount is used once: an
auto proposal takes the open amounts of its items, so a later line sees only what is left
(and is proposed again when its best items are gone). A proposal is auto only above the auto
threshold with a clear margin over the next different proposal; otherwise up to three are
suggested, best first, when together they reach the suggest threshold (two equally likely
sets at 45 % each are worth a look).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from matching.matcher.clues import Payment, Proposal
from matching.matcher.ledger import as_text
from matching.matcher.lookups import Lookups
from matching.matcher.policy import held_by
from matching.matcher.proposals import propose
from matching.matcher.score import feature_columns, log_odds, shares
from matching.matcher.settings import MatchSettings

__all__ = ["MARGIN", "Assignment", "Decision", "Ranked", "assign"]

MARGIN = 10.0  # score points an auto proposal must lead the next different proposal by
MIN_ALTERNATIVE = 10.0  # a proposal less likely than this is not worth a clerk's look
SHOWN = 3  # suggestions per line, best first


@dataclass(frozen=True)
class Ranked:
    """A proposal with its evidence points, what it books, and its share of the line's odds."""

    proposal: Proposal
    z: float  # evidence points (log-odds)
    key: frozenset[str]  # its invoice numbers and CustomerID: two proposals booking the same are one
    score: float  # 0-100


@dataclass(frozen=True)
class Decision:
    ranked: Ranked
    decision: str  # auto or suggested
    held: str = ""  # a suggestion that scores enough to post itself: the policy rule it does not meet


@dataclass
class Assignment:
    """The run's lines and items as assignment sees them; items' open amounts shrink as autos take them."""

    lines: pd.DataFrame  # the run's bank lines by position, with `remaining` cents
    lookups: Lookups
    customers: pd.DataFrame  # by position
    rejected: set[tuple[str, frozenset[str]]]  # (LineID, key) the clerk refused
    touched: set[int] = field(default_factory=set)  # items an auto proposal took from
    claims: Counter[tuple[int, int]] = field(default_factory=Counter)  # (customer, cents) -> lines
    turns: dict[int, tuple[int, int]] = field(default_factory=dict)  # line -> Payment.turn
    opened: np.ndarray = field(init=False)  # the items' open amounts before this run took any

    def __post_init__(self) -> None:
        self.opened = self.lookups.items.open.copy()

    @cached_property
    def line_ids(self) -> np.ndarray:
        return self.lines["LineID"].to_numpy()

    @cached_property
    def customer_ids(self) -> np.ndarray:
        return as_text(self.customers["CustomerID"]).to_numpy()

    @cached_property
    def payers(self) -> np.ndarray:
        return self.lines["Payer"].to_numpy()

    @cached_property
    def remaining(self) -> np.ndarray:
        return self.lines["remaining"].to_numpy()

    @cached_property
    def customer_names(self) -> np.ndarray:
        return as_text(self.customers["Name"]).to_numpy()

    @cached_property
    def _columns(self) -> tuple[np.ndarray, ...]:
        """The line columns a payment needs, as arrays once (a re-look at one line must be cheap)."""
        bl = self.lines
        return (
            bl["remaining"].to_numpy(),
            bl["Currency"].to_numpy(),
            bl["Date"].to_numpy("datetime64[ns]"),
            (bl["Payer"] != "").to_numpy(),
        )

    def payment(self, line: int) -> Payment:
        amounts, currencies, dates, named = self._columns
        return Payment(
            line,
            int(amounts[line]),
            currencies[line],
            dates[line],
            bool(named[line]),
            self.lookups.evidence.says(line),
            self.turns.get(line, (-1, 0)),
        )

    def ranked(self, lines: list[int]) -> dict[int, list[Ranked]]:
        """Ranked proposals per line (best first), scored against the open amounts as they are now."""
        found = [p for line in lines for p in propose(self.payment(line), self.lookups)]
        distinct: dict[int, list[tuple[Proposal, float, frozenset[str]]]] = {line: [] for line in lines}
        if not found:
            return {line: [] for line in lines}
        z = log_odds(feature_columns(found))
        seen: set[tuple[int, frozenset[str]]] = set()
        # Equal evidence: the customer whose own name or alias the payer is letter for letter
        # first ('Moller Elektro GmbH' is Moller's name; Möller's only once umlauts are folded),
        # then the proposal paying the oldest invoice (oldest first, as cash application goes),
        # so the first suggestion a person sees is the likelier one.
        ranking = sorted(
            zip(found, z.tolist(), strict=True),
            key=lambda pz: (pz[0].line, -pz[1], not self._verbatim(pz[0]), self._age(pz[0])),
        )
        for p, zi in ranking:
            key = self._key(p)
            # Another booking of the same items is one proposal, except a late discount granted:
            # beside "the difference stays open" it is the other choice a person has.
            repeated = (p.line, key) in seen and p.fit != "late_granted"
            if repeated or (self.line_ids[p.line], key) in self.rejected:
                continue
            seen.add((p.line, key))
            distinct[p.line].append((p, zi, key))
        return {line: _scored(plist) for line, plist in distinct.items()}

    def _verbatim(self, p: Proposal) -> bool:
        """The payer is the proposal's customer's name or one of its aliases as written (case and
        spacing aside): no folding of umlauts, accents or legal forms was needed."""
        return _plain(str(self.payers[p.line])) in self._spellings[p.customer]

    @cached_property
    def _spellings(self) -> list[frozenset[str]]:
        aliases = as_text(self.customers.get("Aliases", pd.Series("", index=self.customers.index)))
        return [
            frozenset(_plain(s) for s in [name, *alias.split(";")] if s.strip())
            for name, alias in zip(self.customer_names, aliases, strict=True)
        ]

    def _age(self, p: Proposal) -> int:
        """The invoice date of the oldest item the proposal pays (ns; money kept on account: last)."""
        return min((int(self._item_days[i]) for i in p.item_cents()), default=2**62)

    @cached_property
    def _item_days(self) -> np.ndarray:
        return self.lookups.items.dates.astype("datetime64[ns]").astype(np.int64)

    def _key(self, p: Proposal) -> frozenset[str]:
        """Its invoice numbers and CustomerIDs (the same as rerun.py makes of a Matches proposal)."""
        items = self.lookups.items
        paid = p.item_cents()
        key = {str(items.numbers[i]) for i in paid}
        key.add(str(self.customer_ids[p.customer]))
        for i in paid:
            if items.customer[i] != p.customer:  # a group's proposal
                key.add(str(self.customer_ids[items.customer[i]]))
        return frozenset(key)

    def fits_open(self, p: Proposal) -> bool:
        """Every item still has the open amount the proposal allocates (same sign, not more);
        a payment in another currency needs its items still open, by what it was converted for."""
        open_now = self.lookups.items.open
        if p.foreign:
            settles = {i: c.settles for (i, _, _), c in zip(p.rows, p.crossings, strict=False)}
            return all(0 < open_now[i] == settles.get(i, open_now[i]) for i in p.item_cents())
        return all(
            0 < cents <= open_now[i] or open_now[i] <= cents < 0 for i, cents in p.item_cents().items()
        )

    def claim(self, by_line: dict[int, list[Ranked]]) -> None:
        """Count the lines that may pay the oldest of a customer's equal items (policy rule 6)."""
        self.claims = Counter(
            key
            for plist in by_line.values()
            for key in {_claimed(r.proposal) for r in plist if r.proposal.oldest}
        )

    def take_turns(self, by_line: dict[int, list[Ranked]]) -> list[int]:
        """Equal payments take equal items in their order: of the lines whose best proposal is the
        oldest of one customer's equal items (policy rule 6), the earliest (by date, then
        statement order) keeps the oldest, the next the oldest after it, and so on, so their
        suggestions are distinct items and approving them all pays as many items. The lines
        that must be proposed again (every one but the first of each set)."""
        sets: dict[tuple[int, int], list[int]] = {}
        for line, plist in by_line.items():
            if plist and plist[0].proposal.oldest:
                sets.setdefault(_claimed(plist[0].proposal), []).append(line)
        dates = self._columns[2]
        again = []
        for (customer, _), lines in sets.items():
            for k, line in enumerate(sorted(lines, key=lambda ln: (dates[ln], ln))[1:], start=1):
                self.turns[line] = (customer, k)
                again.append(line)
        return again

    def claimants(self, p: Proposal) -> int:
        return self.claims.get(_claimed(p), 1)

    def take(self, p: Proposal) -> None:
        """Use the items' open amounts; a payment in another currency settles its items in full
        (its payment and fx rows add up to what was open)."""
        for item, cents in p.item_cents().items():
            self.lookups.items.open[item] = 0 if p.foreign else self.lookups.items.open[item] - cents
            self.touched.add(item)


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def _claimed(p: Proposal) -> tuple[int, int]:
    return p.customer, sum(p.item_cents().values())


def _scored(plist: Sequence[tuple[Proposal, float, frozenset[str]]]) -> list[Ranked]:
    """One line's proposals, each scored by its share of their odds."""
    scores = shares([zi for _, zi, _ in plist]).tolist()
    return [Ranked(p, zi, key, s) for (p, zi, key), s in zip(plist, scores, strict=True)]


def _rescored(plist: list[Ranked]) -> list[Ranked]:
    """The same proposals, scored again as each other's only competitors."""
    return _scored([(r.proposal, r.z, r.key) for r in plist])


def assign(run: Assignment, by_line: dict[int, list[Ranked]], cfg: MatchSettings) -> list[Decision]:
    """Lines in order of their best score (the oldest of equal items last); autos use open amounts,
    later lines see what is left."""
    run.claim(by_line)
    by_line = {**by_line, **run.ranked(run.take_turns(by_line))}
    # A booking by convention alone (the oldest of equal items) waits for the lines with evidence:
    # a payment naming the month of one of those items takes it first.
    order = sorted(
        by_line,
        key=lambda ln: (
            bool(by_line[ln]) and by_line[ln][0].proposal.oldest,
            -(by_line[ln][0].score if by_line[ln] else 0.0),
        ),
    )
    decisions: list[Decision] = []
    for line in order:
        plist = _still_open(run, line, by_line[line]) if by_line[line] else []
        if plist:
            decisions += _decide(run, plist, cfg)
    return decisions


def _still_open(run: Assignment, line: int, plist: list[Ranked]) -> list[Ranked]:
    """The line's proposals against what earlier autos left open."""
    if run.touched and not run.fits_open(plist[0].proposal):
        return run.ranked([line])[line]  # an earlier line used its best items: look again
    if run.touched and not all(run.fits_open(r.proposal) for r in plist[:SHOWN]):
        return _rescored([r for r in plist if run.fits_open(r.proposal)])  # alternatives gone: re-share
    return plist


def _decide(run: Assignment, plist: list[Ranked], cfg: MatchSettings) -> list[Decision]:
    """Auto for a clear, certain best proposal (its items taken); else suggestions worth a look."""
    best = plist[0]
    p = best.proposal
    second = max((r.score for r in plist[1:] if r.key != best.key), default=0.0)
    certain = best.score >= cfg.auto_threshold
    held = held_by(p, run.claimants(p)) if certain else ""
    if certain and best.score - second >= MARGIN and not held and run.fits_open(p):
        run.take(p)
        return [Decision(best, "auto")]
    shown = [r for r in plist[:SHOWN] if r.score >= MIN_ALTERNATIVE]
    if sum(r.score for r in shown) >= cfg.suggest_threshold:
        return [Decision(r, "suggested", held if r is best else "") for r in shown]
    return []
