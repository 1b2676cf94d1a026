package org.frafer.persons;

import java.util.Arrays;
import org.frafer.faces.FaceDescriptors;

/**
 * Face verification over every pair of a labelled set of descriptors: genuine pairs (same person)
 * and impostor pairs (different people), their cosine similarities, and the false-accept /
 * false-reject rates at a threshold (a pair is accepted when its similarity is at least the
 * threshold).
 */
public final class VerificationRates {
    private final double[] genuine;
    private final double[] impostor;

    public VerificationRates(float[][] descriptors, int[] person) {
        if (descriptors.length != person.length) {
            throw new IllegalArgumentException(
                    descriptors.length + " descriptors but " + person.length + " labels");
        }
        int n = descriptors.length;
        double[] g = new double[n * (n - 1) / 2];
        double[] im = new double[n * (n - 1) / 2];
        int ng = 0;
        int ni = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = FaceDescriptors.cosine(descriptors[i], descriptors[j]);
                if (person[i] == person[j]) {
                    g[ng++] = s;
                } else {
                    im[ni++] = s;
                }
            }
        }
        genuine = Arrays.copyOf(g, ng);
        impostor = Arrays.copyOf(im, ni);
        Arrays.sort(genuine);
        Arrays.sort(impostor);
    }

    public int genuinePairs() {
        return genuine.length;
    }

    public int impostorPairs() {
        return impostor.length;
    }

    /** Fraction of impostor pairs accepted at the threshold. */
    public double falseAccept(double threshold) {
        return impostor.length == 0
                ? 0
                : (impostor.length - lowerBound(impostor, threshold)) / (double) impostor.length;
    }

    /** Fraction of genuine pairs rejected at the threshold. */
    public double falseReject(double threshold) {
        return genuine.length == 0 ? 0 : lowerBound(genuine, threshold) / (double) genuine.length;
    }

    /**
     * The lowest threshold (an impostor similarity plus a hair, or the smallest genuine) with FAR
     * at most {@code maxFar}.
     */
    public double thresholdForFar(double maxFar) {
        if (impostor.length == 0) {
            return genuine.length == 0 ? 0 : genuine[0];
        }
        int allowed =
                (int) Math.floor(maxFar * impostor.length); // impostor pairs that may be accepted
        int k = impostor.length - allowed; // index of the first accepted impostor, after sorting
        return k <= 0 ? impostor[0] : Math.nextUp(impostor[k - 1]);
    }

    /** First index with a[i] >= v. */
    private static int lowerBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
