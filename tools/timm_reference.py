#!/usr/bin/env python3
"""Parity fixtures for the Java EfficientNet-B0 / FRA-FER implementation (org.frafer.model).

Run (re-runnable, deterministic; needs torch + timm, NOT needed by CI which only reads the output):
    /work/main/tools/.venv/bin/python tools/timm_reference.py [--out core/src/test/resources/fixtures/net]

What it writes (safetensors, timm state_dict names):
  weights-0000N.safetensors  one seeded random tf_efficientnet_b0 (8 classes) as float16, split in
                             shards < 4 MB; BN running stats are calibrated on random images and
                             gamma/beta perturbed so eval mode is meaningful. Both variants
                             (tf_efficientnet_b0, efficientnet_b0) and the FR branch reuse them.
  variants.safetensors       inputs x113 (2,3,113,113) and x224 (1,3,224,224) (float16-exact values),
                             per variant V: V.layerK (K = 1 stem, 2..8 blocks.0..6, 9 head) and V.logits
                             at 113, V.logits224 at 224 - references computed in float32 on the
                             float16-rounded weights, model.eval(); plus tf_efficientnet_b0.train_logits
                             and .train.bn{1,2}.running_{mean,var} after one train-mode forward.
  fra_pP_qQ.safetensors      FRA-FER (FER = tf_efficientnet_b0, FR = frozen tf_efficientnet_b0 with the
                             same weights, FR input 224 resized bilinearly, ImageNet mean/std for both):
                             fusion.conv.weight/bias (float16-exact), labels, logits, attention,
                             feature_after, loss and grad.fusion.conv.weight/bias of mean cross-entropy
                             (eval mode), for (p, q) = (1, 1) and (2, 3), input x113.
  train_grads.safetensors    x64 (2,3,64,64), labels and, after one train-mode forward + mean
                             cross-entropy backward of tf_efficientnet_b0, the loss and grad.<name> for
                             the stem and the depthwise kernels (64 px: every stride-2 depthwise conv
                             pads asymmetrically, (0,1) for 3x3 and (1,2) for 5x5).
"""
import argparse
import os

import numpy as np
import timm
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def f16(t):
    return t.to(torch.float16).to(torch.float32)


def make_weights(seed):
    torch.manual_seed(seed)
    m = timm.create_model("tf_efficientnet_b0", pretrained=False, num_classes=8)
    with torch.no_grad():
        for name, mod in m.named_modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.mul_(1 + 0.2 * torch.randn_like(mod.weight))
                mod.bias.add_(0.1 * torch.randn_like(mod.bias))
                if name.endswith("bn3") or (name.startswith("blocks.0.") and name.endswith("bn2")):
                    mod.weight.mul_(0.5)  # damp residual-branch growth, so activations stay O(1)
    # calibrate BN running stats on random images (cumulative average), so eval-mode activations stay
    # O(1), then perturb them a little so eval mode differs measurably from batch statistics
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None
    m.train()
    with torch.no_grad():
        for _ in range(4):
            m((torch.rand(8, 3, 113, 113) - MEAN) / STD)
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.add_(0.05 * torch.randn_like(mod.running_mean) * mod.running_var.sqrt())
                mod.running_var.mul_(1 + 0.1 * torch.rand_like(mod.running_var))
    sd = {k: f16(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
    return sd


def build(arch, sd):
    m = timm.create_model(arch, pretrained=False, num_classes=8)
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    return m.eval()


def layers(m):
    """Tappable layers: 1 = stem (conv_stem+bn1(+act)), 2..8 = blocks.0..6, 9 = conv_head+bn2(+act)."""
    return [lambda x: m.bn1(m.conv_stem(x))] + [m.blocks[i] for i in range(7)] + [lambda x: m.bn2(m.conv_head(x))]


def run_layers(m, x, start, end):
    ls = layers(m)
    for k in range(start, end + 1):
        x = ls[k - 1](x)
    return x


class Fra(nn.Module):
    """FRA block (paper Eq. 3-5), written independently of the Java code."""

    def __init__(self, c_p):
        super().__init__()
        self.conv = nn.Conv2d(c_p, 1, kernel_size=1, bias=True)

    def forward(self, h_fer, h_fr):
        s = torch.sigmoid(self.conv(h_fr))
        s = F.interpolate(s, size=h_fer.shape[-2:], mode="bilinear", align_corners=False)
        return torch.maximum(s * h_fer, h_fer), s


class FraFer(nn.Module):
    def __init__(self, fer, fr, p, q, fr_size=224):
        super().__init__()
        self.fer, self.fr, self.p, self.q, self.fr_size = fer, fr, p, q, fr_size
        c_p = run_layers(fr, torch.zeros(1, 3, 64, 64), 1, p).shape[1]
        self.fusion = Fra(c_p)
        for prm in self.fr.parameters():
            prm.requires_grad_(False)

    def forward(self, raw):
        x = run_layers(self.fer, (raw - MEAN) / STD, 1, self.q)
        with torch.no_grad():
            fr_in = F.interpolate(raw, size=(self.fr_size, self.fr_size), mode="bilinear", align_corners=False)
            h_fr = run_layers(self.fr.eval(), (fr_in - MEAN) / STD, 1, self.p)
        after, s = self.fusion(x, h_fr)
        x = run_layers(self.fer, after, self.q + 1, 9)
        logits = self.fer.classifier(x.mean((2, 3)))
        return logits, s, after


def shards(sd, limit):
    out, cur, size = [], {}, 0
    for k, v in sd.items():
        nbytes = v.numel() * 2
        if cur and size + nbytes > limit:
            out.append(cur)
            cur, size = {}, 0
        cur[k] = v.to(torch.float16).contiguous()
        size += nbytes
    out.append(cur)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "core/src/test/resources/fixtures/net"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)
    sd = make_weights(1234)
    parts = shards(sd, 3_800_000)
    for i, part in enumerate(parts):
        save_file(part, os.path.join(args.out, "weights-%05d.safetensors" % (i + 1)), metadata={"source": "tools/timm_reference.py seed 1234"})
    print("weights: %d tensors in %d shards" % (len(sd), len(parts)))

    g = torch.Generator().manual_seed(7)
    x113 = f16(torch.rand(2, 3, 113, 113, generator=g))
    x224 = f16(torch.rand(1, 3, 224, 224, generator=g))
    out = {"x113": x113, "x224": x224}
    with torch.no_grad():
        for arch in ("tf_efficientnet_b0", "efficientnet_b0"):
            m = build(arch, sd)
            x = (x113 - MEAN) / STD
            for k in range(1, 10):
                x = run_layers(m, x, k, k)
                out["%s.layer%d" % (arch, k)] = x.contiguous()
            out[arch + ".logits"] = m.classifier(x.mean((2, 3)))
            ref = m((x113 - MEAN) / STD)
            assert torch.allclose(ref, out[arch + ".logits"], atol=1e-5), "layer split differs from timm forward"
            out[arch + ".logits224"] = m((x224 - MEAN) / STD)
            print(arch, "logits[0]", out[arch + ".logits"][0].numpy().round(4))
        # training mode (batch statistics, running-stat update with momentum 0.1; drop_rate 0 so no dropout)
        m = build("tf_efficientnet_b0", sd).train()
        out["tf_efficientnet_b0.train_logits"] = m((x113 - MEAN) / STD)
        for key in ("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"):
            out["tf_efficientnet_b0.train." + key] = m.state_dict()[key].clone()
    save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(args.out, "variants.safetensors"))

    for p, q in ((1, 1), (2, 3)):
        torch.manual_seed(100 + 10 * p + q)
        net = FraFer(build("tf_efficientnet_b0", sd), build("tf_efficientnet_b0", sd), p, q)
        with torch.no_grad():
            net.fusion.conv.weight.copy_(f16(net.fusion.conv.weight * 3))
            net.fusion.conv.bias.copy_(f16(net.fusion.conv.bias))
        net.eval()
        labels = torch.tensor([3, 5])
        logits, s, after = net(x113)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        assert all(prm.grad is None for prm in net.fr.parameters())
        res = {
            "fusion.conv.weight": net.fusion.conv.weight.detach().to(torch.float16),
            "fusion.conv.bias": net.fusion.conv.bias.detach().to(torch.float16),
            "labels": labels.to(torch.float32),
            "logits": logits.detach(),
            "attention": s.detach(),
            "feature_after": after.detach(),
            "loss": loss.detach().reshape(1),
            "grad.fusion.conv.weight": net.fusion.conv.weight.grad,
            "grad.fusion.conv.bias": net.fusion.conv.bias.grad,
        }
        save_file({k: v.contiguous() for k, v in res.items()}, os.path.join(args.out, "fra_p%d_q%d.safetensors" % (p, q)))
        print("fra p=%d q=%d loss %.6f attention %s after %s" % (p, q, loss.item(), tuple(s.shape), tuple(after.shape)))
    # gradients of a train-mode step at an even size, where TF SAME padding is asymmetric at every stride-2 conv
    g64 = torch.Generator().manual_seed(64)
    x64 = f16(torch.rand(2, 3, 64, 64, generator=g64))
    m = build("tf_efficientnet_b0", sd).train()
    labels = torch.tensor([1, 6])
    loss = F.cross_entropy(m((x64 - MEAN) / STD), labels)
    loss.backward()
    res = {"x64": x64, "labels": labels.to(torch.float32), "loss": loss.detach().reshape(1)}
    for name, prm in m.named_parameters():
        if name == "conv_stem.weight" or name.endswith("conv_dw.weight"):
            res["grad." + name] = prm.grad
    save_file({k: v.contiguous() for k, v in res.items()}, os.path.join(args.out, "train_grads.safetensors"))
    print("train grads at 64 px: loss %.6f, %d gradients" % (loss.item(), len(res) - 3))
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print("fixtures total %.2f MB" % (total / 1e6))


if __name__ == "__main__":
    main()
