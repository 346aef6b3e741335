"""What every operation shares: the progress callback and the summary it returns.

Operations never print; the CLI renders a Summary as a table or JSON, and the Excel buttons
render it in the Dashboard's status area. Progress is a callback the CLI backs with a rich
progress bar and the macros with Excel's status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["NO_PROGRESS", "Progress", "Summary"]

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): `step` names the work, done/total count its units."""


def _ignore(step: str, done: int, total: int) -> None:
    """The progress callback for callers that show none."""


NO_PROGRESS: Progress = _ignore


@dataclass
class Summary:
    """The outcome of one operation, in figures a clerk reads and a scheduler parses.

    `figures` keep their insertion order (it is the order they are shown in); `notes` are
    sentences worth reading (defaults applied, customers without e-mail, ...); `ok` is False
    when the operation finished but something in it failed (e.g. some mails were refused);
    `complete` is False when it owes work to a later run (mail the server did not take for now):
    the month-end then does not record its step as done, so the same command continues it.
    `rows` are a report's table (the receipts by customer and month), one dict per row, in the
    order shown; operations that report figures only leave it empty.
    """

    command: str
    figures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ok: bool = True
    complete: bool = True
    rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def result(self) -> str:
        """In a word or three, for the Dashboard's Result cell: "OK" or "Finished with problems"."""
        return "OK" if self.ok else "Finished with problems"

    def line(self) -> str:
        """The figures on one line ("customers 12; hold 2"): the Audit row's Summary, a month-end step's figure."""
        return "; ".join(f"{k} {v}" for k, v in self.figures.items())

    def as_dict(self) -> dict[str, object]:
        return {
            "command": self.command,
            "ok": self.ok,
            "complete": self.complete,
            "figures": dict(self.figures),
            "notes": list(self.notes),
            **({"rows": list(self.rows)} if self.rows else {}),
        }
