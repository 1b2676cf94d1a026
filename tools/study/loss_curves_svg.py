#!/usr/bin/env python3
"""Step-level training-loss curves of several runs in one SVG (standard library only).

Usage: loss_curves_svg.py [--val] OUT.svg TITLE RUN_DIR [RUN_DIR ...]
Reads RUN_DIR/metrics.jsonl ("step" lines: step, loss) and draws a moving average (window 5 log points)
per run, labelled with the run folder name. With --val: validation accuracy per epoch ("epoch" lines). The trainer's own curves.png is per epoch, which says
little for 1-2 epoch runs.
"""
import json
import sys
from pathlib import Path

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def series(run):
    pts = []
    for line in (Path(run) / "metrics.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r.get("type") == "step" and "loss" in r:
            pts.append((r["step"], r["loss"]))
    out = []
    for i in range(len(pts)):
        window = [p[1] for p in pts[max(0, i - 4):i + 1]]
        out.append((pts[i][0], sum(window) / len(window)))
    return out


def val_series(run):
    pts = []
    for line in (Path(run) / "metrics.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r.get("type") == "epoch" and r.get("valAccuracy") is not None:
            pts.append((r["epoch"], 100 * r["valAccuracy"]))
    return pts


def main():
    args = sys.argv[1:]
    val = bool(args) and args[0] == "--val"
    if val:
        args = args[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    out, title, runs = args[0], args[1], args[2:]
    data = [(Path(r).name, val_series(r) if val else series(r)) for r in runs]
    xs = [x for _, s in data for x, _ in s]
    ys = [y for _, s in data for _, y in s]
    x0, x1 = (1 if val else 0), max(xs)
    y0, y1 = min(ys) * 0.95, max(ys) * 1.02
    w, h, left, right, top, bottom = 640, 360, 60, 170, 30, 40
    pw, ph = w - left - right, h - top - bottom
    sx = lambda x: left + pw * (x - x0) / (x1 - x0)
    sy = lambda y: top + ph * (1 - (y - y0) / (y1 - y0))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="13">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>']
    for i in range(6):
        yv = y0 + (y1 - y0) * i / 5
        svg.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" stroke="#eee"/>')
        svg.append(f'<text x="{left - 6}" y="{sy(yv) + 4:.1f}" text-anchor="end">{yv:.2f}</text>')
    ticks = range(x0, x1 + 1) if val else [x0 + (x1 - x0) * i / 5 for i in range(6)]
    for xv in ticks:
        svg.append(f'<text x="{sx(xv):.1f}" y="{top + ph + 15}" text-anchor="middle">{xv:.0f}</text>')
    xlabel = "epoch" if val else "optimizer step (batch 64)"
    ylabel = "validation accuracy, % (1,500 faces)" if val else "train loss (avg of 5 logs)"
    svg.append(f'<text x="{left + pw / 2}" y="{h - 5}" text-anchor="middle">{xlabel}</text>')
    svg.append(f'<text x="14" y="{top + ph / 2}" transform="rotate(-90 14 {top + ph / 2})" text-anchor="middle">{ylabel}</text>')
    for k, (name, s) in enumerate(data):
        c = COLORS[k % len(COLORS)]
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s)
        svg.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{pts}"/>')
        ly = top + 14 + 16 * k
        svg.append(f'<line x1="{left + pw + 10}" x2="{left + pw + 30}" y1="{ly - 4}" y2="{ly - 4}" stroke="{c}" stroke-width="2"/>')
        svg.append(f'<text x="{left + pw + 35}" y="{ly}">{name}</text>')
    svg.append("</svg>")
    Path(out).write_text("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
