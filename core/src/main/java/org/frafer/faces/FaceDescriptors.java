package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Identity descriptors of face crops: the FR backbone's full embedding, L2-normalised, compared by
 * cosine.
 */
public final class FaceDescriptors {
    private FaceDescriptors() {}

    /**
     * Descriptors of face images (crops; any size, resized to the first image's size for batching,
     * then to the backbone's input inside it), computed in batches of {@code batch}; each row has
     * unit length.
     */
    public static float[][] of(FrBackbone fr, List<BufferedImage> faces, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        float[][] out = new float[faces.size()][];
        try (NDManager base = NDManager.newBaseManager()) {
            for (int start = 0; start < faces.size(); start += batch) {
                List<BufferedImage> chunk =
                        sameSize(faces.subList(start, Math.min(faces.size(), start + batch)));
                try (NDManager m = base.newSubManager()) {
                    NDArray emb = fr.embedding(FaceCrops.toNchw(m, chunk));
                    NDArray unit = emb.div(emb.norm(new int[] {1}, true).maximum(1e-12f));
                    float[] flat = unit.toFloatArray();
                    int dim = flat.length / chunk.size();
                    for (int i = 0; i < chunk.size(); i++) {
                        out[start + i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                    }
                }
            }
        }
        return out;
    }

    /** Cosine similarity (dot product of unit descriptors; computed in full for any vectors). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "descriptor lengths differ: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * (double) b[i];
            na += a[i] * (double) a[i];
            nb += b[i] * (double) b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** A batch needs one size: images of another size are resized (bilinear) to the first one's. */
    static List<BufferedImage> sameSize(List<BufferedImage> imgs) {
        int w = imgs.get(0).getWidth();
        int h = imgs.get(0).getHeight();
        List<BufferedImage> out = new ArrayList<>();
        for (BufferedImage img : imgs) {
            if (img.getWidth() == w && img.getHeight() == h) {
                out.add(img);
            } else {
                BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = r.createGraphics();
                g.setRenderingHint(
                        RenderingHints.KEY_INTERPOLATION,
                        RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, 0, 0, w, h, null);
                g.dispose();
                out.add(r);
            }
        }
        return out;
    }
}
