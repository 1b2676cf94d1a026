package org.frafer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How model outputs and dataset labels meet, matched by class name (case-insensitive). With {@code
 * sevenFromEight} the model's Contempt output is dropped (argmax over the other outputs) and
 * samples labelled Contempt are excluded: AffectNet-7 from an 8-class model. Dataset classes the
 * evaluated classes do not contain are excluded (and counted in the report).
 */
public final class ClassMap {
    public static final String CONTEMPT = "Contempt";

    private final List<String> evalClasses;
    private final int[] outputIndex;
    private final int[] datasetToEval;
    private final List<String> datasetClasses;

    private ClassMap(
            List<String> evalClasses,
            int[] outputIndex,
            int[] datasetToEval,
            List<String> datasetClasses) {
        this.evalClasses = evalClasses;
        this.outputIndex = outputIndex;
        this.datasetToEval = datasetToEval;
        this.datasetClasses = datasetClasses;
    }

    public static ClassMap of(
            List<String> modelClasses, List<String> datasetClasses, boolean sevenFromEight) {
        List<String> eval = new ArrayList<>();
        List<Integer> outputs = new ArrayList<>();
        for (int i = 0; i < modelClasses.size(); i++) {
            if (sevenFromEight && CONTEMPT.equalsIgnoreCase(modelClasses.get(i))) {
                continue;
            }
            eval.add(modelClasses.get(i));
            outputs.add(i);
        }
        if (sevenFromEight && eval.size() == modelClasses.size()) {
            throw new IllegalArgumentException(
                    "--seven drops the Contempt output, but the model's classes "
                            + modelClasses
                            + " have none");
        }
        int[] d2e = new int[datasetClasses.size()];
        boolean any = false;
        for (int d = 0; d < datasetClasses.size(); d++) {
            d2e[d] = indexOfIgnoreCase(eval, datasetClasses.get(d));
            any |= d2e[d] >= 0;
        }
        if (!any) {
            throw new IllegalArgumentException(
                    "no dataset class " + datasetClasses + " matches a model class " + eval);
        }
        return new ClassMap(
                List.copyOf(eval),
                outputs.stream().mapToInt(Integer::intValue).toArray(),
                d2e,
                List.copyOf(datasetClasses));
    }

    private static int indexOfIgnoreCase(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    /** The classes metrics are computed over, in model output order. */
    public List<String> evalClasses() {
        return evalClasses;
    }

    /** Evaluated class index of a dataset label, or -1 when the sample is excluded. */
    public int evalLabel(int datasetLabel) {
        return datasetLabel < 0 || datasetLabel >= datasetToEval.length
                ? -1
                : datasetToEval[datasetLabel];
    }

    /** Name of a dataset label (for the excluded-samples count). */
    public String datasetClassName(int datasetLabel) {
        return datasetLabel < 0 || datasetLabel >= datasetClasses.size()
                ? "(unlabelled)"
                : datasetClasses.get(datasetLabel);
    }

    /** The model output of each evaluated class, in evaluated-class order. */
    public int[] outputIndices() {
        return outputIndex.clone();
    }

    /**
     * Argmax over the evaluated outputs of one logits (or probabilities) row; returns an evaluated
     * class index.
     */
    public int predict(float[] logits, int offset) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < outputIndex.length; k++) {
            float v = logits[offset + outputIndex[k]];
            if (v > bestValue) {
                bestValue = v;
                best = k;
            }
        }
        return best;
    }
}
