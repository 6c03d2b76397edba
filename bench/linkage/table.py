"""Prints the side-by-side table of bench/linkage/run.sh from the tools' JSON lines."""

import json
import sys

title = sys.argv[1]
splink = json.loads(sys.argv[2])
ours = json.loads(sys.argv[3])

rows = [
    ("Splink, p >= 0.5", splink["at_0_5"], splink["seconds"], splink["peak_rss_mib"]),
    (f"Splink, best p >= {splink['best']['threshold']:.3g}", splink["best"], splink["seconds"], splink["peak_rss_mib"]),
    (f"Opsøg, certain (p >= {ours['upper']})", ours["certain"], ours["seconds"], ours["peak_rss_mib"]),
    (f"Opsøg, certain + review (p >= {ours['lower']})", ours["certain_and_review"], ours["seconds"], ours["peak_rss_mib"]),
]
print(f"\n{title}")
print(f"| {'matcher':<36} | {'F1':>7} | {'precision':>9} | {'recall':>7} | {'links':>6} | {'time s':>7} | {'peak RSS MiB':>12} |")
print(f"|{'-' * 38}|{'-' * 9}|{'-' * 11}|{'-' * 9}|{'-' * 8}|{'-' * 9}|{'-' * 14}|")
for name, m, secs, rss in rows:
    print(f"| {name:<36} | {m['f1']:>7.4f} | {m['precision']:>9.4f} | {m['recall']:>7.4f} | {m['links']:>6} | {secs:>7.2f} | {rss:>12.0f} |")
print("time: Splink = model set-up, training and prediction; Opsøg = linkage (blocking, u, EM, scoring, one-to-one).")
print("Reading the CSV files is not timed for either; peak RSS is the whole process (both read the same CSVs).")
