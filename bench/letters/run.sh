#!/usr/bin/env bash
# The letters benchmark (issue 4 item 3): 10,000 personalised bilingual letters in mixed
# languages, a third in Arabic script, each rendered once into print files of 500 and a
# PDF of its own wrapped in a MeMo message. Prints seconds and peak memory; the goal is
# under 60 s and 1 GiB on a 2-core machine. Not a test: run by hand.
#   bench/letters/run.sh [letters] [threads] [output dir] [--per-call N]
# (--per-call 0: all letters in one render_set_parallel call; see examples/bench.rs.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

scripts/install-fonts
cargo build --quiet --release -p letters --example bench
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/examples/bench" "$@"
