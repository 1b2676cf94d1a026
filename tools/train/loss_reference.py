"""Reference values for LossesTest: torch.nn.functional.cross_entropy on fixed logits/targets.

Run: tools/.venv/bin/python tools/train/loss_reference.py (prints the numbers pasted into the test).
"""
import torch
import torch.nn.functional as F

z = torch.tensor([[1.0, -0.5, 0.3], [0.2, 0.1, -1.2], [-0.7, 2.0, 0.5], [0.0, 0.4, 0.9]])
y = torch.tensor([0, 2, 1, 1])
w = torch.tensor([0.5, 2.0, 1.5])
t = torch.tensor([[0.7, 0.2, 0.1], [0, 0.5, 0.5], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]])
print("hard", F.cross_entropy(z, y).item())
print("hard_ls0.1", F.cross_entropy(z, y, label_smoothing=0.1).item())
print("hard_w", F.cross_entropy(z, y, weight=w).item())
print("hard_w_ls0.1", F.cross_entropy(z, y, weight=w, label_smoothing=0.1).item())
print("soft", F.cross_entropy(z, t).item())
print("soft_ls0.1", F.cross_entropy(z, t, label_smoothing=0.1).item())
