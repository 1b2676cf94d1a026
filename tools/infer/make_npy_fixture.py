"""Writes the .npy reference files that NpyTest compares the Java writer with, byte for byte.
Run: tools/.venv/bin/python tools/infer/make_npy_fixture.py"""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "fixtures", "infer")
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "arange_2x3.npy"), (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3))
np.save(os.path.join(out, "vector_5.npy"), np.array([1.5, -2, 3.25, 0, 1e-3], dtype=np.float32))
np.save(os.path.join(out, "map_1x4x3x2.npy"), np.linspace(0, 1, 24, dtype=np.float32).reshape(1, 4, 3, 2))
