"""Which customers a payer name may be: blocking first, then rapidfuzz on the few pairs left.

Comparing every payer with every customer name is what makes naive matchers slow (rapidfuzz's
token_set_ratio runs at about 3 M pairs/s on two cores, so 30,000 payers x 50,000 names would take
minutes).
Here a payer is compared only with names that share a word, a 4-letter word prefix, or the
first 5 letters of the compact key: an inverted index built with pandas merges, then all
surviving pairs are scored in one vectorised `rapidfuzz.process.cpdist` call per scorer.
Exact key hits (the payer is a customer's name or a learned alias, after normalising) skip
the fuzzy pass entirely.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from matching.matcher.names import (
    english_variant,
    is_abbreviation,
    name_keys,
    truncated_variant,
    without_city,
)

__all__ = ["customer_names", "group_names", "match_payers"]

_BLOCK_CAP = 300  # a block key shared by more names than this (e.g. "TRADING") blocks nothing
_MIN_SIMILARITY = 60.0
_TOP = 5
_EXPANDED_CAP = 95.0  # written-out abbreviations are close, never the name itself
_SUBSET_WEIGHT = 0.9  # a payer holding all of a name's words, plus others, is close, not equal
_TWIN_CUT_MIN = 8  # letters a cut payer name needs before it counts as the start of a name
_CUT_MIN = 12  # ...and before a cut name resembles the full one closely
_CUT_SIMILARITY = 97.0
_TWIN_SIMILARITY = 70.0  # a near twin of the customer the payer spells out: a candidate, no more


def customer_names(customers: pd.DataFrame) -> pd.DataFrame:
    """Every name a customer is known by: customer (position), text, via (name/alias), key, compact."""
    rows: list[tuple[int, str, str]] = []
    aliases = customers["Aliases"].fillna("").astype(str) if "Aliases" in customers else None
    for pos, name in enumerate(customers["Name"].fillna("").astype(str).to_numpy()):
        rows.append((pos, name, "name"))
        english = english_variant(name)
        short = without_city(english) if english else None
        variants = (
            truncated_variant(name),
            english,
            truncated_variant(english.strip()) if english else None,
            short,
        )
        rows += [(pos, v, "name") for v in variants if v]
        if aliases is not None:
            rows += [(pos, a.strip(), "alias") for a in aliases.iloc[pos].split(";") if a.strip()]
    return _keyed(rows)


def group_names(names: list[str]) -> pd.DataFrame:
    """The groups' names (Customers.Group) as match_payers compares them, `customer` being the
    group's number; a group given by an id without letters has no name to compare."""
    return _keyed([(g, name, "group") for g, name in enumerate(names) if any(ch.isalpha() for ch in name)])


def _keyed(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    names = pd.DataFrame(rows, columns=["customer", "text", "via"])
    keys = name_keys(names["text"])
    names = pd.concat([names, keys], axis=1)
    return names[names["key"] != ""].reset_index(drop=True)


def _block_keys(keys: pd.DataFrame) -> pd.DataFrame:
    """(row, block) pairs: each word, each word's 4-letter prefix, the compact key's first 5 letters."""
    words = keys["key"].str.split(" ").explode()
    words = words[words.str.len() >= 2]
    prefixes = words[words.str.len() > 4].str[:4] + "*"
    compact = "#" + keys["compact"].str[:5]
    blocks = pd.concat([words, prefixes, compact]).rename("block")
    return blocks.reset_index().rename(columns={"index": "row"}).drop_duplicates()


def match_payers(payers: pd.Series, names: pd.DataFrame) -> pd.DataFrame:
    """Candidate customers per payer: line (index of `payers`), customer, similarity (0-100), via.

    Up to five customers per line, similarity >= 60; an exact normalised hit scores 100.
    """
    columns = ["line", "customer", "similarity", "via"]
    text = payers.fillna("").astype(str)
    distinct = pd.Series(pd.unique(text[text.str.strip() != ""]))
    if distinct.empty or names.empty:
        return pd.DataFrame(columns=columns)
    pk = name_keys(distinct).reset_index(drop=True)
    pk = pk[pk["key"] != ""]
    names = names.reset_index(drop=True)

    exact = pd.concat(
        [
            pk.reset_index(names=["payer"]).merge(names.reset_index(names=["name"]), on="key")[
                ["payer", "name"]
            ],
            pk.reset_index(names=["payer"]).merge(names.reset_index(names=["name"]), on="compact")[
                ["payer", "name"]
            ],
        ]
    ).drop_duplicates()
    exact["similarity"] = 100.0
    exact = _twins(pd.concat([exact, _cut_short(exact, pk, names)], ignore_index=True), pk, names)

    fuzzy_payers = pk[~pk.index.isin(exact["payer"])]
    pairs = _blocked_pairs(fuzzy_payers, names)
    if not pairs.empty:
        pkeys, nkeys = fuzzy_payers.loc[pairs["payer"]], names.loc[pairs["name"]]
        ratio = process.cpdist(
            pkeys["key"].to_numpy(), nkeys["key"].to_numpy(), scorer=fuzz.ratio, workers=-1
        )
        compact = process.cpdist(
            pkeys["compact"].to_numpy(), nkeys["compact"].to_numpy(), scorer=fuzz.ratio, workers=-1
        )
        subset = process.cpdist(
            pkeys["key"].to_numpy(), nkeys["key"].to_numpy(), scorer=fuzz.token_set_ratio, workers=-1
        )
        pairs["similarity"] = np.maximum(np.maximum(ratio, compact), subset * _SUBSET_WEIGHT).astype(float)
        pairs["similarity"] = np.maximum(pairs["similarity"].to_numpy(), _expanded(pairs, pkeys, nkeys))
        cut = [
            len(p) >= _CUT_MIN and n.startswith(p)
            for p, n in zip(pkeys["full"].to_numpy(), nkeys["full"].to_numpy(), strict=True)
        ]
        pairs["similarity"] = np.where(
            cut, np.maximum(pairs["similarity"], _CUT_SIMILARITY), pairs["similarity"]
        )
        # A payer that is the start of a name is explained by it: names it merely resembles
        # (other names cut the same way differ in the very letters that were kept) stay weak.
        cut_any = (
            pd.Series(cut, index=pairs.index, dtype=bool).groupby(pairs["payer"].to_numpy()).transform("any")
        )
        weak = cut_any.to_numpy() & ~np.asarray(cut, dtype=bool)
        pairs.loc[weak, "similarity"] = np.minimum(pairs.loc[weak, "similarity"], _TWIN_SIMILARITY)
        pairs = pairs[pairs["similarity"] >= _MIN_SIMILARITY]
    scored = pd.concat([exact, pairs]) if not pairs.empty else exact
    scored = scored.assign(
        customer=names["customer"].to_numpy()[scored["name"]], via=names["via"].to_numpy()[scored["name"]]
    )
    best = (
        scored.sort_values(["similarity", "via"], ascending=[False, True], kind="stable")
        .drop_duplicates(["payer", "customer"])
        .groupby("payer", sort=False)
        .head(_TOP)
    )
    best = best.assign(text=distinct.to_numpy()[best["payer"]])
    lines = text.rename("text").rename_axis("line").reset_index()
    out = lines.merge(best, on="text")[columns]
    return out.astype({"line": "int64", "customer": "int64", "similarity": "float64"})


def _cut_short(exact: pd.DataFrame, pk: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Names an exactly known payer is also the start of: a bank field cut both the same way
    ("SUMMIT MANUFACTU" is a learned alias of one Summit Manufacturing and the start of another)."""
    payers = pk.loc[pk.index.isin(exact["payer"]) & (pk["full"].str.len() >= _TWIN_CUT_MIN)]
    if payers.empty:
        return exact.iloc[0:0]
    blocks = _block_keys(names)
    blocks = blocks[blocks["block"].str.startswith("#")]
    mine = ("#" + payers["compact"].str[:5]).rename("block").rename_axis("payer").reset_index()
    pairs = mine.merge(blocks, on="block")[["payer", "row"]].rename(columns={"row": "name"})
    starts = [
        n.startswith(p)
        for p, n in zip(
            pk["full"].reindex(pairs["payer"]).to_numpy(),
            names["full"].to_numpy()[pairs["name"]],
            strict=True,
        )
    ]
    pairs = pairs[np.asarray(starts, dtype=bool)]
    return pairs.assign(similarity=100.0)


def _twins(exact: pd.DataFrame, pk: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """When a payer fits several customers exactly (legal forms dropped, a learned alias, a cut
    name), the one whose own name it spells in full stays exact; a learned alias and a name the
    payer is the start of tie; the others only resemble it (near twins)."""
    exact = exact.drop_duplicates(["payer", "name"]).reset_index(drop=True)
    customer = names["customer"].to_numpy()[exact["name"].to_numpy()]
    several = pd.Series(customer).groupby(exact["payer"].to_numpy()).transform("nunique") > 1
    if not several.any():
        return exact
    rows = exact[several.to_numpy()]
    payer_full = pk["full"].reindex(rows["payer"]).to_numpy()
    name_full = names["full"].to_numpy()[rows["name"].to_numpy()]
    via = names["via"].to_numpy()[rows["name"].to_numpy()]
    rank = pd.Series(
        [
            2
            if p == n and v == "name"
            else 1
            if p == n or (len(p) >= _TWIN_CUT_MIN and n.startswith(p))
            else 0
            for p, n, v in zip(payer_full, name_full, via, strict=True)
        ],
        index=rows.index,
    )
    best = rank.groupby(rows["payer"].to_numpy()).transform("max")
    exact.loc[rank.index[(rank < best).to_numpy()], "similarity"] = _TWIN_SIMILARITY
    return exact


def _expanded(pairs: pd.DataFrame, pkeys: pd.DataFrame, nkeys: pd.DataFrame) -> np.ndarray:
    """Similarity once the payer's abbreviations are written out as the name's words.

    Only for near misses (similarity 50-95): a loop over those few pairs, not over all pairs.
    """
    out = np.zeros(len(pairs))
    payer_keys, name_keys_ = pkeys["key"].to_numpy(), nkeys["key"].to_numpy()
    sims = pairs["similarity"].to_numpy()
    for k in np.flatnonzero((sims >= 50) & (sims < 95)):
        words, target = payer_keys[k].split(" "), name_keys_[k].split(" ")
        spelled = [next((t for t in target if is_abbreviation(w, t)), w) for w in words]
        if spelled != words:
            out[k] = min(fuzz.ratio(" ".join(sorted(spelled)), name_keys_[k]), _EXPANDED_CAP)
    return out


def _blocked_pairs(payers: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    if payers.empty:
        return pd.DataFrame(columns=["payer", "name"])
    name_blocks = _block_keys(names)
    sizes = name_blocks["block"].map(name_blocks["block"].value_counts())
    name_blocks = name_blocks[sizes <= _BLOCK_CAP]
    payer_blocks = _block_keys(payers)
    pairs = payer_blocks.merge(name_blocks, on="block", suffixes=("_p", "_n"))
    pairs = pairs[["row_p", "row_n"]].drop_duplicates()
    return pairs.rename(columns={"row_p": "payer", "row_n": "name"}).reset_index(drop=True)
