package org.frafer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.frafer.data.BatchSource;
import org.frafer.data.FaceBatch;
import org.frafer.data.FaceSample;
import org.frafer.model.EmotionNetwork;

/** The outcome of running a network over a labelled batch source: the counts every metric comes from. */
public final class Evaluation {
    public final ConfusionMatrix confusion;
    /** Samples left out, by their dataset class name (e.g. Contempt with --seven). */
    public final Map<String, Long> excluded = new TreeMap<>();
    /** subject -> {samples, correct} for samples with a known subject. */
    public final Map<String, long[]> perSubject = new TreeMap<>();
    public long samplesSeen;
    public double seconds;

    public Evaluation(List<String> classes) {
        this.confusion = new ConfusionMatrix(classes);
    }

    /**
     * Runs the network in inference mode over every batch of epoch 0 of the source (one NDManager
     * per batch). {@code onBatch} receives the batch size (progress), may be null.
     */
    public static Evaluation run(EmotionNetwork network, BatchSource source, ClassMap map, IntConsumer onBatch) {
        Evaluation ev = new Evaluation(map.evalClasses());
        long start = System.nanoTime();
        try (NDManager base = NDManager.newBaseManager()) {
            for (FaceBatch batch : source.epoch(0, 0)) {
                float[] logits;
                int k;
                try (NDManager m = base.newSubManager()) {
                    NDArray out = network.block().forward(new ParameterStore(m, false), new NDList(batch.images(m)), false).head();
                    k = (int) out.getShape().get(1);
                    logits = out.toFloatArray();
                }
                ev.addBatch(batch, logits, k, map);
                if (onBatch != null) {
                    onBatch.accept(batch.count());
                }
            }
        }
        ev.seconds = (System.nanoTime() - start) / 1e9;
        return ev;
    }

    /** Adds one batch of logits (row-major, {@code k} outputs per sample). */
    public void addBatch(FaceBatch batch, float[] logits, int k, ClassMap map) {
        for (int i = 0; i < batch.count(); i++) {
            samplesSeen++;
            int label = map.evalLabel(batch.labels()[i]);
            if (label < 0) {
                excluded.merge(map.datasetClassName(batch.labels()[i]), 1L, Long::sum);
                continue;
            }
            int predicted = map.predict(logits, i * k);
            confusion.add(label, predicted);
            List<FaceSample> samples = batch.samples();
            String subject = samples == null || samples.size() <= i || samples.get(i) == null ? null : samples.get(i).subject();
            if (subject != null) {
                long[] s = perSubject.computeIfAbsent(subject, x -> new long[2]);
                s[0]++;
                if (label == predicted) {
                    s[1]++;
                }
            }
        }
    }
}
