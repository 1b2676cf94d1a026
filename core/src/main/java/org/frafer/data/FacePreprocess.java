package org.frafer.data;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Face crop -> network input, the same for training, evaluation and inference: crop by the face box
 * (clamped to the image), resize to {@code size x size} ignoring the aspect ratio (HSEmotion's
 * {@code Resize((224, 224))}), bilinear with PIL's antialiasing (the filter widens when shrinking,
 * exactly as {@code PIL.Image.resize(BILINEAR)}), optional horizontal flip, output planar RGB float
 * in [0, 1] (CHW).
 */
public final class FacePreprocess {
    private FacePreprocess() {}

    /** Compact 8-bit pixels of a crop: 1 channel (grey) or 3 (RGB, interleaved). */
    public record Pixels(int width, int height, int channels, byte[] data) {
        public long bytes() {
            return data.length + 64L;
        }
    }

    /**
     * CHW float [0, 1] of {@code box} (null = whole image) of {@code image}, resized to size x
     * size.
     */
    public static float[] toChw(BufferedImage image, int[] box, int size, boolean flip) {
        float[] out = new float[3 * size * size];
        resizeInto(crop(image, box), size, flip, out, 0);
        return out;
    }

    /**
     * The box {x, y, w, h} (null = whole image) clamped to the image, as compact pixels (grey when
     * R == G == B everywhere, so FER+ faces take one byte per pixel in a cache).
     *
     * @throws IllegalArgumentException when the box does not overlap the image
     */
    public static Pixels crop(BufferedImage image, int[] box) {
        BufferedImage rgb = Images.toRgb(image);
        int iw = rgb.getWidth();
        int ih = rgb.getHeight();
        int x0 = 0;
        int y0 = 0;
        int x1 = iw;
        int y1 = ih;
        if (box != null) {
            x0 = Math.max(0, box[0]);
            y0 = Math.max(0, box[1]);
            x1 = (int) Math.min(iw, (long) box[0] + box[2]);
            y1 = (int) Math.min(ih, (long) box[1] + box[3]);
            if (x1 <= x0 || y1 <= y0) {
                throw new IllegalArgumentException(
                        "face box "
                                + Arrays.toString(box)
                                + " lies outside the "
                                + iw
                                + "x"
                                + ih
                                + " image");
            }
        }
        int w = x1 - x0;
        int h = y1 - y0;
        // getDataElements honours sub-image offsets and scanline strides (the raw buffer does not).
        int[] src = (int[]) rgb.getRaster().getDataElements(x0, y0, w, h, null);
        boolean grey = true;
        for (int y = y0; y < y1 && grey; y++) {
            for (int x = x0; x < x1; x++) {
                int p = src[(y - y0) * w + (x - x0)];
                int r = p >> 16 & 0xff;
                if (r != (p >> 8 & 0xff) || r != (p & 0xff)) {
                    grey = false;
                    break;
                }
            }
        }
        int ch = grey ? 1 : 3;
        byte[] data = new byte[w * h * ch];
        int k = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = src[(y - y0) * w + (x - x0)];
                if (grey) {
                    data[k++] = (byte) p;
                } else {
                    data[k++] = (byte) (p >> 16);
                    data[k++] = (byte) (p >> 8);
                    data[k++] = (byte) p;
                }
            }
        }
        return new Pixels(w, h, ch, data);
    }

    /**
     * Resizes {@code src} to size x size (bilinear, antialiased like PIL) into dst[offset ..] as
     * CHW in [0, 1].
     */
    public static void resizeInto(Pixels src, int size, boolean flip, float[] dst, int offset) {
        int w = src.width();
        int h = src.height();
        int ch = src.channels();
        Coeffs cx = Coeffs.of(w, size);
        Coeffs cy = Coeffs.of(h, size);
        byte[] in = src.data();
        // horizontal pass: h rows x size columns per channel
        float[] tmp = new float[ch * h * size];
        for (int y = 0; y < h; y++) {
            int rowBase = y * w * ch;
            for (int xo = 0; xo < size; xo++) {
                int start = cx.start[xo];
                int n = cx.count[xo];
                int kb = xo * cx.stride;
                for (int c = 0; c < ch; c++) {
                    float acc = 0;
                    for (int t = 0; t < n; t++) {
                        acc += cx.weights[kb + t] * (in[rowBase + (start + t) * ch + c] & 0xff);
                    }
                    tmp[(c * h + y) * size + xo] = acc;
                }
            }
        }
        // vertical pass, a whole output row at a time (contiguous, vectorisable); grey: one plane,
        // copied
        int plane = size * size;
        float inv = 1f / 255f;
        float[] acc = new float[size];
        for (int c = 0; c < ch; c++) {
            for (int yo = 0; yo < size; yo++) {
                Arrays.fill(acc, 0f);
                int start = cy.start[yo];
                int n = cy.count[yo];
                int kb = yo * cy.stride;
                for (int t = 0; t < n; t++) {
                    float wt = cy.weights[kb + t] * inv;
                    int base = (c * h + start + t) * size;
                    for (int xo = 0; xo < size; xo++) {
                        acc[xo] += wt * tmp[base + xo];
                    }
                }
                int outRow = offset + c * plane + yo * size;
                for (int xo = 0; xo < size; xo++) {
                    float v = acc[xo];
                    dst[outRow + (flip ? size - 1 - xo : xo)] = v < 0f ? 0f : (v > 1f ? 1f : v);
                }
            }
        }
        if (ch == 1) {
            System.arraycopy(dst, offset, dst, offset + plane, plane);
            System.arraycopy(dst, offset, dst, offset + 2 * plane, plane);
        }
    }

    /** PIL's precompute_coeffs for the bilinear (triangle, support 1) filter. */
    private static final class Coeffs {
        final int[] start;
        final int[] count;
        final float[] weights;
        final int stride;

        private Coeffs(int[] start, int[] count, float[] weights, int stride) {
            this.start = start;
            this.count = count;
            this.weights = weights;
            this.stride = stride;
        }

        static Coeffs of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            float[] weights = new float[outSize * stride];
            double[] k = new double[stride];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    double arg = (x + xmin - center + 0.5) * ss;
                    double wgt = Math.abs(arg) < 1.0 ? 1.0 - Math.abs(arg) : 0.0;
                    k[x] = wgt;
                    ww += wgt;
                }
                for (int x = 0; x < xmax; x++) {
                    weights[xx * stride + x] = (float) (ww != 0 ? k[x] / ww : 0);
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coeffs(start, count, weights, stride);
        }
    }
}
