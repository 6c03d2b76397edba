#!/usr/bin/env bash
# Linkage you can trust (issue 12): links synth's course list whose women are partly
# outside the population (namesakes born years or months apart, women sharing a given
# name and birth date, strangers), with twin sisters in the population and women on two
# courses, to the whole population without CPR, and prints precision and recall of
# certain links and of review, each kind of row, and calibration (predicted probability
# against the share right). A measurement, not a test; deterministic from the seeds.
#
# Usage:
#   bash bench/linkage/trust.sh                          # 20,000 residents, seeds 2026 7 41
#   bash bench/linkage/trust.sh --persons 100000 --seed 1 --seed 2
#   bash bench/linkage/trust.sh --show-wrong             # list wrong and review links
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release -p synth --example linkage_trust
"$target_dir/release/examples/linkage_trust" "$@"
