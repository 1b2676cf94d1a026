package org.frafer.data;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoded, augmented batches of a {@link FaceDataset} for training and evaluation.
 *
 * <ul>
 *   <li>Each sample: {@link Images#read}, crop by {@link FaceSample#box()} (whole image when null),
 *       resize to {@code imageSize} ignoring the aspect ratio (PIL-style antialiased bilinear, see
 *       {@link FacePreprocess}), RGB float [0, 1] NCHW.
 *   <li>Epoch {@code e}: sample order is a shuffle seeded by (seed, e); batch {@code b} holds
 *       positions {@code [b*batchSize, (b+1)*batchSize)} of that order; the horizontal flip of a
 *       sample is a hash of (seed, e, sample index). Nothing depends on thread timing, so {@code
 *       epoch(e, k)} yields exactly the batches k, k+1, ... of an uninterrupted epoch e.
 *   <li>Decoding runs on {@code threads} background threads (a batch per task, at most {@code
 *       prefetch} batches ahead); {@code threads = 0} decodes in the caller's thread.
 *   <li>An image that cannot be read (corrupt, missing, box outside the image) is logged once with
 *       its path and reason, listed by {@link #skippedFiles()}, and left out: its batch is just
 *       smaller (batch boundaries never move, which keeps resumed epochs identical). A batch whose
 *       every image failed is not yielded.
 *   <li>Optional cache: decoded crops (one byte per pixel for grey images) are kept in memory up to
 *       a byte budget, so small datasets (FER+: 48x48 grey, ~80 MB for 35k faces) are decoded once.
 * </ul>
 *
 * <p>Close the loader to stop its threads (they are daemon threads, so an unclosed loader does not
 * block exit).
 *
 * <p>Size: Just over 400 lines: one background loader (threads, prefetch queue, augmentation); kept
 * whole because its parts share the queue state.
 */
public final class BatchLoader implements BatchSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLoader.class);

    private final FaceDataset dataset;
    private final List<FaceSample> samples;
    private final int batchSize;
    private final int imageSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean flip;
    private final Augmentation augmentation;
    private final int prefetch;
    private final long maxPixels;
    private final long cacheBudget;
    private final boolean soft;
    private final int numClasses;
    private final ExecutorService pool;
    private final AtomicReferenceArray<FacePreprocess.Pixels> cache;
    private final AtomicLong cacheBytes = new AtomicLong();
    private final ConcurrentHashMap<Integer, String> failed = new ConcurrentHashMap<>();

    private BatchLoader(Builder b) {
        this.dataset = b.dataset;
        this.samples = List.copyOf(b.dataset.samples());
        this.batchSize = b.batchSize;
        this.imageSize = b.imageSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.flip = b.flip;
        this.augmentation = b.augmentation;
        this.prefetch = Math.max(1, b.prefetch);
        this.maxPixels = b.maxPixels;
        this.cacheBudget = b.cacheBytes;
        this.numClasses = b.dataset.classes().size();
        this.soft = samples.stream().anyMatch(s -> s.softLabel() != null);
        this.cache = cacheBudget > 0 ? new AtomicReferenceArray<>(samples.size()) : null;
        if (b.threads > 0) {
            AtomicInteger n = new AtomicInteger();
            this.pool =
                    Executors.newFixedThreadPool(
                            b.threads,
                            r -> {
                                Thread t = new Thread(r, "frafer-decode-" + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
        } else {
            this.pool = null;
        }
    }

    public static Builder builder(FaceDataset dataset) {
        return new Builder(dataset);
    }

    /**
     * Options; defaults are evaluation-safe: no shuffle, no flip. {@link #training()} turns both
     * on.
     */
    public static final class Builder {
        private final FaceDataset dataset;
        private int batchSize = 32;
        private int imageSize = 224;
        private long seed = 0;
        private boolean shuffle = false;
        private boolean flip = false;
        private Augmentation augmentation = Augmentation.NONE;
        private int threads = 2;
        private int prefetch = 4;
        private long maxPixels = Images.DEFAULT_MAX_PIXELS;
        private long cacheBytes = 0;

        private Builder(FaceDataset dataset) {
            if (dataset == null) {
                throw new IllegalArgumentException("dataset is null");
            }
            this.dataset = dataset;
        }

        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, not " + n);
            }
            this.batchSize = n;
            return this;
        }

        /** Network input size in pixels (square); 224 for EfficientNet-B0 as in HSEmotion. */
        public Builder imageSize(int px) {
            if (px < 1) {
                throw new IllegalArgumentException("image size must be >= 1, not " + px);
            }
            this.imageSize = px;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** Random horizontal flip (p = 0.5 per sample and epoch). */
        public Builder flip(boolean on) {
            this.flip = on;
            return this;
        }

        /**
         * Augmentation of each decoded, resized face (default none); drawn per (seed, epoch, sample
         * index).
         */
        public Builder augmentation(Augmentation a) {
            this.augmentation = a == null ? Augmentation.NONE : a;
            return this;
        }

        /** Shuffle and flip on: the training set-up. */
        public Builder training() {
            return shuffle(true).flip(true);
        }

        /** Decoding threads (default 2; 0 = decode in the consumer's thread). */
        public Builder threads(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("threads must be >= 0, not " + n);
            }
            this.threads = n;
            return this;
        }

        /** Batches decoded ahead of the consumer (default 4). */
        public Builder prefetch(int batches) {
            this.prefetch = batches;
            return this;
        }

        public Builder maxPixels(long px) {
            this.maxPixels = px;
            return this;
        }

        /** Keep decoded crops in memory up to this many bytes (0 = no cache, the default). */
        public Builder cacheBytes(long bytes) {
            this.cacheBytes = Math.max(0, bytes);
            return this;
        }

        public BatchLoader build() {
            return new BatchLoader(this);
        }
    }

    public FaceDataset dataset() {
        return dataset;
    }

    public int imageSize() {
        return imageSize;
    }

    public int batchSize() {
        return batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return (samples.size() + batchSize - 1) / batchSize;
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    /** "path: reason" of each sample that could not be used so far, sorted. */
    @Override
    public List<String> skippedFiles() {
        List<String> out = new ArrayList<>(failed.values());
        out.sort(null);
        return out;
    }

    /** Bytes held by the decoded-crop cache. */
    public long cachedBytes() {
        return cacheBytes.get();
    }

    /** Sample indices in the order of the given epoch (identity without shuffle). */
    public int[] order(int epoch) {
        int n = samples.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(mix(seed ^ mix(0x5348554646L + epoch)));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * Whether sample {@code index} is mirrored in {@code epoch}: a hash of (seed, epoch, index), p
     * = 0.5.
     */
    public boolean flipped(int epoch, int index) {
        return flip
                && (mix(mix(seed ^ 0x464c4950L) + mix(epoch + 0x9E3779B97F4A7C15L * (index + 1L)))
                                & 1L)
                        != 0;
    }

    /**
     * The random source of sample {@code index}'s augmentation in {@code epoch}: a hash of (seed,
     * epoch, index).
     */
    SplittableRandom augmentationRandom(int epoch, int index) {
        return new SplittableRandom(
                mix(mix(seed ^ 0x4155474d454e54L) + mix(epoch * 0x632BE59BD9B4E019L + index + 1L)));
    }

    @Override
    public Iterable<FaceBatch> epoch(int epoch, int skipBatches) {
        if (skipBatches < 0) {
            throw new IllegalArgumentException("skipBatches must be >= 0, not " + skipBatches);
        }
        return () -> new EpochIterator(epoch, skipBatches);
    }

    /**
     * Decodes batch {@code b} of {@code epoch} right now in this thread (what the background tasks
     * run).
     */
    public FaceBatch batch(int epoch, int b) {
        return decodeBatch(epoch, order(epoch), b);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private final class EpochIterator implements Iterator<FaceBatch> {
        private final int epoch;
        private final int[] order;
        private final ArrayDeque<Future<FaceBatch>> inFlight = new ArrayDeque<>();
        private int nextToSubmit;
        private FaceBatch ready;

        EpochIterator(int epoch, int skipBatches) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.nextToSubmit = skipBatches;
            fill();
        }

        private void fill() {
            while (inFlight.size() < prefetch && nextToSubmit < batchesPerEpoch()) {
                int b = nextToSubmit++;
                Callable<FaceBatch> task = () -> decodeBatch(epoch, order, b);
                if (pool == null) {
                    FutureTask<FaceBatch> f = new FutureTask<>(task);
                    inFlight.add(f); // run lazily in next()
                } else {
                    inFlight.add(pool.submit(task));
                }
            }
        }

        @Override
        public boolean hasNext() {
            while (ready == null && !inFlight.isEmpty()) {
                Future<FaceBatch> f = inFlight.poll();
                if (f instanceof FutureTask<FaceBatch> ft && pool == null) {
                    ft.run();
                }
                FaceBatch b;
                try {
                    b = f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelAll();
                    throw new IllegalStateException(
                            "interrupted while waiting for a decoded batch", e);
                } catch (ExecutionException e) {
                    cancelAll();
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException("batch decoding failed: " + c, c);
                }
                fill();
                if (b.count() > 0) {
                    ready = b;
                }
            }
            return ready != null;
        }

        @Override
        public FaceBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            FaceBatch b = ready;
            ready = null;
            return b;
        }

        private void cancelAll() {
            for (Future<FaceBatch> f : inFlight) {
                f.cancel(true);
            }
            inFlight.clear();
        }
    }

    private FaceBatch decodeBatch(int epoch, int[] order, int b) {
        int from = b * batchSize;
        int to = Math.min(order.length, from + batchSize);
        int plane = 3 * imageSize * imageSize;
        float[] pixels = new float[(to - from) * plane];
        int[] labels = new int[to - from];
        float[] softLabels = soft ? new float[(to - from) * numClasses] : null;
        List<FaceSample> used = new ArrayList<>(to - from);
        int k = 0;
        for (int p = from; p < to; p++) {
            int index = order[p];
            FacePreprocess.Pixels crop = crop(index);
            if (crop == null) {
                continue;
            }
            FaceSample s = samples.get(index);
            FacePreprocess.resizeInto(crop, imageSize, flipped(epoch, index), pixels, k * plane);
            if (!augmentation.isNone()) {
                augmentation.apply(pixels, k * plane, imageSize, augmentationRandom(epoch, index));
            }
            labels[k] = s.label();
            if (soft) {
                if (s.softLabel() != null) {
                    System.arraycopy(s.softLabel(), 0, softLabels, k * numClasses, numClasses);
                } else if (s.label() >= 0) {
                    softLabels[k * numClasses + s.label()] = 1f;
                }
            }
            used.add(s);
            k++;
        }
        if (k < to - from) {
            pixels = Arrays.copyOf(pixels, k * plane);
            labels = Arrays.copyOf(labels, k);
            if (softLabels != null) {
                softLabels = Arrays.copyOf(softLabels, k * numClasses);
            }
        }
        return new FaceBatch(pixels, imageSize, labels, softLabels, numClasses, List.copyOf(used));
    }

    /** The decoded crop of sample {@code index}, or null when it cannot be used (reported once). */
    private FacePreprocess.Pixels crop(int index) {
        if (failed.containsKey(index)) {
            return null;
        }
        if (cache != null) {
            FacePreprocess.Pixels hit = cache.get(index);
            if (hit != null) {
                return hit;
            }
        }
        FaceSample s = samples.get(index);
        FacePreprocess.Pixels crop;
        try {
            BufferedImage img = Images.read(s.image(), maxPixels);
            crop = FacePreprocess.crop(img, s.box());
        } catch (ImageReadException | IllegalArgumentException e) {
            String msg =
                    e instanceof ImageReadException
                            ? e.getMessage()
                            : s.image() + ": " + e.getMessage();
            if (failed.putIfAbsent(index, msg) == null) {
                LOG.warn("Skipping unreadable image (reported once): {}", msg);
            }
            return null;
        }
        if (cache != null && cacheBytes.get() + crop.bytes() <= cacheBudget) {
            if (cache.compareAndSet(index, null, crop)) {
                cacheBytes.addAndGet(crop.bytes());
            }
        }
        return crop;
    }

    /** SplitMix64 finaliser: a well-mixed 64-bit hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
