#!/usr/bin/env python3
"""Post-hoc prior shift of a model trained with logit adjustment (train recipe `accuracy`).

A model trained with logit adjustment (Menon et al. 2021, `TrainConfig.logitAdjustment` = tau) outputs logits
whose arg-max is class-balanced. Adding `tau_post * log(prior)` back to its classifier bias moves it towards the
training distribution again (tau_post = 0: balanced, tau_post = tau: as a plainly trained model). The shift is
folded into `classifier.bias`, so every consumer (predict, evaluate, API, service, Spark) sees the same model.

usage: shift_priors.py IN_MODEL_DIR OUT_MODEL_DIR TAU_POST
Prior: FER+ train class counts under the official majority rule (../shared/README.md), in our class order
Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise. Needs numpy and safetensors
(tools/requirements.txt). OUT_MODEL_DIR must not exist.
"""
import json
import os
import shutil
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

FERPLUS_TRAIN_COUNTS = [2098, 120, 116, 536, 7284, 8733, 3022, 3136]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, tau = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if os.path.exists(dst):
        sys.exit(f"{dst} exists; choose a new folder")
    with open(os.path.join(src, "config.json")) as f:
        classes = json.load(f)["classes"]
    if len(classes) != len(FERPLUS_TRAIN_COUNTS):
        sys.exit(f"{src}: {len(classes)} classes, the prior has {len(FERPLUS_TRAIN_COUNTS)}")
    prior = np.array(FERPLUS_TRAIN_COUNTS, dtype=np.float64)
    prior /= prior.sum()
    tensors = load_file(os.path.join(src, "model.safetensors"))
    bias = tensors["classifier.bias"]
    tensors["classifier.bias"] = (bias.astype(np.float64) + tau * np.log(prior)).astype(bias.dtype)
    shutil.copytree(src, dst)
    save_file(tensors, os.path.join(dst, "model.safetensors"))
    with open(os.path.join(dst, "prior-shift.json"), "w") as f:
        json.dump({"tauPost": tau, "prior": "FER+ train majority counts", "counts": FERPLUS_TRAIN_COUNTS,
                   "classes": classes}, f, indent=2)
    print(f"{dst}: classifier.bias += {tau} * log(prior)")


if __name__ == "__main__":
    main()
