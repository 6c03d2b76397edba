#!/usr/bin/env bash
# Linkage of a list without CPR (the synthetic language school's course list) to the
# population register: Opsøg's matcher against Splink on the same files, in the same
# run, after FEBRL4 (bench/linkage/run.sh does both). A measurement, not a test.
#
# Usage:
#   bash bench/register/linkage.sh                 # 100,000 residents
#   PERSONS=20000 bash bench/register/linkage.sh
# Environment: PERSONS (default 100000), KEEP_TMP=1 keeps the files, and
# OPSOG_BENCH_VENV as for bench/linkage/run.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
persons="${PERSONS:-100000}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

cargo build --quiet --release -p register --example select_bench
work="$(mktemp -d /var/tmp/opsog-register-linkage.XXXXXX)"
if [[ "${KEEP_TMP:-0}" != 1 ]]; then trap 'rm -rf "$work"' EXIT; fi
"$target_dir/release/examples/select_bench" generate --persons "$persons" --out "$work" --style plain

# The list has no id column: its row as a spreadsheet counts it (header = 1) is its id,
# as in truth/language_school_links.csv; participants who moved away have no link.
python3 - "$work" <<'PY'
import csv, sys
d = sys.argv[1]
with open(f"{d}/sprogskole.csv", encoding="utf-8") as f, open(f"{d}/list.csv", "w", encoding="utf-8", newline="") as out:
    r, w = csv.reader(f), csv.writer(out)
    w.writerow(["row"] + next(r))
    for i, row in enumerate(r, start=2):
        w.writerow([i] + row)
with open(f"{d}/truth/language_school_links.csv", encoding="utf-8") as f, open(f"{d}/links.csv", "w", encoding="utf-8", newline="") as out:
    r, w = csv.reader(f), csv.writer(out)
    w.writerow(next(r))
    w.writerows(row for row in r if row[1])
PY

bash "$root/bench/linkage/run.sh" \
  --left "$work/list.csv" --right "$work/befolkning.csv" --truth "$work/links.csv" \
  --left-id row --right-id CPR-nr \
  --field 'name:name=Navn|Fornavn+Efternavn' \
  --field 'birth:date:%Y-%m-%d=Fødselsdato|Fødselsdato'
