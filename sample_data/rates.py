"""The sample company's Rates table: what its clerk would have imported for the month it closes.

The demo month lies after the last day the ECB had published when the sample was made, so its
rates are the ECB's reference rates of 13 April 2026 (1 EUR = 1.1684 USD = 0.87058 GBP, the
daily eurofxref.csv of that day, tests/rates_real/) held on every working day of the month, and
the Source column says so: enough to convert the demo's GBP and USD amounts on any day of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data.generator import SampleCompany

__all__ = ["SAMPLE_RATES", "sample_rates"]

SAMPLE_RATES = {"GBP": "0.87058", "USD": "1.1684"}
"""Units per euro, as the ECB published them on 13 April 2026."""


def sample_rates(company: SampleCompany) -> pd.DataFrame:
    """Date, Currency, Rate, Source: each working day of the as-of month, each currency the company bills in."""
    start = company.as_of.replace(day=1)
    days = pd.bdate_range(start, company.as_of)
    used = sorted(set(company.customers["Currency"]) & set(SAMPLE_RATES))
    rows = [(day, code, float(SAMPLE_RATES[code])) for day in days for code in used]
    frame = pd.DataFrame(rows, columns=["Date", "Currency", "Rate"])
    frame["Date"] = frame["Date"].to_numpy("datetime64[ns]")
    frame["Source"] = np.full(len(frame), "ECB 2026-04-13, held for the demo", dtype=object)
    return frame
