package org.frafer.train;

import ai.djl.ndarray.NDArray;

/** Cross-entropy on soft targets with optional class weights and label smoothing. */
public final class Losses {
    private Losses() {}

    /**
     * {@code sum_i sum_k w_k t'_ik (-log softmax(z_i)_k) / sum_i sum_k w_k t_ik} with {@code t' =
     * (1 - eps) t + eps / K}. For one-hot targets this is exactly torch's {@code F.cross_entropy(z,
     * y, weight=w, label_smoothing=eps)} (mean reduction); without weights the denominator is the
     * batch size.
     *
     * @param logits (N, K)
     * @param targets (N, K) rows summing to 1 (soft labels or one-hot)
     * @param classWeights (K,) or null
     */
    public static NDArray crossEntropy(
            NDArray logits, NDArray targets, NDArray classWeights, double labelSmoothing) {
        long k = logits.getShape().get(1);
        NDArray logp = logits.logSoftmax(1);
        NDArray smoothed =
                labelSmoothing > 0
                        ? targets.mul(1 - labelSmoothing).add(labelSmoothing / k)
                        : targets;
        NDArray weighted =
                classWeights == null ? smoothed : smoothed.mul(classWeights.reshape(1, k));
        NDArray numerator = weighted.mul(logp).sum().neg();
        NDArray denominator =
                classWeights == null
                        ? logits.getManager().create((float) logits.getShape().get(0))
                        : targets.mul(classWeights.reshape(1, k)).sum();
        return numerator.div(denominator);
    }

    /**
     * HSEmotion-style class weights {@code N / (K' * n_k)} (K' = classes with samples), 0 for
     * classes without samples, so every present class contributes equally in expectation.
     */
    public static float[] balancedClassWeights(double[] classCounts) {
        return balancedClassWeights(classCounts, 1.0);
    }

    /**
     * {@link #balancedClassWeights(double[])} raised to {@code power} (0.5 = square root of the
     * inverse frequency).
     */
    public static float[] balancedClassWeights(double[] classCounts, double power) {
        double total = 0;
        int present = 0;
        for (double c : classCounts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative class count " + c);
            }
            total += c;
            if (c > 0) {
                present++;
            }
        }
        float[] w = new float[classCounts.length];
        if (present == 0) {
            throw new IllegalArgumentException(
                    "class weights need at least one class with samples");
        }
        for (int i = 0; i < w.length; i++) {
            w[i] =
                    classCounts[i] > 0
                            ? (float) Math.pow(total / (present * classCounts[i]), power)
                            : 0f;
        }
        return w;
    }

    /**
     * Logit-adjustment offsets {@code tau * log(n_k / N)} (Menon et al., "Long-tail learning via
     * logit adjustment", 2021); a class without samples gets the offset of a class with half a
     * sample, so it stays finite.
     */
    public static float[] logitAdjustment(double[] classCounts, double tau) {
        double total = 0;
        for (double c : classCounts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative class count " + c);
            }
            total += c;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(
                    "logit adjustment needs at least one class with samples");
        }
        float[] out = new float[classCounts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (tau * Math.log(Math.max(classCounts[i], 0.5) / total));
        }
        return out;
    }
}
