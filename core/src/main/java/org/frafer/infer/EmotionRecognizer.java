package org.frafer.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceDetector;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import org.frafer.model.Probabilities;
import org.frafer.model.TestTimeAugmentation;

/**
 * Facial emotion recognition in a few lines: finds the faces in a photo, crops them and classifies
 * each with an FRA-FER model.
 *
 * <pre>{@code
 * try (EmotionRecognizer r = EmotionRecognizer.load(Path.of("models/my-model"))) {
 *     for (FaceEmotion f : r.predict(Path.of("photo.jpg"))) {
 *         System.out.println(f.label() + " " + f.score() + " at " + f.face());
 *     }
 * }
 * }</pre>
 *
 * <p>Faces are cut out with a margin (optionally rotated so the eyes are level), resized to the
 * model's square input ignoring the aspect ratio exactly as training prepares faces (see {@link
 * FaceCropper}), and fed as RGB in [0, 1], NCHW; the network normalises them itself. Inference
 * records no gradients and frees every native array of a batch when the batch is done (FRA-FER
 * networks also free each layer's intermediates as they go).
 *
 * <p><b>Thread-safety:</b> one instance may be shared by any number of threads. Image decoding and
 * cropping run in the calling thread; face detection and the network run one call at a time each
 * (two locks, so one thread can detect while another classifies). libtorch already spreads one
 * batch over all cores, so for throughput give many images to {@link #predictAll} rather than
 * calling {@link #predict} from many threads. After {@link #close} every method throws {@link
 * IllegalStateException}.
 *
 * <p>Size: Over 400 lines (issue 14 split not done yet): the public API plus its builder, decode
 * queue and output splitting; the builder and the decode/batch pipeline are the pieces to move into
 * package-private classes.
 */
public final class EmotionRecognizer implements AutoCloseable {
    /**
     * Default crop margin per side, as a fraction of the detector's box. BlazeFace's box covers the
     * middle 64 % of a FER+ training crop, so (1 + 2 * 0.28) * 0.64 ~ 1 gives the model the framing
     * it was trained on (docs/experiments/crops.md: 70.6 % at 0.1 vs 77.0 % at 0.3 on FER+ faces).
     */
    public static final float DEFAULT_CROP_MARGIN = 0.28f;

    /** The settings a recognizer runs with. */
    public record Options(
            String detector,
            float minFaceScore,
            float cropMargin,
            boolean align,
            long maxPixels,
            int batchSize,
            TestTimeAugmentation tta,
            boolean facesAreCropped,
            int threads,
            boolean verifyFaces) {}

    /** Receives the results of {@link #predictEach}, in input order. */
    @FunctionalInterface
    public interface ResultListener {
        /**
         * @param result the faces found, or the error
         * @param image the decoded photo (upright), or null when it could not be read; valid during
         *     the call
         */
        void onResult(ImageResult result, BufferedImage image);
    }

    private final EmotionNetwork network;
    private final ModelConfig config;
    private final List<String> classes;
    private final Options options;
    private final FaceCropper cropper;
    private final NDManager manager;
    private final Object detectorLock = new Object();
    private final Object networkLock = new Object();
    private FaceDetector detector;
    private volatile boolean closed;

    private EmotionRecognizer(Builder b, EmotionNetwork network) {
        network.foldForInference(); // e.g. BatchNorm folded into the convs: same outputs, faster
        // (docs/performance.md)
        this.network = network;
        this.config = network.config();
        this.classes = List.copyOf(config.classes);
        this.options =
                new Options(
                        b.detectorVariant,
                        b.minFaceScore,
                        b.cropMargin,
                        b.align,
                        b.maxPixels,
                        b.batchSize,
                        b.tta,
                        b.facesAreCropped,
                        EngineThreads.apply(b.threads, b.concurrentWorkers),
                        b.verifyFaces);
        this.cropper = new FaceCropper(b.cropMargin, b.align, config.inputSize);
        this.detector = b.detector;
        this.manager = NDManager.newBaseManager();
    }

    /**
     * A recognizer for a model folder ({@code config.json} + {@code model.safetensors}) with
     * default options.
     */
    public static EmotionRecognizer load(Path modelDir) {
        return builder().model(modelDir).build();
    }

    /**
     * A recognizer for the default model ({@code -Dfrafer.model}, {@code FRAFER_MODEL} or the
     * repository's {@code models/default/}); a clear error when there is none.
     */
    public static EmotionRecognizer loadDefault() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public ModelConfig config() {
        return config;
    }

    /** Class names in the order of {@link FaceEmotion#probabilities()}. */
    public List<String> classes() {
        return classes;
    }

    public Options options() {
        return options;
    }

    /** Side of the square face the network takes. */
    public int inputSize() {
        return config.inputSize;
    }

    // ---------------------------------------------------------------- faces

    /** Detects the faces (score at least minFaceScore) and crops them for the network. */
    public List<FaceCrop> faces(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (options.facesAreCropped()) {
            // the photo is one face already (e.g. FER+ 48x48 crops): detection would invent boxes
            // on it
            return List.of(cropper.whole(image));
        }
        List<DetectedFace> found;
        synchronized (detectorLock) {
            ensureOpen();
            if (detector == null) {
                detector = Detectors.create(options.detector(), options.minFaceScore());
            }
            found = detector.detect(image);
            if (options.verifyFaces()) {
                List<DetectedFace> confirmed = new ArrayList<>();
                for (DetectedFace f : found) {
                    if (org.frafer.faces.FaceBoxes.confirmed(detector, image, f)) {
                        confirmed.add(f);
                    }
                }
                found = confirmed;
            }
        }
        List<FaceCrop> crops = new ArrayList<>();
        for (DetectedFace f : found) {
            boolean overlaps =
                    f.x() < image.getWidth()
                            && f.y() < image.getHeight()
                            && f.x() + f.width() > 0
                            && f.y() + f.height() > 0;
            if (f.score() >= options.minFaceScore()
                    && f.width() >= 1
                    && f.height() >= 1
                    && overlaps) {
                crops.add(cropper.crop(image, f));
            }
        }
        return crops;
    }

    // ---------------------------------------------------------------- prediction

    /** The emotions of every face in a photo (empty when there is none). */
    public List<FaceEmotion> predict(BufferedImage image) {
        return classify(faces(image));
    }

    /**
     * Decodes a photo (EXIF orientation applied, at most maxPixels pixels) and predicts every face.
     *
     * @throws ImageReadException naming the file when it cannot be read
     */
    public List<FaceEmotion> predict(Path image) {
        ensureOpen();
        return predict(Images.read(image, options.maxPixels()));
    }

    /**
     * Emotions of faces already cropped (each whole image is one face, resized to the input size).
     */
    public List<FaceEmotion> predictFaces(List<BufferedImage> faces) {
        List<FaceCrop> crops = new ArrayList<>(faces.size());
        for (BufferedImage f : faces) {
            crops.add(cropper.whole(f));
        }
        return classify(crops);
    }

    /** Emotions of detected faces (see {@link #faces}), batched. */
    public List<FaceEmotion> classify(List<FaceCrop> crops) {
        List<FaceEmotion> out = new ArrayList<>(crops.size());
        for (int start = 0; start < crops.size(); start += options.batchSize()) {
            List<FaceCrop> batch =
                    crops.subList(start, Math.min(crops.size(), start + options.batchSize()));
            float[][] p = probabilities(batch);
            for (int i = 0; i < batch.size(); i++) {
                out.add(new FaceEmotion(batch.get(i).face(), classes, p[i]));
            }
        }
        return out;
    }

    /**
     * Predicts many files, running the network on faces of several images at once. A file that
     * cannot be read gives a result with its error; the others go on.
     */
    public List<ImageResult> predictAll(List<Path> images) {
        List<ImageResult> out = new ArrayList<>(images.size());
        predictEach(images, (r, img) -> out.add(r));
        return out;
    }

    /**
     * Like {@link #predictAll} but hands each result (and the decoded photo, e.g. to draw on) to
     * the listener as soon as its faces are classified, in input order, so only a few photos are
     * held in memory at a time.
     */
    public void predictEach(List<Path> images, ResultListener listener) {
        ensureOpen();
        int batch = options.batchSize();
        // Photos held while their faces wait for a full batch; flushed early beyond this many.
        int maxHeld = Math.max(8, batch);
        Deque<PendingImage> held = new ArrayDeque<>();
        List<PendingFace> queue = new ArrayList<>();
        // The next photos are decoded on another thread while this one is detected and classified
        // (decoding is single-threaded Java; the network leaves a core idle between its kernels).
        java.util.concurrent.ExecutorService decoder =
                java.util.concurrent.Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "frafer-decode");
                            t.setDaemon(true);
                            return t;
                        });
        Deque<java.util.concurrent.Future<BufferedImage>> decoding = new ArrayDeque<>();
        int next = 0;
        try {
            for (Path path : images) {
                while (next < images.size() && decoding.size() <= DECODE_AHEAD) {
                    Path ahead = images.get(next++);
                    decoding.add(decoder.submit(() -> Images.read(ahead, options.maxPixels())));
                }
                PendingImage p = new PendingImage(path);
                held.add(p);
                try {
                    p.image = decoded(decoding.poll());
                    p.crops = faces(p.image);
                } catch (ImageReadException e) {
                    p.error = e.getMessage();
                } catch (IllegalStateException e) {
                    throw e;
                } catch (RuntimeException e) {
                    p.error = path + ": face detection failed: " + e;
                } catch (OutOfMemoryError e) {
                    // last resort (metadata and pixels are bounded before decoding): lose this
                    // file, not the run
                    p.image = null;
                    p.error = OutOfMemory.message(path);
                }
                if (p.error == null) {
                    p.probabilities = new float[p.crops.size()][];
                    for (int i = 0; i < p.crops.size(); i++) {
                        queue.add(new PendingFace(p, i));
                    }
                }
                while (queue.size() >= batch) {
                    runQueued(queue, batch);
                }
                if (held.size() > maxHeld) {
                    runQueued(queue, queue.size());
                }
                emitDone(held, listener);
            }
        } finally {
            decoder.shutdownNow();
        }
        runQueued(queue, queue.size());
        emitDone(held, listener);
    }

    /** Photos decoded ahead of the one being processed by {@link #predictEach}. */
    private static final int DECODE_AHEAD = 2;

    /** The decoded photo, or the decoder's exception as Images.read would have thrown it. */
    private static BufferedImage decoded(java.util.concurrent.Future<BufferedImage> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void runQueued(List<PendingFace> queue, int count) {
        for (int start = 0; start < count; start += options.batchSize()) {
            List<PendingFace> part =
                    queue.subList(start, Math.min(count, start + options.batchSize()));
            List<FaceCrop> crops = new ArrayList<>(part.size());
            for (PendingFace f : part) {
                crops.add(f.image.crops.get(f.index));
            }
            float[][] p = probabilities(crops);
            for (int i = 0; i < part.size(); i++) {
                part.get(i).image.probabilities[part.get(i).index] = p[i];
            }
        }
        queue.subList(0, count).clear();
    }

    private void emitDone(Deque<PendingImage> held, ResultListener listener) {
        while (!held.isEmpty() && held.peekFirst().done()) {
            PendingImage p = held.pollFirst();
            ImageResult r;
            if (p.error != null) {
                r = ImageResult.failed(p.path, p.error);
            } else {
                List<FaceEmotion> faces = new ArrayList<>(p.crops.size());
                for (int i = 0; i < p.crops.size(); i++) {
                    faces.add(new FaceEmotion(p.crops.get(i).face(), classes, p.probabilities[i]));
                }
                r = new ImageResult(p.path, p.image.getWidth(), p.image.getHeight(), faces, null);
            }
            listener.onResult(r, p.image);
        }
    }

    private static final class PendingImage {
        final Path path;
        BufferedImage image;
        List<FaceCrop> crops = List.of();
        float[][] probabilities = new float[0][];
        String error;

        PendingImage(Path path) {
            this.path = path;
        }

        boolean done() {
            if (error != null) {
                return true;
            }
            for (float[] p : probabilities) {
                if (p == null) {
                    return false;
                }
            }
            return true;
        }
    }

    private record PendingFace(PendingImage image, int index) {}

    // ---------------------------------------------------------------- features and explanations

    /** The pooled FER embedding (before the classifier) of a face already cropped. */
    public float[] features(BufferedImage face) {
        return explainBatch(List.of(crop(face))).get(0).embedding().data();
    }

    /** Embeddings of many cropped faces, batched; one row per face. */
    public float[][] features(List<BufferedImage> faces) {
        List<FaceCrop> crops = new ArrayList<>();
        for (BufferedImage f : faces) {
            crops.add(crop(f));
        }
        List<FaceExplanation> e = explain(crops);
        float[][] out = new float[e.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = e.get(i).embedding().data();
        }
        return out;
    }

    /** Attention map and FER feature maps of a face already cropped. */
    public FaceExplanation explain(BufferedImage face) {
        return explainBatch(List.of(crop(face))).get(0);
    }

    /** Explanations of detected faces (see {@link #faces}), batched. */
    public List<FaceExplanation> explain(List<FaceCrop> crops) {
        List<FaceExplanation> out = new ArrayList<>(crops.size());
        for (int start = 0; start < crops.size(); start += options.batchSize()) {
            out.addAll(
                    explainBatch(
                            crops.subList(
                                    start, Math.min(crops.size(), start + options.batchSize()))));
        }
        return out;
    }

    private FaceCrop crop(BufferedImage face) {
        return cropper.whole(face);
    }

    // ---------------------------------------------------------------- network

    private float[][] probabilities(List<FaceCrop> crops) {
        int n = crops.size();
        int size = config.inputSize;
        float[] pixels = pixels(crops);
        int k = classes.size();
        float[][] viewLogits;
        synchronized (networkLock) {
            ensureOpen();
            try (NDManager m = manager.newSubManager();
                    NoGrad ignored = new NoGrad()) {
                NDArray x = m.create(pixels, new Shape(n, 3, size, size));
                List<NDArray> views = options.tta().views(x);
                viewLogits = new float[views.size()][];
                for (int v = 0; v < views.size(); v++) {
                    NDArray logits = network.predict(views.get(v)).logits();
                    checkLogits(logits, n);
                    viewLogits[v] = logits.toType(DataType.FLOAT32, false).toFloatArray();
                }
            }
        }
        // softmax(logits / T) per view, averaged over the test-time views
        float[] flat = Probabilities.meanOfViews(viewLogits, k, config.temperature);
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
        }
        return out;
    }

    private List<FaceExplanation> explainBatch(List<FaceCrop> crops) {
        int n = crops.size();
        int size = config.inputSize;
        float[] pixels = pixels(crops);
        float[] probs;
        Split attention;
        Split before;
        Split after;
        Split embedding;
        synchronized (networkLock) {
            ensureOpen();
            try (NDManager m = manager.newSubManager();
                    NoGrad ignored = new NoGrad()) {
                NDArray x = m.create(pixels, new Shape(n, 3, size, size));
                EmotionNetwork.Outputs o = network.predict(x);
                checkLogits(o.logits(), n);
                probs =
                        Probabilities.softmax(
                                o.logits().toType(DataType.FLOAT32, false).toFloatArray(),
                                classes.size(),
                                config.temperature);
                attention = Split.of(o.attention(), n, "attention");
                before = Split.of(o.featureBefore(), n, "featureBefore");
                after = Split.of(o.featureAfter(), n, "featureAfter");
                embedding = Split.of(o.embedding(), n, "embedding");
            }
        }
        int k = classes.size();
        List<FaceExplanation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            FaceEmotion e =
                    new FaceEmotion(
                            crops.get(i).face(),
                            classes,
                            Arrays.copyOfRange(probs, i * k, (i + 1) * k));
            out.add(
                    new FaceExplanation(
                            e,
                            crops.get(i).image(),
                            config.fusion,
                            Split.get(attention, i),
                            Split.get(before, i),
                            Split.get(after, i),
                            Split.get(embedding, i)));
        }
        return out;
    }

    /** An (N, ...) array copied to the heap, sliced per sample. */
    private record Split(long[] sampleShape, float[] data, int per) {
        static Split of(NDArray a, int n, String what) {
            if (a == null) {
                return null;
            }
            Shape s = a.getShape();
            if (s.dimension() < 1 || s.get(0) != n) {
                throw new IllegalStateException(
                        "network output "
                                + what
                                + " has shape "
                                + s
                                + ", expected "
                                + n
                                + " samples first");
            }
            float[] d = a.toType(DataType.FLOAT32, false).toFloatArray();
            return new Split(s.slice(1).getShape(), d, d.length / n);
        }

        static FloatTensor get(Split s, int i) {
            return s == null
                    ? null
                    : new FloatTensor(
                            s.sampleShape, Arrays.copyOfRange(s.data, i * s.per, (i + 1) * s.per));
        }
    }

    private void checkLogits(NDArray logits, int n) {
        Shape s = logits.getShape();
        if (s.dimension() != 2 || s.get(0) != n || s.get(1) != classes.size()) {
            throw new IllegalStateException(
                    "network returned logits of shape "
                            + s
                            + ", expected ("
                            + n
                            + ", "
                            + classes.size()
                            + ") for classes "
                            + classes);
        }
    }

    private float[] pixels(List<FaceCrop> crops) {
        return Pixels.toNchw(crops, config.inputSize);
    }

    /**
     * Native arrays still held by the recognizer's own manager (0 between calls: each batch frees
     * its arrays).
     */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("EmotionRecognizer is closed");
        }
    }

    /** Frees the network, the detector and all native memory. Idempotent. */
    @Override
    public void close() {
        synchronized (detectorLock) {
            synchronized (networkLock) {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    network.close();
                } finally {
                    try {
                        if (detector != null) {
                            detector.close();
                        }
                    } finally {
                        manager.close();
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- builder

    /** Options for {@link EmotionRecognizer}; every setter checks its value. */
    public static final class Builder {
        private Path modelDir;
        private EmotionNetwork network;
        private FaceDetector detector;
        private String detectorVariant = Detectors.DEFAULT;
        private float minFaceScore = 0.5f;
        private float cropMargin = DEFAULT_CROP_MARGIN;
        private boolean align = false;
        private long maxPixels = Images.DEFAULT_MAX_PIXELS;
        private int batchSize = 16;
        private TestTimeAugmentation tta = TestTimeAugmentation.NONE;
        private boolean facesAreCropped;
        private boolean verifyFaces;
        private int threads;
        private int concurrentWorkers = 1;

        private Builder() {}

        /**
         * Model folder ({@code config.json} + {@code model.safetensors}); default: {@link
         * DefaultModel#locate()}.
         */
        public Builder model(Path dir) {
            this.modelDir = dir;
            return this;
        }

        /**
         * An already built network instead of a model folder; the recognizer takes it over and
         * closes it.
         */
        public Builder network(EmotionNetwork network) {
            this.network = network;
            return this;
        }

        /** BlazeFace variant, see {@link Detectors#VARIANTS}; default {@code back}. */
        public Builder detectorVariant(String variant) {
            if (!Detectors.VARIANTS.contains(variant)) {
                throw new IllegalArgumentException(
                        "unknown detector '"
                                + variant
                                + "', expected one of "
                                + Detectors.VARIANTS);
            }
            this.detectorVariant = variant;
            return this;
        }

        /**
         * A detector of your own instead of BlazeFace; the recognizer takes it over and closes it.
         */
        public Builder detector(FaceDetector detector) {
            this.detector = detector;
            return this;
        }

        /** Faces scoring lower are ignored; default 0.5. */
        public Builder minFaceScore(float score) {
            if (!(score >= 0 && score <= 1)) {
                throw new IllegalArgumentException(
                        "min face score must be in [0, 1], got " + score);
            }
            this.minFaceScore = score;
            return this;
        }

        /** Fraction of the box size added on each side before cropping; default 0.28. */
        public Builder cropMargin(float margin) {
            if (!(margin >= 0 && margin <= 2)) {
                throw new IllegalArgumentException("crop margin must be in [0, 2], got " + margin);
            }
            this.cropMargin = margin;
            return this;
        }

        /**
         * Rotate faces so the eyes are level; default off (HSEmotion's training crops are not
         * aligned).
         */
        public Builder align(boolean align) {
            this.align = align;
            return this;
        }

        /**
         * Larger photos are refused before decoding (decompression bombs); default 100 megapixels.
         */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("max pixels must be positive, got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Each image is one face already cropped (FER+/AffectNet-style crops): no detection, the
         * whole image is classified. Default off. Detection on small crops finds overlapping or no
         * boxes.
         */
        public Builder facesAreCropped(boolean cropped) {
            this.facesAreCropped = cropped;
            return this;
        }

        /**
         * Keep only faces the detector finds again in a crop around them ({@link
         * org.frafer.faces.FaceBoxes#confirmed}): drops boxes made up from texture (tiled or very
         * busy images) at one extra detector pass per face. Default off.
         */
        public Builder verifyFaces(boolean verify) {
            this.verifyFaces = verify;
            return this;
        }

        /**
         * PyTorch intra-op threads for this process (a process-wide engine setting); 0 (default) =
         * the {@code FRAFER_THREADS} environment variable, else available cores / {@link
         * #concurrentWorkers}.
         */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException(
                        "threads must be >= 0 (0 = automatic), got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * How many recognizers (or processes, with taskset/cgroups) share this machine's cores;
         * default 1.
         */
        public Builder concurrentWorkers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException(
                        "concurrent workers must be >= 1, got " + workers);
            }
            this.concurrentWorkers = workers;
            return this;
        }

        /** Faces per network pass; default 16. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Test-time augmentation: {@link TestTimeAugmentation#FLIP} averages the probabilities of
         * each face and its mirror (twice the network work; {@link #explain} always uses the face
         * alone); default none.
         */
        public Builder tta(TestTimeAugmentation tta) {
            this.tta = java.util.Objects.requireNonNull(tta, "tta");
            return this;
        }

        public EmotionRecognizer build() {
            EmotionNetwork net = network;
            if (net == null) {
                Path dir = modelDir != null ? DefaultModel.check(modelDir) : DefaultModel.locate();
                net = Networks.load(dir);
            }
            try {
                return new EmotionRecognizer(this, net);
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }
    }
}
