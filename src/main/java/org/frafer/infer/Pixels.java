package org.frafer.infer;

import java.awt.image.BufferedImage;
import java.util.List;

/** Images to the tensor layout every network here takes: NCHW float32 RGB in [0, 1]. */
final class Pixels {
    private Pixels() {}

    /** Faces must already be size x size. */
    static float[] toNchw(List<BufferedImage> faces, int size) {
        int plane = size * size;
        float[] out = new float[faces.size() * 3 * plane];
        int[] rgb = new int[plane];
        for (int n = 0; n < faces.size(); n++) {
            BufferedImage f = faces.get(n);
            if (f.getWidth() != size || f.getHeight() != size) {
                throw new IllegalArgumentException("face " + n + " is " + f.getWidth() + "x" + f.getHeight() + ", expected " + size + "x" + size);
            }
            f.getRGB(0, 0, size, size, rgb, 0, size);
            int base = n * 3 * plane;
            for (int i = 0; i < plane; i++) {
                int p = rgb[i];
                out[base + i] = ((p >> 16) & 0xff) / 255f;
                out[base + plane + i] = ((p >> 8) & 0xff) / 255f;
                out[base + 2 * plane + i] = (p & 0xff) / 255f;
            }
        }
        return out;
    }
}
