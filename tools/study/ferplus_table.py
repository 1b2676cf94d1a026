#!/usr/bin/env python3
"""Aggregates `fra-fer evaluate` reports of the FER+ study into the markdown table of docs/experiments/ferplus.md.

Usage: ferplus_table.py REPORT_DIR [PEER_JSON ...]
REPORT_DIR holds <group>-s<seed>.json (8 classes) and <group>-s<seed>-seven.json (7 shared classes, --seven).
Rows: one per group, mean +- sample sd over seeds (sd only with >= 2 seeds), then the peers (7 classes only).
Standard library only.
"""
import json
import re
import statistics
import sys
from pathlib import Path


def fmt(values):
    pct = [100 * v for v in values]
    if len(pct) == 1:
        return f"{pct[0]:.1f}"
    return f"{statistics.mean(pct):.1f} ± {statistics.stdev(pct):.1f}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    groups = {}
    for f in sorted(folder.glob("*.json")):
        m = re.fullmatch(r"(.+)-s(\d+)(-seven)?\.json", f.name)
        if not m:
            continue
        r = json.loads(f.read_text())
        key = "seven" if m.group(3) else "eight"
        groups.setdefault(m.group(1), {}).setdefault(key, {})[int(m.group(2))] = r
    head = ("| model | seeds | acc (8) | bal. acc (8) | macro-F1 (8) | acc (7) | bal. acc (7) | macro-F1 (7) |\n"
            "|---|---|---|---|---|---|---|---|")
    rows = [head]
    for name, g in groups.items():
        eight, seven = g.get("eight", {}), g.get("seven", {})
        seeds = sorted(set(eight) | set(seven))
        cells = [name, ",".join(map(str, seeds))]
        for part in (eight, seven):
            for metric in ("accuracy", "balancedAccuracy", "macroF1"):
                vals = [part[s][metric] for s in sorted(part)]
                cells.append(fmt(vals) if vals else "–")
        rows.append("| " + " | ".join(cells) + " |")
    for peer in sys.argv[2:]:
        r = json.loads(Path(peer).read_text())
        rows.append(f"| peer: {r['model']} (n={r['n']}) | – | – | – | – | {100 * r['accuracy']:.1f} | "
                    f"{100 * r['balancedAccuracy']:.1f} | {100 * r['macroF1']:.1f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
