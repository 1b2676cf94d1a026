package org.frafer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.frafer.data.BatchSource;
import org.frafer.data.FaceBatch;
import org.frafer.data.FaceSample;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.Probabilities;
import org.frafer.model.TestTimeAugmentation;

/**
 * The outcome of running a network over a labelled batch source: the counts every metric comes
 * from, and the logits of every scored sample (per test-time view) for calibration (ECE,
 * temperature fitting).
 */
public final class Evaluation {
    public final ConfusionMatrix confusion;

    /** Samples left out, by their dataset class name (e.g. Contempt with --seven). */
    public final Map<String, Long> excluded = new TreeMap<>();

    /** subject -> {samples, correct} for samples with a known subject. */
    public final Map<String, long[]> perSubject = new TreeMap<>();

    public long samplesSeen;
    public double seconds;

    /** Test-time augmentation the logits were taken with, and the temperature probabilities use. */
    public TestTimeAugmentation tta = TestTimeAugmentation.NONE;

    public double temperature = 1;

    private final List<float[]> logitRows =
            new ArrayList<>(); // per scored sample: views x k logits
    private final List<Integer> scoredLabels = new ArrayList<>();
    private int outputs = -1;
    private int views = -1;
    private ClassMap classMap;

    public Evaluation(List<String> classes) {
        this.confusion = new ConfusionMatrix(classes);
    }

    /**
     * Runs without test-time augmentation at the model's temperature (predictions do not depend on
     * it).
     */
    public static Evaluation run(
            EmotionNetwork network, BatchSource source, ClassMap map, IntConsumer onBatch) {
        return run(
                network,
                source,
                map,
                TestTimeAugmentation.NONE,
                network.config().temperature,
                onBatch);
    }

    /**
     * Runs the network in inference mode over every batch of epoch 0 of the source (one NDManager
     * per batch), once per test-time view; a sample's prediction is the arg-max of its views' mean
     * probabilities at {@code temperature}. {@code onBatch} receives the batch size (progress), may
     * be null.
     */
    public static Evaluation run(
            EmotionNetwork network,
            BatchSource source,
            ClassMap map,
            TestTimeAugmentation tta,
            double temperature,
            IntConsumer onBatch) {
        Evaluation ev = new Evaluation(map.evalClasses());
        ev.tta = tta;
        ev.temperature = temperature;
        long start = System.nanoTime();
        try (NDManager base = NDManager.newBaseManager()) {
            for (FaceBatch batch : source.epoch(0, 0)) {
                List<float[]> viewLogits = new ArrayList<>();
                int k = 0;
                try (NDManager m = base.newSubManager()) {
                    for (NDArray x : tta.views(batch.images(m))) {
                        NDArray out =
                                network.block()
                                        .forward(new ParameterStore(m, false), new NDList(x), false)
                                        .head();
                        k = (int) out.getShape().get(1);
                        viewLogits.add(out.toFloatArray());
                    }
                }
                ev.addBatch(batch, viewLogits.toArray(new float[0][]), k, map);
                if (onBatch != null) {
                    onBatch.accept(batch.count());
                }
            }
        }
        ev.seconds = (System.nanoTime() - start) / 1e9;
        return ev;
    }

    /** Adds one batch of logits (row-major, {@code k} outputs per sample), one view. */
    public void addBatch(FaceBatch batch, float[] logits, int k, ClassMap map) {
        addBatch(batch, new float[][] {logits}, k, map);
    }

    /**
     * Adds one batch: the logits of each test-time view (row-major, {@code k} outputs per sample).
     */
    public void addBatch(FaceBatch batch, float[][] viewLogits, int k, ClassMap map) {
        if (outputs >= 0 && (outputs != k || views != viewLogits.length)) {
            throw new IllegalArgumentException(
                    "batch with "
                            + viewLogits.length
                            + " views of "
                            + k
                            + " outputs after "
                            + views
                            + " views of "
                            + outputs);
        }
        outputs = k;
        views = viewLogits.length;
        classMap = map;
        float[] probs = Probabilities.meanOfViews(viewLogits, k, temperature);
        for (int i = 0; i < batch.count(); i++) {
            samplesSeen++;
            int label = map.evalLabel(batch.labels()[i]);
            if (label < 0) {
                excluded.merge(map.datasetClassName(batch.labels()[i]), 1L, Long::sum);
                continue;
            }
            int predicted = map.predict(probs, i * k);
            confusion.add(label, predicted);
            float[] row = new float[views * k];
            for (int v = 0; v < views; v++) {
                System.arraycopy(viewLogits[v], i * k, row, v * k, k);
            }
            logitRows.add(row);
            scoredLabels.add(label);
            List<FaceSample> samples = batch.samples();
            String subject =
                    samples == null || samples.size() <= i || samples.get(i) == null
                            ? null
                            : samples.get(i).subject();
            if (subject != null) {
                long[] s = perSubject.computeIfAbsent(subject, x -> new long[2]);
                s[0]++;
                if (label == predicted) {
                    s[1]++;
                }
            }
        }
    }

    /** The logits of the scored samples per view: [view][sample * k + output]. */
    public float[][] viewLogits() {
        float[][] out = new float[Math.max(views, 0)][logitRows.size() * Math.max(outputs, 0)];
        for (int i = 0; i < logitRows.size(); i++) {
            float[] row = logitRows.get(i);
            for (int v = 0; v < views; v++) {
                System.arraycopy(row, v * outputs, out[v], i * outputs, outputs);
            }
        }
        return out;
    }

    /** Evaluated-class labels of the scored samples, in order. */
    public int[] labels() {
        return scoredLabels.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Model outputs per sample (-1 before the first batch). */
    public int outputs() {
        return outputs;
    }

    /**
     * Reliability bins at {@code temperature} over the evaluated classes; empty when nothing was
     * scored.
     */
    public List<Calibration.Bin> reliability(double temperature) {
        if (scoredLabels.isEmpty()) {
            return List.of();
        }
        int[] kept = classMap.outputIndices();
        return Calibration.reliability(
                Calibration.evalProbabilities(viewLogits(), outputs, kept, temperature),
                kept.length,
                labels(),
                Calibration.BINS);
    }

    /** Mean NLL of the true labels at {@code temperature}, NaN when nothing was scored. */
    public double nll(double temperature) {
        return scoredLabels.isEmpty()
                ? Double.NaN
                : Calibration.nll(
                        viewLogits(), outputs, classMap.outputIndices(), labels(), temperature);
    }

    /** The temperature that minimises {@link #nll} on these samples. */
    public double fitTemperature() {
        if (scoredLabels.isEmpty()) {
            throw new IllegalStateException("no scored samples to fit a temperature on");
        }
        return Calibration.fitTemperature(
                viewLogits(), outputs, classMap.outputIndices(), labels());
    }
}
