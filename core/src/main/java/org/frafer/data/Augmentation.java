package org.frafer.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training-time augmentation of a resized face (planar RGB float in [0, 1], size x size), chosen to
 * cover what the product feeds the model: detector boxes that are larger, smaller or shifted (scale
 * and shift jitter), tilted heads (rotation), lighting (brightness, contrast, gamma), grey and
 * colour photos, soft focus (Gaussian blur), small faces (down-scaling then up-scaling) and
 * occlusion (random erasing). Horizontal flips stay in {@link FacePreprocess}.
 *
 * <p>Every random draw comes from the {@link SplittableRandom} the caller passes, which {@link
 * BatchLoader} seeds from (seed, epoch, sample index): an epoch's augmented images never depend on
 * thread timing, so resumed runs see the same pixels as uninterrupted ones.
 *
 * @param scale box scale jitter: the face is zoomed by a factor in [1 - scale, 1 + scale]
 * @param shift box shift jitter as a fraction of the side
 * @param rotateDegrees rotation in [-rotateDegrees, rotateDegrees]
 * @param photometric strength of brightness / contrast / gamma / saturation jitter (0 = off)
 * @param greyProb probability of turning a colour face grey
 * @param blurProb probability of a Gaussian blur (sigma in [0.4, 1.4] px at the output size)
 * @param lowResProb probability of down-scaling to 20-60 % of the side and back (low-resolution
 *     faces)
 * @param eraseProb probability of erasing a rectangle of 2-20 % of the area (occlusion)
 */
public record Augmentation(
        double scale,
        double shift,
        double rotateDegrees,
        double photometric,
        double greyProb,
        double blurProb,
        double lowResProb,
        double eraseProb) {

    /** No augmentation (identity). */
    public static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 0, 0, 0, 0);

    /** The accuracy recipe's setting. */
    public static final Augmentation STANDARD =
            new Augmentation(0.12, 0.08, 12, 0.3, 0.2, 0.15, 0.25, 0.25);

    public Augmentation {
        check("scale", scale, 0, 0.5);
        check("shift", shift, 0, 0.5);
        check("rotateDegrees", rotateDegrees, 0, 45);
        check("photometric", photometric, 0, 0.9);
        check("greyProb", greyProb, 0, 1);
        check("blurProb", blurProb, 0, 1);
        check("lowResProb", lowResProb, 0, 1);
        check("eraseProb", eraseProb, 0, 1);
    }

    private static void check(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "augmentation %s must be in [%s, %s], got %s",
                            name,
                            lo,
                            hi,
                            v));
        }
    }

    /** By name: {@code none} or {@code standard}. */
    public static Augmentation named(String name) {
        return switch (name == null ? "none" : name) {
            case "none" -> NONE;
            case "standard" -> STANDARD;
            default ->
                    throw new IllegalArgumentException(
                            "unknown augmentation '" + name + "' (expected none or standard)");
        };
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /** Augments the image at {@code img[offset ..]} (3 planes of size x size) in place. */
    public void apply(float[] img, int offset, int size, SplittableRandom r) {
        if (isNone()) {
            return;
        }
        int plane = size * size;
        float[] src = Arrays.copyOfRange(img, offset, offset + 3 * plane);
        float[] work = src;
        if (scale > 0 || shift > 0 || rotateDegrees > 0) {
            double zoom = 1 + (r.nextDouble() * 2 - 1) * scale;
            double tx = (r.nextDouble() * 2 - 1) * shift * size;
            double ty = (r.nextDouble() * 2 - 1) * shift * size;
            double angle = Math.toRadians((r.nextDouble() * 2 - 1) * rotateDegrees);
            work = affine(src, size, zoom, angle, tx, ty);
        }
        boolean grey = isGrey(work, plane);
        if (photometric > 0) {
            photometric(work, plane, grey, r);
        }
        if (!grey && r.nextDouble() < greyProb) {
            toGrey(work, plane);
        }
        if (r.nextDouble() < lowResProb) {
            double f = 0.2 + 0.4 * r.nextDouble();
            int small = Math.max(4, (int) Math.round(size * f));
            work = resize(resize(work, size, small), small, size);
        }
        if (r.nextDouble() < blurProb) {
            blur(work, size, 0.4 + r.nextDouble());
        }
        if (r.nextDouble() < eraseProb) {
            erase(work, size, r);
        }
        for (int i = 0; i < work.length; i++) {
            float v = work[i];
            img[offset + i] = v < 0f ? 0f : (v > 1f ? 1f : v);
        }
    }

    /**
     * Output pixel centres mapped back into the source: zoom about the centre, rotate, shift;
     * bilinear with the border pixels repeated (a box larger than the face shows the surroundings
     * smeared, not black).
     */
    static float[] affine(float[] src, int size, double zoom, double angle, double tx, double ty) {
        int plane = size * size;
        float[] out = new float[src.length];
        double c = (size - 1) / 2.0;
        double cos = Math.cos(angle) / zoom;
        double sin = Math.sin(angle) / zoom;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x - c - tx;
                double dy = y - c - ty;
                double sx = c + cos * dx + sin * dy;
                double sy = c - sin * dx + cos * dy;
                sx = Math.max(0, Math.min(size - 1, sx));
                sy = Math.max(0, Math.min(size - 1, sy));
                int x0 = (int) sx;
                int y0 = (int) sy;
                int x1 = Math.min(size - 1, x0 + 1);
                int y1 = Math.min(size - 1, y0 + 1);
                float fx = (float) (sx - x0);
                float fy = (float) (sy - y0);
                for (int ch = 0; ch < 3; ch++) {
                    int b = ch * plane;
                    float top = src[b + y0 * size + x0] * (1 - fx) + src[b + y0 * size + x1] * fx;
                    float bottom =
                            src[b + y1 * size + x0] * (1 - fx) + src[b + y1 * size + x1] * fx;
                    out[b + y * size + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return out;
    }

    private static boolean isGrey(float[] img, int plane) {
        for (int i = 0; i < plane; i++) {
            if (img[i] != img[plane + i] || img[i] != img[2 * plane + i]) {
                return false;
            }
        }
        return true;
    }

    /** Contrast about the mean, brightness, gamma; saturation for colour faces. */
    private void photometric(float[] img, int plane, boolean grey, SplittableRandom r) {
        double p = photometric;
        double contrast = 1 + (r.nextDouble() * 2 - 1) * p;
        double brightness = 1 + (r.nextDouble() * 2 - 1) * p;
        double gamma = Math.exp((r.nextDouble() * 2 - 1) * p);
        double saturation = grey ? 1 : 1 + (r.nextDouble() * 2 - 1) * p;
        double mean = 0;
        for (float v : img) {
            mean += v;
        }
        mean /= img.length;
        for (int i = 0; i < plane; i++) {
            float l = (img[i] + img[plane + i] + img[2 * plane + i]) / 3f;
            for (int ch = 0; ch < 3; ch++) {
                int k = ch * plane + i;
                double v = l + (img[k] - l) * saturation;
                v = mean + (v - mean) * contrast;
                v = v * brightness;
                v = Math.pow(Math.max(0, Math.min(1, v)), gamma);
                img[k] = (float) v;
            }
        }
    }

    private static void toGrey(float[] img, int plane) {
        for (int i = 0; i < plane; i++) {
            // ITU-R 601 luma, as PIL's convert("L")
            float l = 0.299f * img[i] + 0.587f * img[plane + i] + 0.114f * img[2 * plane + i];
            img[i] = l;
            img[plane + i] = l;
            img[2 * plane + i] = l;
        }
    }

    /** Area-averaging when shrinking, bilinear when enlarging (3 planes). */
    static float[] resize(float[] src, int from, int to) {
        float[] out = new float[3 * to * to];
        double scale = (double) from / to;
        for (int ch = 0; ch < 3; ch++) {
            int sb = ch * from * from;
            int ob = ch * to * to;
            for (int y = 0; y < to; y++) {
                for (int x = 0; x < to; x++) {
                    float v;
                    if (scale > 1) {
                        int x0 = (int) Math.floor(x * scale);
                        int x1 = Math.min(from, (int) Math.ceil((x + 1) * scale));
                        int y0 = (int) Math.floor(y * scale);
                        int y1 = Math.min(from, (int) Math.ceil((y + 1) * scale));
                        float acc = 0;
                        for (int yy = y0; yy < y1; yy++) {
                            for (int xx = x0; xx < x1; xx++) {
                                acc += src[sb + yy * from + xx];
                            }
                        }
                        v = acc / ((x1 - x0) * (y1 - y0));
                    } else {
                        double sx = Math.max(0, Math.min(from - 1, (x + 0.5) * scale - 0.5));
                        double sy = Math.max(0, Math.min(from - 1, (y + 0.5) * scale - 0.5));
                        int x0 = (int) sx;
                        int y0 = (int) sy;
                        int x1 = Math.min(from - 1, x0 + 1);
                        int y1 = Math.min(from - 1, y0 + 1);
                        float fx = (float) (sx - x0);
                        float fy = (float) (sy - y0);
                        float top =
                                src[sb + y0 * from + x0] * (1 - fx) + src[sb + y0 * from + x1] * fx;
                        float bottom =
                                src[sb + y1 * from + x0] * (1 - fx) + src[sb + y1 * from + x1] * fx;
                        v = top * (1 - fy) + bottom * fy;
                    }
                    out[ob + y * to + x] = v;
                }
            }
        }
        return out;
    }

    /** Separable Gaussian blur, edges repeated. */
    static void blur(float[] img, int size, double sigma) {
        int radius = Math.max(1, (int) Math.ceil(2 * sigma));
        float[] k = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] tmp = new float[size * size];
        for (int ch = 0; ch < 3; ch++) {
            int b = ch * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float acc = 0;
                    for (int t = -radius; t <= radius; t++) {
                        int xx = Math.max(0, Math.min(size - 1, x + t));
                        acc += k[t + radius] * img[b + y * size + xx];
                    }
                    tmp[y * size + x] = acc;
                }
            }
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float acc = 0;
                    for (int t = -radius; t <= radius; t++) {
                        int yy = Math.max(0, Math.min(size - 1, y + t));
                        acc += k[t + radius] * tmp[yy * size + x];
                    }
                    img[b + y * size + x] = acc;
                }
            }
        }
    }

    /**
     * Random erasing (Zhong et al.): a rectangle of 2-20 % of the area, aspect 0.3-3.3, filled with
     * noise.
     */
    static void erase(float[] img, int size, SplittableRandom r) {
        double area = size * size * (0.02 + 0.18 * r.nextDouble());
        double aspect = Math.exp(Math.log(0.3) + r.nextDouble() * (Math.log(3.3) - Math.log(0.3)));
        int h = Math.min(size, Math.max(1, (int) Math.round(Math.sqrt(area * aspect))));
        int w = Math.min(size, Math.max(1, (int) Math.round(Math.sqrt(area / aspect))));
        int y0 = r.nextInt(size - h + 1);
        int x0 = r.nextInt(size - w + 1);
        boolean grey = isGrey(img, size * size);
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                float g = (float) r.nextDouble();
                for (int ch = 0; ch < 3; ch++) {
                    img[ch * size * size + y * size + x] = grey ? g : (float) r.nextDouble();
                }
            }
        }
    }
}
