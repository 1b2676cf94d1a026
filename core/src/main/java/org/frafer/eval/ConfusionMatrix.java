package org.frafer.eval;

import java.util.List;

/**
 * Counts of (true class, predicted class) pairs and the metrics derived from them.
 *
 * <p>Conventions (same as scikit-learn with {@code zero_division=0}): precision of a class never
 * predicted and recall of a class with no samples are undefined ({@link Double#NaN} here, {@code
 * null} in JSON) and count as 0 inside F1; balanced accuracy is the mean recall over classes that
 * have samples; macro-F1 is the mean F1 over classes that have samples (scikit-learn's {@code
 * f1_score(average="macro", labels=<classes present in y_true>)}): a class absent from the data is
 * not averaged in, even when the model predicts it (its wrong predictions already lower the recall
 * of the true classes).
 */
public final class ConfusionMatrix {
    private final List<String> classes;
    private final long[][] counts;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public static ConfusionMatrix of(List<String> classes, long[][] counts) {
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        if (counts.length != classes.size()) {
            throw new IllegalArgumentException(
                    "confusion matrix has "
                            + counts.length
                            + " rows for "
                            + classes.size()
                            + " classes");
        }
        for (int t = 0; t < counts.length; t++) {
            if (counts[t].length != classes.size()) {
                throw new IllegalArgumentException(
                        "confusion matrix row "
                                + t
                                + " has "
                                + counts[t].length
                                + " columns for "
                                + classes.size()
                                + " classes");
            }
            System.arraycopy(counts[t], 0, cm.counts[t], 0, counts[t].length);
        }
        return cm;
    }

    public void add(int trueClass, int predictedClass) {
        counts[trueClass][predictedClass]++;
    }

    public List<String> classes() {
        return classes;
    }

    public int numClasses() {
        return classes.size();
    }

    /** A copy of the counts, rows = true class, columns = predicted class. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    public long correct() {
        long n = 0;
        for (int k = 0; k < counts.length; k++) {
            n += counts[k][k];
        }
        return n;
    }

    /** Samples whose true class is k. */
    public long support(int k) {
        long n = 0;
        for (long c : counts[k]) {
            n += c;
        }
        return n;
    }

    /** Samples predicted as k. */
    public long predicted(int k) {
        long n = 0;
        for (long[] row : counts) {
            n += row[k];
        }
        return n;
    }

    /** Fraction correct; NaN when empty. */
    public double accuracy() {
        long n = total();
        return n == 0 ? Double.NaN : (double) correct() / n;
    }

    /** TP / predicted; NaN when the class was never predicted. */
    public double precision(int k) {
        long p = predicted(k);
        return p == 0 ? Double.NaN : (double) counts[k][k] / p;
    }

    /** TP / support; NaN when the class has no samples. */
    public double recall(int k) {
        long s = support(k);
        return s == 0 ? Double.NaN : (double) counts[k][k] / s;
    }

    /** Harmonic mean of precision and recall, undefined parts counted as 0 (so F1 = 0 then). */
    public double f1(int k) {
        double p = zeroIfNaN(precision(k));
        double r = zeroIfNaN(recall(k));
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Mean recall over the classes that have samples; NaN when empty. */
    public double balancedAccuracy() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < counts.length; k++) {
            if (support(k) > 0) {
                sum += recall(k);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Mean F1 over the classes that have samples; NaN when empty. */
    public double macroF1() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < counts.length; k++) {
            if (support(k) > 0) {
                sum += f1(k);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** CSV with a header row of predicted classes and one row per true class. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (String c : classes) {
            sb.append(',').append(c);
        }
        sb.append('\n');
        for (int t = 0; t < counts.length; t++) {
            sb.append(classes.get(t));
            for (long c : counts[t]) {
                sb.append(',').append(c);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
