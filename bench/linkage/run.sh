#!/usr/bin/env bash
# Record-linkage benchmark: Opsøg's `linkage` crate against Splink on FEBRL4 and,
# optionally, on a second pair of files. A measurement, not a test. See README.md.
#
# Usage:
#   bash bench/linkage/run.sh
#   bash bench/linkage/run.sh --left course.csv --right population.csv --truth truth.csv \
#       [--left-id ID] [--right-id ID] --field SPEC [--field SPEC ...] [--block RULE ...]
#
# The second form runs the same comparison on your files after FEBRL4. Field specs
# (same syntax for both matchers):
#   --field name:kind[:format][=left_columns[|right_columns]]
#     kind    name | date | exact | phone | text
#     format  dates only, strftime-like: %Y%m%d, %d-%m-%Y, ... (default: try common forms)
#     columns joined with '+'; before '|' the left file's, after it the right file's;
#             without '|' both files use them; without '=' the column is the field name.
#   e.g. a course list with the whole name in one column against the population:
#     --field name:name=Navn|Fornavn+Efternavn --field birth:date:%d-%m-%Y=Fødselsdato|Foedselsdato
#     --field phone:phone=Telefon|Telefon
#   --block field:part[+field:part]  (part: whole | year | token) replaces Opsøg's
#     default blocking rules; Splink then blocks on each field's exact value.
# The truth file's first two columns are a left id and a right id, with a header row.
#
# Environment:
#   OPSOG_BENCH_VENV  Python venv for Splink (default /var/tmp/opsog-bench-venv); made
#                     once from requirements.txt, reused while that file is unchanged.
#   KEEP_TMP=1        keep the work directory (CSV files, links, raw JSON).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
here="$root/bench/linkage"
venv="${OPSOG_BENCH_VENV:-/var/tmp/opsog-bench-venv}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

left="" right="" truth="" left_id="rec_id" right_id="rec_id"
fields=() blocks=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --left) left="$2"; shift 2 ;;
    --right) right="$2"; shift 2 ;;
    --truth) truth="$2"; shift 2 ;;
    --left-id) left_id="$2"; shift 2 ;;
    --right-id) right_id="$2"; shift 2 ;;
    --field) fields+=(--field "$2"); shift 2 ;;
    --block) blocks+=(--block "$2"); shift 2 ;;
    -h|--help) sed -n '2,35p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -n "$left$right$truth" ]]; then
  if [[ -z "$left" || -z "$right" || -z "$truth" || ${#fields[@]} -eq 0 ]]; then
    echo "--left, --right, --truth and at least one --field go together" >&2
    exit 2
  fi
  left="$(realpath "$left")" right="$(realpath "$right")" truth="$(realpath "$truth")"
fi

# The venv: made once, remade when requirements.txt changes.
stamp="$venv/.opsog-requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "preparing Python venv in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
py="$venv/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/opsog-linkage.XXXXXX")"
cleanup() {
  if [[ "${KEEP_TMP:-0}" == "1" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "building the evaluator (not timed)"
cargo build -q --release -p linkage --example evaluate
evaluate="$target_dir/release/examples/evaluate"

# compare TITLE LEFT RIGHT TRUTH SPLINK_ARGS... -- OPSOG_ARGS...
compare() {
  local title="$1" l="$2" r="$3" t="$4"
  shift 4
  local splink_args=() opsog_args=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do splink_args+=("$1"); shift; done
  shift
  opsog_args=("$@")
  echo "running Splink: $title"
  local splink_json opsog_json
  splink_json="$("$py" "$here/splink_run.py" --left "$l" --right "$r" --truth "$t" "${splink_args[@]}" 2>"$work/splink.log" \
    | grep '^{"tool"')" || { cat "$work/splink.log" >&2; return 1; }
  echo "running Opsøg: $title"
  opsog_json="$("$evaluate" --left "$l" --right "$r" --truth "$t" "${opsog_args[@]}" --links "$work/links-$RANDOM.csv" \
    | grep '^{"tool"')"
  echo "$splink_json" >> "$work/results.jsonl"
  echo "$opsog_json" >> "$work/results.jsonl"
  "$py" "$here/table.py" "$title" "$splink_json" "$opsog_json"
}

"$py" "$here/export_febrl4.py" "$work"
febrl_fields=(
  --field given_name:name --field surname:name --field date_of_birth:date:%Y%m%d --field soc_sec_id:exact
  --field street_number:exact --field address_1:text --field address_2:text --field suburb:text
  --field postcode:exact --field state:exact
)
compare "FEBRL4 (5,000 x 5,000 records, 5,000 true links)" "$work/a.csv" "$work/b.csv" "$work/truth.csv" \
  --preset febrl4 -- "${febrl_fields[@]}"

if [[ -n "$left" ]]; then
  compare "$(basename "$left") x $(basename "$right")" "$left" "$right" "$truth" \
    --left-id "$left_id" --right-id "$right_id" "${fields[@]}" -- \
    --left-id "$left_id" --right-id "$right_id" "${fields[@]}" "${blocks[@]}"
fi
