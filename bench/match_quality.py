"""How right the matcher is, on generated months with ground truth, against two rule baselines.

    .venv/bin/python -m bench.match_quality [--seeds 1 2 3 4 5] [--customers 150]

For each seed, `sample_data.generate` builds a company and its bank month with the truth of
every line (which invoices it pays, and how). The matcher runs on it exactly as `arbook match`
would (posting auto proposals); so do two baselines of the kind Odoo/ERPNext ship:

    exact-ref   the literal InvoiceNo in the memo and the line amount equal to its open amount
    payer+amt   the payer ~ a customer name (rapidfuzz ratio >= 80) and exactly one of that
                customer's open invoices has the line's amount

A line is right when the allocations posted for it are exactly its truth rows (invoice,
customer, cents, kind); a line that pays nothing (noise, debit, duplicate) is right when
nothing is posted. Printed per situation and overall:

    auto precision   auto-posted lines (and allocation rows) that are right
    coverage         receipts fully and rightly posted by auto
    top-1            on receipts not auto-posted, the best suggestion is exactly right
    noise posted     lines that pay nothing but got an allocation (must be 0)

and the calibration of the score: for each band of best-proposal scores, how often it was right.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from arbook.match import match_settings, open_amounts
from matching.matcher import match_lines
from receivables import Ledger, invoice_balances, no_rates
from sample_data import generate
from sample_data.generator import SampleCompany
from workbook.contract import Settings

Row = tuple[str, str, int, str]  # InvoiceNo, CustomerID, cents, Kind


def _rows(frame: pd.DataFrame) -> dict[str, frozenset[Row]]:
    out: dict[str, set[Row]] = defaultdict(set)
    for r in frame.itertuples(index=False):
        if r.Kind != "none":
            out[r.LineID].add((str(r.InvoiceNo), str(r.CustomerID), int(r.Amount), str(r.Kind)))
    return {k: frozenset(v) for k, v in out.items()}


def _open(company: SampleCompany) -> pd.DataFrame:
    balances = invoice_balances(company.invoices, company.allocations, as_of=company.as_of, base="EUR")
    return company.invoices.assign(open=balances["OpenAmount"].astype("int64"))


def baseline_exact_ref(company: SampleCompany) -> dict[str, frozenset[Row]]:
    inv = _open(company)
    inv = inv[inv["open"] > 0]
    by_no = dict(zip(inv["InvoiceNo"], zip(inv["CustomerID"], inv["open"], strict=True), strict=True))
    posted: dict[str, frozenset[Row]] = {}
    used: set[str] = set()
    for line in company.bank_lines.itertuples(index=False):
        if int(line.Amount) <= 0:
            continue
        for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]", str(line.Memo)):
            hit = by_no.get(word)
            if hit and int(hit[1]) == int(line.Amount) and word not in used:
                used.add(word)
                posted[line.LineID] = frozenset({(word, hit[0], int(line.Amount), "payment")})
                break
    return posted


def baseline_payer_amount(company: SampleCompany) -> dict[str, frozenset[Row]]:
    inv = _open(company)
    inv = inv[inv["open"] > 0]
    names = company.customers["Name"].str.lower().tolist()
    ids = company.customers["CustomerID"].tolist()
    lines = company.bank_lines[company.bank_lines["Amount"] > 0]
    best = process.extract  # one fuzzy ratio per payer, as the ERP reconcilers do
    posted: dict[str, frozenset[Row]] = {}
    used: set[str] = set()
    for line in lines.itertuples(index=False):
        found = best(str(line.Payer).lower(), names, scorer=fuzz.ratio, limit=1, score_cutoff=80)
        if not found:
            continue
        cid = ids[found[0][2]]
        same = inv[
            (inv["CustomerID"] == cid) & (inv["open"] == int(line.Amount)) & ~inv["InvoiceNo"].isin(used)
        ]
        if len(same) == 1:
            no = same["InvoiceNo"].iloc[0]
            used.add(no)
            posted[line.LineID] = frozenset({(no, cid, int(line.Amount), "payment")})
    return posted


def _evaluate(
    truth: pd.DataFrame, lines: pd.DataFrame, auto: dict[str, frozenset[Row]], best: dict[str, frozenset[Row]]
) -> pd.DataFrame:
    """One row per bank credit: situation, receipt?, auto-posted?, auto right?, best suggestion right?"""
    expected = _rows(truth)
    situation = truth.drop_duplicates("LineID").set_index("LineID")["Situation"]
    rows = []
    for line in lines.itertuples(index=False):
        if int(line.Amount) <= 0:
            continue
        want = expected.get(line.LineID, frozenset())
        got = auto.get(line.LineID)
        rows.append(
            {
                "situation": situation.get(line.LineID, "?"),
                "receipt": bool(want),
                "auto": got is not None,
                "auto_right": got == want if got is not None else False,
                "auto_rows": len(got or ()),
                "auto_rows_right": len((got or frozenset()) & want),
                "suggested": line.LineID in best,
                "top1_right": best.get(line.LineID) == want if line.LineID in best else False,
            }
        )
    return pd.DataFrame(rows)


def _summary(e: pd.DataFrame) -> dict[str, object]:
    receipts = e[e["receipt"]]
    rest = receipts[~receipts["auto"]]
    auto = e[e["auto"]]
    return {
        "lines": len(e),
        "auto": len(auto),
        "precision %": 100 * auto["auto_right"].mean() if len(auto) else float("nan"),
        "row prec %": 100 * auto["auto_rows_right"].sum() / auto["auto_rows"].sum()
        if len(auto)
        else float("nan"),
        "coverage %": 100 * receipts["auto_right"].mean() if len(receipts) else float("nan"),
        "top-1 rest %": 100 * rest["top1_right"].mean() if len(rest) else float("nan"),
        "noise posted": int((~e["receipt"] & e["auto"]).sum()),
    }


def run(seeds: list[int], customers: int) -> None:
    evals: dict[str, list[pd.DataFrame]] = defaultdict(list)
    bands: list[tuple[float, bool]] = []
    timing = 0.0
    for seed in seeds:
        company = generate(seed, customers=customers)
        start = time.perf_counter()
        ledger = Ledger(
            company.invoices,
            company.allocations,
            company.customers,
            as_of=company.as_of,
            rates=no_rates("EUR"),
        )
        opens = open_amounts(company.bank_lines, ledger)
        settings = match_settings(Settings(**company.settings))
        result = match_lines(company.bank_lines, company.customers, opens, None, settings)
        timing += time.perf_counter() - start
        m = result.matches
        auto = _rows(result.allocations)
        first = m.drop_duplicates("LineID")["MatchID"]
        best_rows = _rows(m[m["MatchID"].isin(first) & (m["Decision"] == "suggested")])
        evals["matcher"].append(_evaluate(company.truth, company.bank_lines, auto, best_rows))
        evals["exact-ref"].append(
            _evaluate(company.truth, company.bank_lines, baseline_exact_ref(company), {})
        )
        evals["payer+amt"].append(
            _evaluate(company.truth, company.bank_lines, baseline_payer_amount(company), {})
        )
        truth_rows = _rows(company.truth)
        for _mid, group in m[m["MatchID"].isin(first)].groupby("MatchID"):
            got = _rows(group)
            line = group["LineID"].iloc[0]
            bands.append((float(group["Score"].iloc[0]), got.get(line) == truth_rows.get(line, frozenset())))

    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 100)
    print(f"seeds {seeds}, {customers} customers each; matcher time {timing:.2f} s in all\n")
    overall = pd.DataFrame({name: _summary(pd.concat(frames)) for name, frames in evals.items()}).T
    print("OVERALL (per payment = bank line; row prec = per allocation row, i.e. per invoice)")
    print(overall.round(2).to_string(), "\n")
    e = pd.concat(evals["matcher"])
    per = pd.DataFrame({s: _summary(g) for s, g in e.groupby("situation")}).T
    for name in ("exact-ref", "payer+amt"):
        b = pd.concat(evals[name])
        per[f"{name} cov %"] = pd.Series({s: _summary(g)["coverage %"] for s, g in b.groupby("situation")})
    print("MATCHER PER SITUATION (baselines: coverage only)")
    print(per.round(1).to_string(), "\n")
    scores = pd.DataFrame(bands, columns=["score", "right"])
    scores["band"] = pd.cut(scores["score"], [0, 40, 60, 70, 80, 90, 95, 99, 100.01], right=False)
    cal = scores.groupby("band", observed=True).agg(
        proposals=("right", "size"), right_pct=("right", "mean"), mean_score=("score", "mean")
    )
    cal["right_pct"] *= 100
    print("CALIBRATION (best proposal per line: score band -> share exactly right)")
    print(cal.round(1).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--customers", type=int, default=150)
    args = parser.parse_args()
    np.seterr(all="ignore")
    run(args.seeds, args.customers)


if __name__ == "__main__":
    main()
