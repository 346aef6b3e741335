"""Cash application on months the matcher has never seen: Chinese, US and German company-months.

    .venv/bin/python -m bench.match_styles                       # 3 styles x seeds 1,2,3, 600 credits each
    .venv/bin/python -m bench.match_styles --styles de --seeds 7 --examples 3
    .venv/bin/python -m bench.match_styles --size 100000 --styles de   # one big month: suggestion quality at scale

Each month comes from bench.months (a builder written apart from sample_data and the
matcher), goes through arbook's real path (the workbook made by `arbook new`, the bank file
imported by import-bank, `match` run on the FileBook), and is judged against its truth
(bench.months.score): auto-post precision per allocation, lines that pay no invoice but got
posted, coverage (credits that pay invoices, posted fully and rightly), and the best
suggestion of every credit left unposted (best right: its rows are the truth's; ledger-equal:
right, or one of a customer's equal payments whose suggestions together pay the truth's
invoices, so approving them leaves the same open items: bench.months.score). Two simple rules (bench.months.baselines) run on
the same imported months as the baseline. Figures are printed, never asserted: exit 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from arbook.runner import run
from bench.months import SITUATIONS, STYLES, build_month, write_month
from bench.months.baselines import BASELINES, open_items
from bench.months.score import best_proposals, judge
from workbook.filebook import FileBook

DEFAULT_SEEDS = (1, 2, 3)
MATCHER = "arbook"


@dataclass
class Run:
    style: str
    seed: int
    lines: pd.DataFrame  # judged lines of every system, with a System column
    seconds: dict[str, float] = field(default_factory=dict)


def run_month(style: str, seed: int, credits: int, folder: Path, history: int) -> Run:
    clock: dict[str, float] = {}
    started = time.perf_counter()
    month = build_month(style, seed, credits=credits, history_months=history)
    clock["build"] = time.perf_counter() - started
    started = time.perf_counter()
    files = write_month(month, folder)
    clock["write"] = time.perf_counter() - started
    truth = month.truth_frame()

    started = time.perf_counter()
    with FileBook(files.workbook) as book:
        run(book, "import-bank", files=tuple(files.bank_files))
    clock["import"] = time.perf_counter() - started
    with FileBook(files.workbook, lock=False) as book:
        lines, invoices = book.read("BankLines"), book.read("Invoices")
        customers, before = book.read("Customers"), book.read("Allocations")
    credits_frame = lines[lines["Status"] == "Unmatched"]
    open_ = open_items(invoices, before)
    judged = []
    for name, rule in BASELINES.items():
        posted = rule(credits_frame, open_, customers)
        judged.append(judge(truth, lines, posted, posted.iloc[0:0]).assign(System=name))

    started = time.perf_counter()
    with FileBook(files.workbook) as book:
        run(book, "match", as_of=month.as_of)
    clock["match"] = time.perf_counter() - started
    with FileBook(files.workbook, lock=False) as book:
        allocations, matches = book.read("Allocations"), book.read("Matches")
    auto = allocations[allocations["Method"] == "auto"]
    judged.append(judge(truth, lines, auto, best_proposals(matches)).assign(System=MATCHER))
    frame = pd.concat(judged, ignore_index=True).assign(Style=style, Seed=seed)
    return Run(style, seed, frame, clock)


# -- figures ---------------------------------------------------------------------------------
def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def figures(lines: pd.DataFrame) -> dict[str, object]:
    paying = lines[lines["Pays"] == "invoice"]
    allocations = int(lines["right"].sum() + lines["wrong"].sum())
    unposted = lines[~lines["posted"]]
    return {
        "credits": len(lines),
        "pay invoices": len(paying),
        "allocations": allocations,
        "precision": _share(int(lines["right"].sum()), allocations),
        "wrong": int(lines["wrong"].sum()),
        "nonpay posted": int(lines["nonpay_posted"].sum()),
        "coverage": _share(int(paying["covered"].sum()), len(paying)),
        "suggested": int(unposted["suggested"].sum()),
        "best right": _share(int(unposted["suggestion_right"].sum()), int(unposted["suggested"].sum())),
        "ledger-equal": _share(int(unposted["suggestion_ledger"].sum()), int(unposted["suggested"].sum())),
    }


def _table(rows: list[dict[str, object]], first: str) -> str:
    columns = list(rows[0])
    widths = {c: max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in columns}
    head = "  ".join(str(c).ljust(widths[c]) if c == first else str(c).rjust(widths[c]) for c in columns)
    body = [
        "  ".join(str(r[c]).ljust(widths[c]) if c == first else str(r[c]).rjust(widths[c]) for c in columns)
        for r in rows
    ]
    return "\n".join([head, "-" * len(head), *body])


def by_style(lines: pd.DataFrame, system: str) -> list[dict[str, object]]:
    mine = lines[lines["System"] == system]
    rows = [{"style": s, **figures(mine[mine["Style"] == s])} for s in mine["Style"].unique()]
    return [*rows, {"style": "all", **figures(mine)}]


def baselines(lines: pd.DataFrame) -> list[dict[str, object]]:
    rows = []
    for system in [MATCHER, *BASELINES]:
        mine = lines[lines["System"] == system]
        for style in [*mine["Style"].unique(), "all"]:
            part = mine if style == "all" else mine[mine["Style"] == style]
            f = figures(part)
            rows.append(
                {
                    "system": system,
                    "style": style,
                    "precision": f["precision"],
                    "wrong": f["wrong"],
                    "nonpay posted": f["nonpay posted"],
                    "coverage": f["coverage"],
                }
            )
    return rows


def by_situation(lines: pd.DataFrame) -> list[dict[str, object]]:
    mine = lines[lines["System"] == MATCHER]
    styles = list(mine["Style"].unique())
    rows = []
    for situation in SITUATIONS:
        part = mine[mine["Situation"] == situation.name]
        if part.empty:
            continue
        row: dict[str, object] = {"situation": situation.name, "pays": situation.pays, "lines": len(part)}
        for style in styles:
            mine_style = part[part["Style"] == style]
            row[f"covered {style}"] = (
                _share(int(mine_style["covered"].sum()), len(mine_style))
                if situation.pays != "none"
                else "     -"
            )
        row["covered"] = (
            _share(int(part["covered"].sum()), len(part)) if situation.pays != "none" else "     -"
        )
        row["wrong"] = int(part["wrong"].sum())
        row["nonpay posted"] = int(part["nonpay_posted"].sum())
        unposted = part[~part["posted"]]
        row["suggested"] = int(unposted["suggested"].sum())
        row["best right"] = _share(int(unposted["suggestion_right"].sum()), int(unposted["suggested"].sum()))
        row["ledger-equal"] = _share(
            int(unposted["suggestion_ledger"].sum()), int(unposted["suggested"].sum())
        )
        rows.append(row)
    return rows


def examples(lines: pd.DataFrame, mask: pd.Series, limit: int) -> list[str]:
    out = []
    for _, r in lines[mask].head(limit).iterrows():
        memo = " ".join(str(r["Memo"]).split())
        out.append(
            f"  {r['Style']}/{r['Seed']} {r['Situation']:<22} {r['LineAmount'] / 100:>12,.2f}  payer '{str(r['Payer'])[:30]}'  "
            f"memo '{memo[-70:]}'  posted: {r['what_posted'] or '-'}"
        )
    return out


def report(runs: list[Run], limit: int) -> None:
    lines = pd.concat([r.lines for r in runs], ignore_index=True)
    mine = lines[lines["System"] == MATCHER]
    print("\narbook's matcher, per style (all seeds together):")
    print(_table(by_style(lines, MATCHER), "style"))
    print("\nbeside the two rule baselines on the same months:")
    print(_table(baselines(lines), "system"))
    print("\nper situation (arbook's matcher; coverage = posted fully and rightly):")
    print(_table(by_situation(lines), "situation"))
    nonpay = mine["nonpay_posted"]
    print(f"\nlines that pay no invoice but were posted: {int(nonpay.sum())}")
    print("\n".join(examples(mine, nonpay, limit * 4)))
    wrong = (mine["wrong"] > 0) & (mine["Pays"] == "invoice")
    print(f"\nlines paying invoices that got a wrong allocation: {int(wrong.sum())}")
    print("\n".join(examples(mine, wrong, limit * 4)))
    if limit:
        print(f"\nup to {limit} lines per situation not covered:")
        for situation in SITUATIONS:
            missed = (mine["Situation"] == situation.name) & ~mine["covered"] & (mine["Pays"] != "none")
            if missed.any():
                print(f" {situation.name}: {int(missed.sum())}")
                print("\n".join(examples(mine, missed, limit)))
    total = {step: sum(r.seconds[step] for r in runs) for step in runs[0].seconds}
    print(
        f"\ntime for {len(runs)} month(s): "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in total.items())
        + f"; whole {sum(total.values()):.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated: cn,us,de")
    parser.add_argument("--seeds", default=",".join(map(str, DEFAULT_SEEDS)))
    parser.add_argument("--credits", type=int, default=600, help="bank credits per month")
    parser.add_argument("--size", type=int, help="one month of this many credits (first style and seed)")
    parser.add_argument(
        "--history", type=int, help="months of invoices before the month (default 4; 2 with --size)"
    )
    parser.add_argument("--examples", type=int, default=2, help="example lines per failing situation")
    parser.add_argument("--keep", type=Path, help="keep the built months in this folder")
    args = parser.parse_args(argv)
    styles = [s for s in args.styles.split(",") if s]
    unknown = [s for s in styles if s not in STYLES]
    if unknown:
        parser.error(f"unknown style(s) {', '.join(unknown)}; there are {', '.join(STYLES)}")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    if args.size:
        plan, credits, history = [(styles[0], seeds[0])], args.size, args.history or 2
    else:
        plan, credits, history = [(s, n) for s in styles for n in seeds], args.credits, args.history or 4
    print(
        f"bench.months: {len(plan)} month(s) of {credits:,} credits (styles {', '.join(styles)}; seeds "
        f"{', '.join(map(str, sorted({n for _, n in plan})))}); {history} months of invoices before; "
        f"started {dt.datetime.now():%H:%M:%S}",
        flush=True,
    )
    runs = []
    with tempfile.TemporaryDirectory(prefix="match-styles-") as scratch:
        root = args.keep or Path(scratch)
        for style, seed in plan:
            run = run_month(style, seed, credits, root / f"{style}-{seed}", history)
            seconds = ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items())
            print(f"  {style} seed {seed}: {seconds}", flush=True)
            runs.append(run)
    report(runs, args.examples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
