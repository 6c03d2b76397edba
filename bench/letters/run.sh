#!/usr/bin/env bash
# The letters benchmark (issue 4 item 3, issue 11 item 9): 10,000 personalised bilingual
# letters in mixed languages, a third in Arabic script, each rendered once into print
# files of 500 and a PDF of its own wrapped in a MeMo message. Prints seconds and peak
# memory; the goal is under 30 s and 1 GiB on a 2-core machine. Not a test: run by hand.
#
#   bench/letters/run.sh [letters] [threads] [output dir] [--per-call N]
#
# (--per-call 0: all letters in one render_set_parallel call; see examples/bench.rs.)
#
# It measures the code as it was before issue 11 item 9 (BASE, built from `git archive`
# into a directory of its own, sharing the target directory so that only the workspace's
# own crates are compiled again) and the code in this tree, one after the other, ROUNDS
# times, and ends with both figures side by side. BASE=none measures this tree only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

base="${BASE:-7980ef0}"
rounds="${ROUNDS:-1}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target_dir"
bin_dir="$target_dir/letters-bench"
mkdir -p "$bin_dir"

scripts/install-fonts
# GNU time reports the peak memory of each binary; Debian ships it as `time`.
if [[ ! -x /usr/bin/time ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q time
fi

# Cargo names a workspace crate's artifacts by its path inside the workspace, so the two
# trees' builds of `letters` and `domain` share one file in the shared target directory
# and each would take the other's as up to date: they are cleaned before each build, and
# both binaries are copied out.
build() {
  cargo clean --quiet --release -p letters -p domain
  cargo build --quiet --release -p letters --example bench
}
if [[ "$base" != none ]]; then
  base_src="$target_dir/letters-bench/src-$base"
  if [[ ! -f "$base_src/Cargo.toml" ]]; then
    mkdir -p "$base_src"
    git archive "$base" | tar -x -C "$base_src"
  fi
  (cd "$base_src" && build)
  cp "$target_dir/release/examples/bench" "$bin_dir/bench-base"
fi
build
cp "$target_dir/release/examples/bench" "$bin_dir/bench-new"

results=()
measure() {
  local label="$1"
  shift
  local log="$bin_dir/$label.log"
  echo "== $label: $*" >&2
  /usr/bin/time -f "cpu: %U s user, %S s sys, %M kB max RSS" "$@" >"$log" 2>&1
  grep -v ' rendered, ' "$log" >&2
  local seconds rss cpu
  seconds="$(grep -oP 'letters: \K[0-9.]+(?= s \()' "$log")"
  rss="$(grep -oP 'VmHWM\) \K.*' "$log")"
  cpu="$(grep -oP 'cpu: \K[0-9.]+ s user, [0-9.]+ s sys' "$log")"
  results+=("$(printf '%-5s %8s s %14s   %s' "$label" "$seconds" "$rss" "$cpu")")
}

for ((round = 1; round <= rounds; round++)); do
  if [[ "$base" != none ]]; then
    measure base "$bin_dir/bench-base" "$@"
  fi
  measure new "$bin_dir/bench-new" "$@"
done

echo
echo "letters benchmark, $(nproc) cores, base $base vs $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates/letters || echo '+changes'):"
printf '%s\n' "${results[@]}"
