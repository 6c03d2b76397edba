"""Splink side of the linkage benchmark (a measurement, not a test).

Reads the same CSV files as the Opsøg matcher, trains Splink unsupervised,
predicts, and prints one JSON line of metrics. With `--preset febrl4` the model
is the "detailed model" of Splink's own FEBRL4 example (docs/demos/examples/
duckdb/febrl4): its comparisons, blocking rules and training steps. Otherwise
the model is built from the same `--field` specs the Rust evaluator takes (see
run.sh), with Splink's stock comparisons per kind.

Timed: model set-up, training and prediction; not reading the CSVs or scoring.
"""

import argparse
import json
import resource
import sys
import time

import pandas as pd


def parse_field(spec):
    head, _, cols = spec.partition("=")
    parts = head.split(":", 2)
    name, kind = parts[0], parts[1] if len(parts) > 1 else "text"
    fmt = parts[2] if len(parts) > 2 else None
    if cols:
        left, _, right = cols.partition("|")
        right = right or left
    else:
        left = right = name
    return {"name": name, "kind": kind, "format": fmt, "left": left.split("+"), "right": right.split("+")}


def frame(path, id_col, fields, side):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = pd.DataFrame({"unique_id": raw[id_col].str.strip()})
    for f in fields:
        cols = f[side]
        joined = raw[cols].apply(lambda r: " ".join(v.strip() for v in r if v.strip()), axis=1) if len(cols) > 1 else raw[cols[0]].str.strip()
        if f["kind"] == "phone":
            joined = joined.str.replace(r"\D", "", regex=True).str[-8:]
        out[f["name"]] = joined.replace("", None)
    return out


def febrl4_model(cl, block_on):
    # The detailed model of Splink's FEBRL4 example, field for field.
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
    ]
    deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    em_rules = [block_on("date_of_birth"), block_on("postcode")]
    return blocking, comparisons, deterministic, em_rules


def generic_model(cl, block_on, fields):
    blocking, comparisons = [], []
    for f in fields:
        n, k = f["name"], f["kind"]
        if k == "name":
            comparisons.append(cl.NameComparison(n).configure(term_frequency_adjustments=True))
        elif k == "date":
            fmt = (f["format"] or "%Y-%m-%d")
            comparisons.append(cl.DateOfBirthComparison(n, input_is_string=True, datetime_format=fmt, invalid_dates_as_null=True))
        elif k == "text":
            comparisons.append(cl.JaroWinklerAtThresholds(n, [0.92, 0.8]))
        elif k in ("exact", "phone"):
            comparisons.append(cl.DamerauLevenshteinAtThresholds(n, [1, 2]))
        blocking.append(block_on(n))
    names = [f["name"] for f in fields if f["kind"] == "name"]
    dates = [f["name"] for f in fields if f["kind"] == "date"]
    deterministic = [block_on(*(names + dates))]
    em_rules = [block_on(d) for d in dates] + [block_on(n) for n in names]
    return blocking, comparisons, deterministic, em_rules


def metrics(pairs, truth):
    tp = len(pairs & truth)
    p = tp / len(pairs) if pairs else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "links": len(pairs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--left", required=True)
    ap.add_argument("--right", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--left-id", default="rec_id")
    ap.add_argument("--right-id", default="rec_id")
    ap.add_argument("--field", action="append", default=[])
    ap.add_argument("--preset", choices=["febrl4", "generic"], default="generic")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    fields = [parse_field(s) for s in a.field]
    if a.preset == "febrl4":
        names = ["given_name", "surname", "street_number", "address_1", "postcode", "state", "date_of_birth", "soc_sec_id"]
        fields = [parse_field(n) for n in names]
    df_l = frame(a.left, a.left_id, fields, "left")
    df_r = frame(a.right, a.right_id, fields, "right")
    t = pd.read_csv(a.truth, dtype=str, keep_default_na=False)
    truth = {(x.strip(), y.strip()) for x, y in zip(t.iloc[:, 0], t.iloc[:, 1])}

    start = time.perf_counter()
    if a.preset == "febrl4":
        blocking, comparisons, deterministic, em_rules = febrl4_model(cl, block_on)
    else:
        blocking, comparisons, deterministic, em_rules = generic_model(cl, block_on, fields)
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(df_l), db_api.register(df_r)], settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=a.seed)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    pred = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    elapsed = time.perf_counter() - start

    # Splink's output is unordered pairs across the two inputs; orient each as (left id, right id).
    left_ids = set(df_l["unique_id"])
    scored = []
    for l, r, prob in zip(pred["unique_id_l"], pred["unique_id_r"], pred["match_probability"]):
        pair = (l, r) if l in left_ids else (r, l)
        scored.append((float(prob), pair))
    at_half = metrics({p for prob, p in scored if prob >= 0.5}, truth)
    best = {"f1": -1.0}
    for th in sorted({round(prob, 6) for prob, _ in scored}):
        m = metrics({p for prob, p in scored if prob >= th}, truth)
        if m["f1"] > best["f1"]:
            best = dict(m, threshold=th)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tool": "splink", "seconds": elapsed, "peak_rss_mib": peak_kib / 1024, "at_0_5": at_half, "best": best}))


if __name__ == "__main__":
    sys.exit(main())
