"""The register search benchmark's DuckDB side (bench/register/run.sh). Not a test.

Runs the guide's first example selection (G-5.2; domain::selection's template
`self_supporting_women`) in DuckDB on the same plain CSV extracts Opsøg reads, and
prints one JSON line like the Opsøg side: seconds (read + select), peak memory,
candidates, and precision and recall against truth/target.csv.

usage: python duckdb_select.py DIR COUNTRIES_TSV [--today 2026-11-25] [--threads N]
"""

import argparse
import csv
import datetime
import json
import resource
import time

import duckdb


def months_before(today, n):
    index = today.year * 12 + (today.month - 1) - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("countries")
    p.add_argument("--today", default="2026-11-25")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    today = datetime.date.fromisoformat(a.today)
    with open(a.countries, encoding="utf-8") as f:
        western = [r[0] for r in csv.reader(f, delimiter="\t") if len(r) > 3 and r[3] == "1"]
    # The twelve whole months before the run date's month, as `yyyy-mm` text.
    first, end = months_before(today, 12), months_before(today, 0)
    d = a.dir
    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    western_sql = ", ".join(f"'{c}'" for c in western)
    query = f"""
    WITH pop AS (
        SELECT "CPR-nr" AS cpr, "Køn" AS sex, CAST("Fødselsdato" AS DATE) AS birth,
               "Oprindelsesland" AS origin,
               COALESCE(CAST(NULLIF("Indrejsedato", '') AS DATE), CAST("Fødselsdato" AS DATE)) AS since
        FROM read_csv('{d}/befolkning.csv', header = true, all_varchar = true)
    ),
    income AS (
        SELECT DISTINCT "CPR" AS cpr FROM read_csv('{d}/eindkomst.csv', header = true, all_varchar = true)
        WHERE "Måned" >= '{first}' AND "Måned" < '{end}' AND CAST("Beløb" AS DOUBLE) > 0
    ),
    benefit AS (
        SELECT DISTINCT "CPR" AS cpr FROM read_csv('{d}/ydelser.csv', header = true, all_varchar = true)
        WHERE "Måned" >= '{first}' AND "Måned" < '{end}'
    )
    SELECT DISTINCT cpr FROM pop
    WHERE sex = 'K'
      AND date_sub('year', birth, DATE '{today}') BETWEEN 18 AND 64
      AND origin NOT IN ({western_sql})
      AND since + INTERVAL 3 YEAR < DATE '{today}'
      AND cpr NOT IN (SELECT cpr FROM income)
      AND cpr NOT IN (SELECT cpr FROM benefit)
    """
    started = time.perf_counter()
    found = {r[0].replace("-", "") for r in con.execute(query).fetchall()}
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    precision = recall = float("nan")
    try:
        with open(f"{d}/truth/target.csv", encoding="utf-8") as f:
            truth = {line.strip() for line in f.readlines()[1:] if line.strip()}
        hits = len(found & truth)
        precision = hits / max(len(found), 1)
        recall = hits / max(len(truth), 1)
    except FileNotFoundError:
        pass
    print(json.dumps({
        "engine": "duckdb " + duckdb.__version__,
        "template": "self_supporting_women",
        "seconds": round(seconds, 3),
        "peak_mib": round(peak_mib),
        "candidates": len(found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }))


if __name__ == "__main__":
    main()
