#!/usr/bin/env python3
"""The OpenCV zoo facial-expression model (MobileFaceNet "Progressive Teacher", trained on RAF-DB, int8 ONNX)
as a FER+ peer and as a soft-label teacher for `fra-fer train`.

  peer:        scores it on a FER+ split (official majority rule, the 7 shared classes) and writes a report
               in the format of docs/experiments/peers/ferplus-test-*.json
  soft-labels: writes its probabilities for every face image under a folder, mapped to our 8-class order
               (Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise; Contempt 0), as a CSV
               that `--teacher-labels FILE.csv` reads (data.TeacherLabels)

Input as the zoo's README says: 1x3x112x112 RGB, (x/255 - 0.5) / 0.5; outputs are 7 logits in the order
angry, disgust, fearful, happy, neutral, sad, surprised. The zoo's demo aligns each face to the 112x112
ArcFace 5-point template with YuNet landmarks; here the images are already face crops (FER+ 48x48, dataset
crops) and are resized whole to 112x112 (PIL bilinear), grey replicated to RGB: no alignment (see the note
in docs/experiments/peers.md). Batch size is fixed to 1 by the model file.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from PIL import Image

ZOO_CLASSES = ["angry", "disgust", "fearful", "happy", "neutral", "sad", "surprised"]
OURS8 = ["Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral", "Sadness", "Surprise"]
OURS7 = [c for c in OURS8 if c != "Contempt"]
ZOO_TO_OURS = {"angry": "Anger", "disgust": "Disgust", "fearful": "Fear", "happy": "Happiness",
               "neutral": "Neutral", "sad": "Sadness", "surprised": "Surprise"}
# FER+ vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
FERPLUS_VOTES = ["Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust", "Fear", "Contempt"]
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
MODEL_NAME = "facial_expression_recognition_mobilefacenet_2022july_int8.onnx"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def to_ours8(p7):
    """Zoo-order probabilities (7) -> our 8-class order with Contempt 0."""
    out = np.zeros(8)
    for i, name in enumerate(ZOO_CLASSES):
        out[OURS8.index(ZOO_TO_OURS[name])] = p7[i]
    return out


def to_ours7(p7):
    return np.array([p7[ZOO_CLASSES.index(z)] for c in OURS7 for z in ZOO_CLASSES if ZOO_TO_OURS[z] == c])


def ferplus_majority(votes):
    """Official FER+ majority rule (ferplus.py): drop votes of 1; the top class needs more than half of the
    remaining votes and must not be unknown / not-a-face. Returns the vote index or -1."""
    v = [0 if x == 1 else x for x in votes]
    total = sum(v)
    if total == 0:
        return -1
    top = int(np.argmax(v))
    if v[top] * 2 <= total or top >= 8:
        return -1
    return top


def preprocess(path, pad=1.0):
    """Whole image -> 112x112; pad > 1 first puts it in the middle of a pad-times larger canvas (edge pixels
    replicated), so a tight crop has the margin of the zoo's aligned 112x112 template; pad < 1 keeps the middle
    pad-th of the image instead (PIL crop with sub-pixel bounds)."""
    img = Image.open(path).convert("RGB")
    if pad > 1.0:
        a = np.asarray(img)
        h, w = a.shape[:2]
        ph, pw = int(round(h * (pad - 1) / 2)), int(round(w * (pad - 1) / 2))
        img = Image.fromarray(np.pad(a, ((ph, ph), (pw, pw), (0, 0)), mode="edge"))
    elif pad < 1.0:  # the middle pad-th of the image
        w, h = img.size
        cw, ch = w * pad, h * pad
        img = img.crop(((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2))
    img = img.resize((112, 112), Image.BILINEAR)
    x = np.asarray(img, dtype=np.float32) / 255.0
    x = (x - 0.5) / 0.5
    return x.transpose(2, 0, 1)[None]


class Model:
    def __init__(self, path, threads, pad=1.0):
        self.pad = pad
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def probabilities(self, path):
        logits = self.session.run(None, {self.input: preprocess(path, self.pad)})[0][0]
        return softmax(logits)


def metrics(y_true, y_pred, k):
    cm = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    diag = np.diag(cm)
    recall = np.where(support > 0, diag / np.maximum(support, 1), np.nan)
    precision = np.where(predicted > 0, diag / np.maximum(predicted, 1), np.nan)
    f1 = np.where((np.nan_to_num(precision) + np.nan_to_num(recall)) > 0,
                  2 * np.nan_to_num(precision) * np.nan_to_num(recall)
                  / np.maximum(np.nan_to_num(precision) + np.nan_to_num(recall), 1e-300), 0.0)
    present = support > 0
    return {
        "accuracy": float(diag.sum() / cm.sum()),
        "balancedAccuracy": float(np.mean(recall[present])),
        "macroF1": float(np.mean(f1[present])),
        "perClass": {OURS7[i]: {"support": int(support[i]),
                                "precision": None if np.isnan(precision[i]) else float(precision[i]),
                                "recall": None if np.isnan(recall[i]) else float(recall[i]),
                                "f1": float(f1[i])} for i in range(k)},
        "confusion": cm.tolist(),
    }


def default_model():
    data = os.environ.get("FRAFER_DATA")
    return os.path.join(data, "..", "models", "opencv-fer", MODEL_NAME) if data else None


def cmd_peer(a):
    folder = {"train": "FER2013Train", "valid": "FER2013Valid", "test": "FER2013Test"}[a.split]
    d = os.path.join(a.data, "ferplus", folder)
    if not os.path.isdir(d):
        d = os.path.join(a.data, folder)
    label_csv = os.path.join(d, "label.csv")
    if not os.path.isfile(label_csv):
        sys.exit(f"opencv_fer.py: FER+ label file not found: {label_csv}")
    rows = []
    with open(label_csv, newline="") as f:
        for line_no, r in enumerate(csv.reader(f), 1):
            if len(r) != 12:
                sys.exit(f"opencv_fer.py: {label_csv} line {line_no}: {len(r)} fields, expected 12")
            top = ferplus_majority([int(x) for x in r[2:]])
            if top < 0 or FERPLUS_VOTES[top] == "Contempt":
                continue
            rows.append((r[0].strip(), OURS7.index(FERPLUS_VOTES[top])))
    if a.limit:
        rows = rows[:a.limit]
    model = Model(a.model, a.threads, a.pad)
    y_true, y_pred = [], []
    t0 = time.time()
    for name, label in rows:
        p7 = to_ours7(model.probabilities(os.path.join(d, name)))
        y_true.append(label)
        y_pred.append(int(np.argmax(p7)))
    seconds = time.time() - t0
    m = metrics(y_true, y_pred, 7)
    report = {
        "model": "OpenCV zoo " + MODEL_NAME + " (MobileFaceNet, RAF-DB, int8), onnxruntime "
                 + __import__("onnxruntime").__version__,
        "dataset": f"FER+ {folder} (majority rule, contempt-labelled images dropped)",
        "classes": OURS7,
        "n": len(y_true),
        **m,
        "preprocessing": "48x48 grey replicated to RGB -> " + (f"edge-padded to {a.pad}x its size -> " if a.pad > 1 else f"middle {a.pad} kept -> " if a.pad < 1 else "")
                         + "PIL bilinear resize 112x112 -> (x/255 - 0.5) / 0.5; "
                         "no landmark alignment (the zoo demo aligns to the ArcFace 5-point template)",
        "labelMap": {z: ZOO_TO_OURS[z] for z in ZOO_CLASSES},
        "seconds": round(seconds, 1),
        "threads": a.threads,
    }
    with open(a.out + ".tmp", "w") as f:
        json.dump(report, f, indent=2)
    os.replace(a.out + ".tmp", a.out)
    print(f"{report['dataset']}: n={report['n']} accuracy {m['accuracy']:.4f} balanced {m['balancedAccuracy']:.4f} "
          f"macro-F1 {m['macroF1']:.4f} ({seconds:.0f} s) -> {a.out}")


def cmd_soft_labels(a):
    root = os.path.abspath(a.images)
    if not os.path.isdir(root):
        sys.exit(f"opencv_fer.py: not a folder: {root}")
    if os.path.exists(a.out) and not a.overwrite:
        sys.exit(f"opencv_fer.py: {a.out} exists; give another --out or --overwrite")
    files = []
    for dirpath, dirnames, names in os.walk(root, followlinks=True):
        dirnames.sort()
        for n in sorted(names):
            if n.lower().endswith(IMAGE_EXT):
                files.append(os.path.join(dirpath, n))
    if a.limit:
        files = files[:a.limit]
    model = Model(a.model, a.threads, a.pad)
    tmp = a.out + ".tmp"
    bad = 0
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image"] + OURS8)
        for path in files:
            try:
                p8 = to_ours8(model.probabilities(path))
            except (OSError, ValueError) as e:
                print(f"unreadable, skipped: {path} ({e})", file=sys.stderr)
                bad += 1
                continue
            w.writerow([os.path.relpath(path, root).replace(os.sep, "/")] + [f"{v:.6f}" for v in p8])
    os.replace(tmp, a.out)
    print(f"{len(files) - bad} images -> {a.out} ({bad} unreadable)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model(),
                    help="the int8 ONNX file (default: $FRAFER_DATA/../models/opencv-fer/" + MODEL_NAME + ")")
    ap.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads (default 1)")
    ap.add_argument("--pad", type=float, default=1.0,
                    help="put each image in the middle of a PAD-times larger canvas (edge pixels replicated) before "
                         "resizing; below 1, keep the middle PAD-th of the image (default 1: the whole image)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("peer", help="score on a FER+ split")
    p.add_argument("--data", default=os.environ.get("FRAFER_DATA"), help="shared data folder (default $FRAFER_DATA)")
    p.add_argument("--split", default="test", choices=["train", "valid", "test"])
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--out", required=True)
    s = sub.add_parser("soft-labels", help="teacher probabilities for every image under a folder")
    s.add_argument("--images", required=True, help="folder of face crops (searched recursively)")
    s.add_argument("--out", required=True, help="CSV to write (keep it outside the repository)")
    s.add_argument("--limit", type=int, default=0)
    s.add_argument("--overwrite", action="store_true")
    a = ap.parse_args(argv)
    if not a.model or not os.path.isfile(a.model):
        sys.exit(f"opencv_fer.py: model file not found: {a.model} (give --model or set FRAFER_DATA)")
    if a.cmd == "peer":
        if not a.data:
            sys.exit("opencv_fer.py: --data or FRAFER_DATA is required")
        cmd_peer(a)
    else:
        cmd_soft_labels(a)


if __name__ == "__main__":
    main()
