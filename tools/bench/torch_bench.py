#!/usr/bin/env python3
"""PyTorch-eager reference throughput for FRA-FER's networks (peer figures for the Java benchmark).

Model: timm tf_efficientnet_b0 (num_classes 8, random weights: throughput does not depend on them).
Cases: inference under torch.inference_mode() (model.eval()) at several batch sizes, and one training
step (model.train(), cross-entropy, Adam, zero_grad/backward/step) at several batch sizes.
With --fra the same cases are also run for a PyTorch FRA-FER equivalent: a frozen FR branch (the
tf_efficientnet_b0 stem: conv_stem + bn1 + SiLU) gives H_FR_1; S = sigmoid(conv1x1_{C->1}(H_FR_1))
resized bilinearly to the FER stem map; H_FER_1 <- max(S * H_FER_1, H_FER_1); the FER net goes on.

Output: one JSON object per line and per case on stdout (so a Java benchmark can run this as a
subprocess and parse it); progress/notes go to stderr.

  tools/.venv/bin/python tools/bench/torch_bench.py [--size 224] [--threads 2]
      [--infer-batches 1,8,32] [--train-batches 8,32] [--warmup 2] [--reps 5] [--fra] [--fra-only]
(tools/.venv is the project's Python environment with torch 2.7.1 and timm 1.0.15.)
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import timm
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 8


class FraEfficientNet(nn.Module):
    """FRA-FER with p = q = 1 on timm's tf_efficientnet_b0: attention from a frozen FR stem on the FER stem."""

    def __init__(self, fer: nn.Module, fr_stem: nn.Module, fr_channels: int):
        super().__init__()
        self.fer = fer
        self.fr_stem = fr_stem
        for p in self.fr_stem.parameters():
            p.requires_grad_(False)
        self.attention_conv = nn.Conv2d(fr_channels, 1, kernel_size=1)

    def train(self, mode: bool = True):
        super().train(mode)
        self.fr_stem.eval()  # frozen: BN statistics are not updated either
        return self

    def forward(self, x):
        with torch.no_grad():
            h_fr = self.fr_stem(x)
        s = torch.sigmoid(self.attention_conv(h_fr))
        h = self.fer.bn1(self.fer.conv_stem(x))
        if s.shape[-2:] != h.shape[-2:]:
            s = F.interpolate(s, size=h.shape[-2:], mode="bilinear", align_corners=False)
        h = torch.maximum(s * h, h)
        h = self.fer.blocks(h)
        h = self.fer.bn2(self.fer.conv_head(h))
        return self.fer.forward_head(h)


def build(fra: bool) -> nn.Module:
    fer = timm.create_model("tf_efficientnet_b0", pretrained=False, num_classes=NUM_CLASSES)
    if not fra:
        return fer
    fr = timm.create_model("tf_efficientnet_b0", pretrained=False, num_classes=0)
    fr_stem = nn.Sequential(fr.conv_stem, fr.bn1)  # timm's bn1 is BatchNormAct2d (BN + SiLU)
    return FraEfficientNet(fer, fr_stem, fr.conv_stem.out_channels)


def time_case(step, images_per_call: int, calls_per_rep: int, warmup: int, reps: int):
    for _ in range(warmup):
        step()
    rates, seconds, calls = [], [], []
    for _ in range(reps):
        dt = 0.0
        for _ in range(calls_per_rep):
            t0 = time.perf_counter()
            step()
            call = time.perf_counter() - t0
            calls.append(call)
            dt += call
        seconds.append(dt / calls_per_rep)
        rates.append(images_per_call * calls_per_rep / dt)
    # the fastest single call: the least disturbed estimate when other processes share the cores
    return rates, seconds, images_per_call / min(calls)


def tcmalloc_loaded() -> bool:
    try:
        with open("/proc/self/maps") as f:
            return "tcmalloc" in f.read()
    except OSError:
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=224, help="input height = width (default 224)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--infer-batches", default="1,8,32", help="comma-separated inference batch sizes ('' = none)")
    ap.add_argument("--train-batches", default="8,32", help="comma-separated training batch sizes ('' = none)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls before timing (default 2)")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions (default 5, at least 5 recommended)")
    ap.add_argument("--min-images", type=int, default=8,
                    help="a repetition repeats the call until it has seen at least this many images (default 8)")
    ap.add_argument("--fra", action="store_true", help="also run every case with the PyTorch FRA block")
    ap.add_argument("--fra-only", action="store_true", help="run only the FRA variant")
    ap.add_argument("--channels-last", action="store_true",
                    help="model and inputs in torch.channels_last memory format (not eager's default; what fra-fer does)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    def batches(s, name):
        try:
            out = [int(b) for b in s.split(",") if b.strip()]
        except ValueError:
            ap.error(f"{name}: expected comma-separated integers, got {s!r}")
        if any(b <= 0 for b in out):
            ap.error(f"{name}: batch sizes must be positive, got {s!r}")
        return out

    infer_batches = batches(args.infer_batches, "--infer-batches")
    train_batches = batches(args.train_batches, "--train-batches")
    if args.size < 32:
        ap.error(f"--size must be at least 32, got {args.size}")
    if args.reps < 1 or args.warmup < 0:
        ap.error("--reps must be >= 1 and --warmup >= 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    variants = [True] if args.fra_only else ([False, True] if args.fra else [False])
    common = {
        "framework": "pytorch-eager", "torch": torch.__version__, "timm": timm.__version__,
        "python": platform.python_version(), "threads": torch.get_num_threads(), "size": args.size,
        "warmup": args.warmup, "reps": args.reps, "tcmalloc": tcmalloc_loaded(),
        "memoryFormat": "channels_last" if args.channels_last else "contiguous",
    }
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    for fra in variants:
        model = build(fra).to(memory_format=fmt)
        params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        name = "fra-fer(tf_efficientnet_b0, FR stem)" if fra else "tf_efficientnet_b0"

        model.eval()
        for b in infer_batches:
            x = torch.randn(b, 3, args.size, args.size).contiguous(memory_format=fmt)

            def infer():
                with torch.inference_mode():
                    model(x)

            calls = max(1, -(-args.min_images // b))
            print(f"torch_bench: {name} inference batch {b} ...", file=sys.stderr, flush=True)
            rates, secs, best = time_case(infer, b, calls, args.warmup, args.reps)
            emit(common, name, fra, "inference", b, calls, rates, secs, best, params)

        model.train()
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        for b in train_batches:
            x = torch.randn(b, 3, args.size, args.size).contiguous(memory_format=fmt)
            y = torch.randint(0, NUM_CLASSES, (b,))

            def train_step():
                optimizer.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()

            calls = max(1, -(-args.min_images // b))
            print(f"torch_bench: {name} training step batch {b} ...", file=sys.stderr, flush=True)
            rates, secs, best = time_case(train_step, b, calls, args.warmup, args.reps)
            emit(common, name, fra, "train", b, calls, rates, secs, best, params)


def emit(common, name, fra, mode, batch, calls, rates, secs, best, params):
    row = dict(common)
    row.update({
        "model": name, "fra": fra, "mode": mode, "batch": batch, "callsPerRep": calls,
        "trainableParams": params,
        "imagesPerSecond": {"min": min(rates), "median": statistics.median(rates), "max": max(rates)},
        "bestCallImagesPerSecond": best,
        "secondsPerCall": {"min": min(secs), "median": statistics.median(secs), "max": max(secs)},
        "loadAverage1m": os.getloadavg()[0],
    })
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
