"""The Settings keys the matcher reads, typed; money in cents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["MatchSettings"]


@dataclass(frozen=True)
class MatchSettings:
    """The Settings keys the matcher reads (SPEC §2), typed; money in cents."""

    auto_threshold: float = 90.0
    suggest_threshold: float = 60.0
    fee_tolerance: int = 1500
    amount_tolerance: int = 0
    company_name: str = ""
    base_currency: str = "EUR"

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> MatchSettings:
        return cls(
            auto_threshold=float(settings.get("match_auto_threshold", 90.0)),  # type: ignore[arg-type]
            suggest_threshold=float(settings.get("match_suggest_threshold", 60.0)),  # type: ignore[arg-type]
            fee_tolerance=int(settings.get("fee_tolerance", 1500)),  # type: ignore[call-overload]
            amount_tolerance=int(settings.get("amount_tolerance", 0)),  # type: ignore[call-overload]
            company_name=str(settings.get("company_name", "") or ""),
            base_currency=str(settings.get("base_currency", "EUR") or "EUR"),
        )
