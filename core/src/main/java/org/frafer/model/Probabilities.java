package org.frafer.model;

/**
 * Logits -> class probabilities, the one place this is done for predict, the API and evaluate:
 * softmax of {@code logits / temperature} per row ({@link ModelConfig#temperature}), and, for
 * test-time augmentation, the mean of the probabilities of the views ({@link
 * TestTimeAugmentation}).
 */
public final class Probabilities {
    private Probabilities() {}

    /** Row-wise softmax(logits / temperature) of an n x k row-major array, in double precision. */
    public static float[] softmax(float[] logits, int k, double temperature) {
        if (k < 1 || logits.length % k != 0) {
            throw new IllegalArgumentException(logits.length + " logits are not rows of " + k);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        float[] out = new float[logits.length];
        for (int off = 0; off < logits.length; off += k) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[off + j] / temperature);
            }
            double sum = 0;
            double[] e = new double[k];
            for (int j = 0; j < k; j++) {
                e[j] = Math.exp(logits[off + j] / temperature - max);
                sum += e[j];
            }
            for (int j = 0; j < k; j++) {
                out[off + j] = (float) (e[j] / sum);
            }
        }
        return out;
    }

    /**
     * The probabilities of each view's logits (same shape), averaged: softmax(view / T) summed /
     * views.
     */
    public static float[] meanOfViews(float[][] viewLogits, int k, double temperature) {
        float[] mean = null;
        for (float[] view : viewLogits) {
            float[] p = softmax(view, k, temperature);
            if (mean == null) {
                mean = p;
            } else {
                if (p.length != mean.length) {
                    throw new IllegalArgumentException(
                            "views of different sizes: " + p.length + " and " + mean.length);
                }
                for (int i = 0; i < p.length; i++) {
                    mean[i] += p[i];
                }
            }
        }
        if (mean == null) {
            throw new IllegalArgumentException("no views");
        }
        if (viewLogits.length > 1) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= viewLogits.length;
            }
        }
        return mean;
    }
}
