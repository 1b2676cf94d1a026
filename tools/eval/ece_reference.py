#!/usr/bin/env python3
"""Reference for eval.Calibration: top-label ECE with 15 equal-width bins (lower, upper] and the mean NLL at T = 2,
computed with numpy on random probabilities; writes core/src/test/resources/fixtures/eval/ece.json.
Run with any Python that has numpy, e.g. tools/teacher/.venv/bin/python tools/eval/ece_reference.py"""
import json
import os

import numpy as np

rng = np.random.default_rng(12)
n, k, bins = 300, 4, 15
logits = rng.normal(0, 2, size=(n, k))
probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
# what Java sees: the 6-decimal values of the JSON, as float32
probs = np.round(probs, 6).astype(np.float32).astype(np.float64)
labels = rng.integers(0, k, size=n)
# make the labels agree with the argmax more often than chance, as a real model's would
agree = rng.random(n) < 0.6
labels = np.where(agree, probs.argmax(axis=1), labels)

conf = probs.max(axis=1)
pred = probs.argmax(axis=1)
edges = np.linspace(0, 1, bins + 1)
# bin b holds conf in (edges[b], edges[b + 1]]
idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, bins - 1)
ece = 0.0
counts = []
for b in range(bins):
    m = idx == b
    counts.append(int(m.sum()))
    if m.any():
        ece += m.mean() * abs((pred[m] == labels[m]).mean() - conf[m].mean())
lz = np.log(probs) / 2.0
pt = np.exp(lz - lz.max(axis=1, keepdims=True))
pt /= pt.sum(axis=1, keepdims=True)
nll_t2 = float(-np.log(pt[np.arange(n), labels]).mean())

out = os.path.join(os.path.dirname(__file__), "..", "..", "core", "src", "test", "resources", "fixtures", "eval", "ece.json")
with open(out, "w") as f:
    json.dump({"n": n, "k": k, "bins": bins, "probs": probs.round(6).tolist(), "labels": labels.tolist(),
               "binCounts": counts, "ece": ece, "nllT2": nll_t2,
               "generator": "tools/eval/ece_reference.py (numpy " + np.__version__ + ")"}, f)
print(f"ece {ece:.6f} nll(T=2) {nll_t2:.6f} -> {out}")
