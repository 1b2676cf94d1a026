"""Reference crops+resizes from PIL (what HSEmotion's torchvision Resize((s, s)) does on PIL images).

Writes core/src/test/resources/fixtures/data/resize_*.png, read by org.frafer.data.FacePreprocessTest.
Run: /work/main/tools/.venv/bin/python tools/data/make_resize_fixtures.py   (re-runnable, deterministic)
"""
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "fixtures", "data")
os.makedirs(OUT, exist_ok=True)

rng = np.random.default_rng(7)
h, w = 37, 53
yy, xx = np.mgrid[0:h, 0:w]
# smooth gradients plus noise, so both interpolation and antialiasing matter
rgb = np.stack([(xx * 4.7 + yy * 1.3) % 256, (yy * 6.1 + 20 * np.sin(xx / 3.0)) % 256, rng.integers(0, 256, (h, w))], -1)
rgb = rgb.astype(np.uint8)
Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "resize_input.png"))
grey = Image.fromarray(rgb, "RGB").convert("L")
grey.save(os.path.join(OUT, "resize_input_grey.png"))

# (name, box x, y, w, h or None, size)
cases = [
    ("whole_16", None, 16),
    ("whole_96", None, 96),
    ("box_8", (5, 3, 30, 21), 8),
    ("box_64", (5, 3, 30, 21), 64),
    ("box_29", (11, 7, 40, 25), 29),
]
meta = []
for name, box, size in cases:
    for mode, img in (("rgb", Image.fromarray(rgb, "RGB")), ("grey", grey)):
        crop = img if box is None else img.crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
        out = crop.resize((size, size), Image.BILINEAR)
        out.save(os.path.join(OUT, f"resize_{mode}_{name}.png"))
    meta.append({"name": name, "box": box, "size": size})
with open(os.path.join(OUT, "resize_cases.json"), "w") as f:
    json.dump(meta, f, indent=1)
print("wrote", len(meta) * 2, "reference images to", os.path.abspath(OUT))
