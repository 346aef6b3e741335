"""How long a full aging recompute takes on a large ledger, against a bare pandas baseline.

    .venv/bin/python -m bench.aging_speed [--invoices 200000] [--allocations 300000] [--repeat 3]

Generates the frames with numpy (20,000 customers, two years of invoices, payments, fees,
discounts, write-offs and unapplied cash), then times, in the same run:
  baseline  the least anyone could do: open = Amount - allocations summed per invoice
            (one groupby-sum), then totals per customer (a second groupby-sum);
  arbook    everything the `aging` operation computes: invoice balances, open items,
            buckets, payment history and behaviour, the Aging table and the KPIs (including
            the open items a month earlier for CEI).
Prints the best of `--repeat` runs per stage, the total, the ratio to the baseline, and
whether the target (under 10 s) was met.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from receivables import (
    SETTLING_KINDS,
    aged_items,
    aging_table,
    invoice_balances,
    kpi_table,
    open_items,
    payment_behaviour,
    payment_history,
)

AS_OF = date(2026, 6, 30)
LIMITS = (30, 60, 90, 120)
TARGET_SECONDS = 10.0


def make_frames(n_invoices: int, n_allocations: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_customers = 20_000
    start = np.datetime64("2024-07-01")
    customer_ids = np.array([f"C{i:06d}" for i in range(n_customers)], dtype=object)
    customers = pd.DataFrame(
        {
            "CustomerID": customer_ids,
            "Name": [f"Customer {i}" for i in range(n_customers)],
            "PaymentTermsDays": pd.array(rng.choice([14, 30, 45, 60], n_customers), dtype="Int64"),
        }
    )
    inv_dates = start + rng.integers(0, 730, n_invoices).astype("timedelta64[D]")
    amounts = rng.integers(1_000, 2_000_000, n_invoices)
    amounts[rng.random(n_invoices) < 0.04] *= -1  # credit notes
    numbers = np.array([f"INV{i:07d}" for i in range(n_invoices)], dtype=object)
    invoices = pd.DataFrame(
        {
            "InvoiceNo": numbers,
            "CustomerID": customer_ids[rng.integers(0, n_customers, n_invoices)],
            "InvoiceDate": inv_dates.astype("datetime64[ns]"),
            "DueDate": (inv_dates + 30).astype("datetime64[ns]"),
            "Amount": pd.array(amounts, dtype="Int64"),
            "Disputed": rng.random(n_invoices) < 0.01,
        },
        index=np.arange(2, 2 + n_invoices),
    )
    target = rng.integers(0, n_invoices, n_allocations)
    kind = rng.choice(
        [*SETTLING_KINDS, "unapplied"],
        n_allocations,
        p=[0.9, 0.04, 0.03, 0.01, 0.02],
    )
    paid = inv_dates[target] + rng.integers(0, 120, n_allocations).astype("timedelta64[D]")
    share = np.where(kind == "payment", rng.choice([1.0, 0.5, 0.3], n_allocations, p=[0.7, 0.2, 0.1]), 0.01)
    alloc_amount = np.abs(np.round(amounts[target] * share)).astype("int64")
    alloc_amount = np.where(amounts[target] < 0, -alloc_amount, alloc_amount)
    allocations = pd.DataFrame(
        {
            "LineID": np.array([f"L{i:07d}" for i in range(n_allocations)], dtype=object),
            "InvoiceNo": np.where(kind == "unapplied", "", numbers[target]),
            "CustomerID": invoices["CustomerID"].to_numpy()[target],
            "Amount": pd.array(alloc_amount, dtype="Int64"),
            "PaymentDate": paid.astype("datetime64[ns]"),
            "Kind": kind,
        }
    )
    return {"invoices": invoices, "allocations": allocations, "customers": customers}


def baseline(f: dict[str, pd.DataFrame]) -> pd.Series:
    inv, alloc = f["invoices"], f["allocations"]
    paid = alloc.groupby("InvoiceNo")["Amount"].sum()
    open_amount = inv["Amount"] - paid.reindex(inv["InvoiceNo"]).fillna(0).to_numpy()
    return open_amount.groupby(inv["CustomerID"].to_numpy()).sum()


def arbook_stages(f: dict[str, pd.DataFrame]) -> dict[str, Callable[[], object]]:
    inv, alloc, cust = f["invoices"], f["allocations"], f["customers"]
    state: dict[str, object] = {}

    def balances() -> None:
        state["balances"] = invoice_balances(inv, alloc, as_of=AS_OF, customers=cust, base="EUR")

    def items() -> None:
        state["aged"] = aged_items(
            open_items(inv, alloc, as_of=AS_OF, customers=cust, base="EUR"),
            as_of=AS_OF,
            limits=LIMITS,
            basis="due",
        )

    def history() -> None:
        state["history"] = payment_history(inv, alloc, as_of=AS_OF, customers=cust, base="EUR")
        state["behaviour"] = payment_behaviour(state["history"])  # type: ignore[arg-type]

    def table() -> None:
        aging_table(state["aged"], cust, limits=LIMITS, behaviour=state["behaviour"])  # type: ignore[arg-type]

    def kpis() -> None:
        begin = open_items(inv, alloc, as_of=date(2026, 5, 30), customers=cust, base="EUR")
        kpi_table(state["aged"], begin, inv, state["history"], as_of=AS_OF, period_days=90, currency="EUR")  # type: ignore[arg-type]

    return {
        "balances": balances,
        "open items + buckets": items,
        "payment history": history,
        "aging table": table,
        "KPIs": kpis,
    }


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--allocations", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    frames = make_frames(args.invoices, args.allocations)
    print(
        f"generated {args.invoices:,} invoices, {args.allocations:,} allocations "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    base = best_of(lambda: baseline(frames), args.repeat)
    print(f"{'baseline (groupby-sum)':<24} {base:7.3f} s")
    total = 0.0
    for name, stage in arbook_stages(frames).items():
        seconds = best_of(stage, args.repeat)
        total += seconds
        print(f"{name:<24} {seconds:7.3f} s")
    verdict = "met" if total < TARGET_SECONDS else "MISSED"
    print(
        f"{'arbook aging, total':<24} {total:7.3f} s  = {total / base:.1f}x baseline; "
        f"target < {TARGET_SECONDS:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
