#!/usr/bin/env bash
# The letters benchmark (issue 4 item 3): 10,000 personalised bilingual letters in mixed
# languages, a third in Arabic script, rendered to print files of 500 and to one MeMo
# message each. Prints seconds and peak memory; the goal is under 60 s and 1 GiB on a
# 2-core machine. Not a test: run by hand.
#   bench/letters/run.sh [letters] [threads] [output dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

scripts/install-fonts
cargo build --quiet --release -p letters --example bench
exec target/release/examples/bench "${1:-10000}" "${2:-2}" ${3:+"$3"}
