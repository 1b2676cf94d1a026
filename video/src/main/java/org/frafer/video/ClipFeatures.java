package org.frafer.video;

/**
 * The clip descriptor of the AFEW protocol (Savchenko 2021, section 3.3, followed by the FRA-FER
 * paper): per-frame features of one face track (FER embedding, then the class probabilities)
 * summarised over the frames by their mean, standard deviation, minimum and maximum, concatenated
 * in that order.
 *
 * <p>Accumulated in one pass (Welford's mean and variance), so a clip of any length needs memory of
 * four feature vectors only.
 */
public final class ClipFeatures {
    private double[] mean;
    private double[] m2;
    private double[] min;
    private double[] max;
    private int count;

    /** A frame's features: the FER embedding followed by the probabilities. */
    public static float[] frameFeatures(float[] embedding, float[] probabilities) {
        float[] x = new float[embedding.length + probabilities.length];
        System.arraycopy(embedding, 0, x, 0, embedding.length);
        System.arraycopy(probabilities, 0, x, embedding.length, probabilities.length);
        return x;
    }

    public void add(float[] x) {
        if (mean == null) {
            mean = new double[x.length];
            m2 = new double[x.length];
            min = new double[x.length];
            max = new double[x.length];
            java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        } else if (x.length != mean.length) {
            throw new IllegalArgumentException(
                    "frame features of length " + x.length + " after " + mean.length);
        }
        count++;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[i];
            mean[i] += d / count;
            m2[i] += d * (x[i] - mean[i]);
            min[i] = Math.min(min[i], x[i]);
            max[i] = Math.max(max[i], x[i]);
        }
    }

    public int frames() {
        return count;
    }

    /** [mean, std (population), min, max]; null when no frame was added. */
    public double[] descriptor() {
        if (count == 0) {
            return null;
        }
        int d = mean.length;
        double[] out = new double[4 * d];
        for (int i = 0; i < d; i++) {
            out[i] = mean[i];
            out[d + i] = Math.sqrt(Math.max(0, m2[i] / count));
            out[2 * d + i] = min[i];
            out[3 * d + i] = max[i];
        }
        return out;
    }
}
