#!/usr/bin/env python3
"""Convert a timm EfficientNet checkpoint to safetensors with timm state_dict names (for org.frafer.model).

Usage (Python tooling only; the Java product reads the .safetensors result, never a .pt):
    tools/.venv/bin/python tools/convert_timm.py INPUT OUTPUT.safetensors [--dtype f32|f16] [--no-classifier]

INPUT may be
  * a plain state_dict saved with torch.save(model.state_dict(), ...) (.pth/.pt), e.g. Savchenko's
    state_vggface2_enet0_new (a tf_efficientnet_b0 face-ID backbone) -> use as FR weights;
  * a dict holding the state_dict under 'state_dict' or 'model' (training checkpoints);
  * a whole pickled timm model, e.g. HSEmotion's enet_b0_8_best_vgaf.pt (torch.load(weights_only=False);
    timm must be importable, and only the module attributes are needed, so newer timm versions work
    for state_dict() even where their forward() would not). ONLY LOAD PICKLES YOU TRUST: unpickling runs code.

Key handling: strips 'module.' (DataParallel) prefixes, renames HSEmotion's 'classifier.0.*'
(nn.Sequential(nn.Linear)) to timm's 'classifier.*', drops 'num_batches_tracked', converts floating
tensors to float32 (default) or float16. --no-classifier drops classifier.* (for an FR backbone).
Prints the number of keys written and the classifier shape, if any.

Then in Java: Networks.loadFerWeights(net, Path.of(OUTPUT), strict) for FER weights, or
FrBackbones.create("tf_efficientnet_b0", Path.of(OUTPUT)) for an FR backbone.
"""
import argparse
import sys

import torch
from safetensors.torch import save_file


def extract_state_dict(obj):
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "model_state_dict", "state_dict_ema"):
            if key in obj:
                return extract_state_dict(obj[key])
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
    raise SystemExit("convert_timm: cannot find a state_dict in %s (keys: %s)"
                     % (type(obj).__name__, list(obj.keys())[:10] if isinstance(obj, dict) else "-"))


def rename(key):
    if key.startswith("module."):
        key = key[len("module."):]
    if key.startswith("classifier.0."):
        key = "classifier." + key[len("classifier.0."):]
    return key


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    ap.add_argument("--no-classifier", action="store_true", help="drop classifier.* (FR backbones)")
    args = ap.parse_args(argv)
    obj = torch.load(args.input, map_location="cpu", weights_only=False)
    sd = extract_state_dict(obj)
    dtype = torch.float16 if args.dtype == "f16" else torch.float32
    out = {}
    for k, v in sd.items():
        k = rename(k)
        if k.endswith("num_batches_tracked") or (args.no_classifier and k.startswith("classifier.")):
            continue
        if not isinstance(v, torch.Tensor):
            continue
        out[k] = (v.to(dtype) if v.is_floating_point() else v).contiguous()
    if not out:
        raise SystemExit("convert_timm: no tensors left to write")
    save_file(out, args.output, metadata={"source": args.input, "converter": "tools/convert_timm.py"})
    cls = out.get("classifier.weight")
    print("wrote %d keys to %s (%s)%s" % (len(out), args.output, args.dtype,
                                         "" if cls is None else ", classifier %s" % (tuple(cls.shape),)))


if __name__ == "__main__":
    sys.exit(main())
