package org.frafer.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.frafer.data.BatchSource;
import org.frafer.data.FaceBatch;
import org.frafer.data.FaceSample;

/**
 * In-memory batches of synthetic "faces": class k brightens colour channel k % 3 and, for k >= 3,
 * darkens channel (k + 1) % 3, on top of seeded noise, so a tiny net can learn the classes. Order
 * is shuffled per (seed, epoch) like the real loader's. {@code failAfterBatches} simulates a kill.
 */
public final class SyntheticBatches implements BatchSource {
    private final int samples;
    private final int batchSize;
    private final int size;
    private final int numClasses;
    private final long seed;
    private final boolean shuffle;
    private final String subjectPrefix;
    public int failAfterBatches = -1;
    private int yielded;

    public SyntheticBatches(
            int samples, int batchSize, int size, int numClasses, long seed, boolean shuffle) {
        this(samples, batchSize, size, numClasses, seed, shuffle, null);
    }

    public SyntheticBatches(
            int samples,
            int batchSize,
            int size,
            int numClasses,
            long seed,
            boolean shuffle,
            String subjectPrefix) {
        this.samples = samples;
        this.batchSize = batchSize;
        this.size = size;
        this.numClasses = numClasses;
        this.seed = seed;
        this.shuffle = shuffle;
        this.subjectPrefix = subjectPrefix;
    }

    public int label(int index) {
        return index % numClasses;
    }

    public double[] classCounts() {
        double[] c = new double[numClasses];
        for (int i = 0; i < samples; i++) {
            c[label(i)]++;
        }
        return c;
    }

    private float[] pixels(int index) {
        Random r = new Random(seed * 7919 + index);
        int k = label(index);
        float[] px = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            float offset = c == k % 3 ? 0.35f : 0f;
            if (k >= 3 && c == (k + 1) % 3) {
                offset -= 0.3f;
            }
            for (int i = 0; i < size * size; i++) {
                px[c * size * size + i] = 0.5f + offset + (float) (r.nextGaussian() * 0.15);
            }
        }
        return px;
    }

    @Override
    public Iterable<FaceBatch> epoch(int epoch, int skipBatches) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            order.add(i);
        }
        if (shuffle) {
            Collections.shuffle(order, new Random(seed * 31 + epoch));
        }
        return () ->
                new Iterator<>() {
                    int b = skipBatches;

                    @Override
                    public boolean hasNext() {
                        return b < batchesPerEpoch();
                    }

                    @Override
                    public FaceBatch next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        if (failAfterBatches >= 0 && yielded >= failAfterBatches) {
                            throw new IllegalStateException(
                                    "simulated kill after " + yielded + " batches");
                        }
                        yielded++;
                        int from = b * batchSize;
                        int to = Math.min(samples, from + batchSize);
                        int n = to - from;
                        float[] px = new float[n * 3 * size * size];
                        int[] labels = new int[n];
                        List<FaceSample> meta = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            int idx = order.get(from + i);
                            System.arraycopy(
                                    pixels(idx), 0, px, i * 3 * size * size, 3 * size * size);
                            labels[i] = label(idx);
                            meta.add(
                                    new FaceSample(
                                            null,
                                            null,
                                            labels[i],
                                            null,
                                            subjectPrefix == null
                                                    ? null
                                                    : subjectPrefix + (idx % 2)));
                        }
                        b++;
                        return new FaceBatch(px, size, labels, null, numClasses, meta);
                    }
                };
    }

    @Override
    public int batchesPerEpoch() {
        return (samples + batchSize - 1) / batchSize;
    }

    @Override
    public int size() {
        return samples;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }
}
