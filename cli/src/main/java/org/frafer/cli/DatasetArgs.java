package org.frafer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.frafer.data.BatchLoader;
import org.frafer.data.BatchSource;
import org.frafer.data.DatasetSpec;
import org.frafer.data.Datasets;
import org.frafer.data.FaceDataset;
import org.frafer.data.FaceSample;

/**
 * The single place the train/evaluate commands reach into {@code org.frafer.data}: opening a
 * dataset split and wrapping it in a batch loader. The readers and the loader are built in the
 * data area; until they are merged, {@link #backend} fails with a message that says so.
 *
 * <p>Glue once {@code org.frafer.data.Datasets}/{@code DatasetSpec}/{@code BatchLoader} exist (replace
 * the pending stand-in by; done, see {@link DataBackend}):
 * <pre>{@code
 * public FaceDataset open(Request r) {
 *     DatasetSpec spec = DatasetSpec.of(DatasetSpec.Format.parse(r.format()), r.root())
 *             .withSplit(r.split()).withClasses(r.numClasses())
 *             .withLabelMode(r.softLabels() ? DatasetSpec.LabelMode.SOFT : DatasetSpec.LabelMode.MAJORITY);
 *     if (r.limit() != null) spec = spec.withRandomSubset(r.limit(), r.seed());
 *     if (r.subjectPattern() != null) spec = spec.withSubjectPattern(r.subjectPattern());
 *     return Datasets.open(spec);
 * }
 * public BatchSource batches(FaceDataset ds, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers) {
 *     BatchLoader.Builder b = BatchLoader.builder(ds).batchSize(batchSize).imageSize(imageSize).seed(seed)
 *             .shuffle(training).flip(training && flip);
 *     if (workers > 0) b = b.threads(workers);
 *     return b.build();
 * }
 * }</pre>
 */
public final class DatasetArgs {
    public static final Set<String> FORMATS = Set.of("ferplus", "affectnet", "folder");

    /**
     * @param format ferplus, affectnet or folder
     * @param root dataset root
     * @param split split name (null = the format's default)
     * @param numClasses 8 (AffectNet-8 order) or 7 (without Contempt)
     * @param softLabels FER+: vote distributions as soft labels instead of majority labels
     * @param limit seeded random subset of this many samples, or null for all
     * @param seed subset seed
     * @param subjectPattern regex with one group giving a subject id from the image path, or null
     */
    public record Request(String format, Path root, String split, int numClasses, boolean softLabels, Integer limit, long seed,
            String subjectPattern) {}

    /** What actually reads datasets; replaceable (tests use synthetic data). */
    public interface Backend {
        FaceDataset open(Request request);

        BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers);

        /** Training batches with an augmentation (backends without augmentation support ignore it). */
        default BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers,
                org.frafer.data.Augmentation augmentation) {
            return batches(dataset, batchSize, imageSize, training, flip, seed, workers);
        }
    }

    static Backend backend = new DataBackend();

    private DatasetArgs() {}

    public static FaceDataset open(Request r) {
        String format = r.format() == null ? null : r.format().toLowerCase(Locale.ROOT);
        if (format == null || !FORMATS.contains(format)) {
            throw new IllegalArgumentException("--format must be one of ferplus, affectnet, folder (got " + r.format() + ")");
        }
        if (r.root() == null) {
            throw new IllegalArgumentException("--data is required");
        }
        if (!Files.exists(r.root())) {
            throw new IllegalArgumentException("dataset folder " + r.root() + " does not exist");
        }
        FaceDataset ds = backend.open(new Request(format, r.root(), r.split(), r.numClasses(), r.softLabels(), r.limit(), r.seed(), r.subjectPattern()));
        if (ds.samples().isEmpty()) {
            throw new IllegalArgumentException("dataset " + ds.name() + " (" + r.root() + (r.split() == null ? "" : ", split " + r.split()) + ") has no samples");
        }
        return ds;
    }

    public static BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers) {
        return backend.batches(dataset, batchSize, imageSize, training, flip, seed, workers);
    }

    /** {@link #batches} with an augmentation of the training images. */
    public static BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers,
            org.frafer.data.Augmentation augmentation) {
        return backend.batches(dataset, batchSize, imageSize, training, flip, seed, workers, augmentation);
    }

    /** Training samples per class (soft labels summed when present), for class weights. */
    public static double[] classCounts(FaceDataset ds) {
        List<String> classes = ds.classes();
        double[] counts = new double[classes.size()];
        for (FaceSample s : ds.samples()) {
            if (s.softLabel() != null && s.softLabel().length == counts.length) {
                for (int k = 0; k < counts.length; k++) {
                    counts[k] += s.softLabel()[k];
                }
            } else if (s.label() >= 0 && s.label() < counts.length) {
                counts[s.label()]++;
            }
        }
        return counts;
    }

    /** Closes a batch source that holds threads or caches. */
    public static void close(BatchSource source) {
        if (source instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("warning: closing the batch loader failed: " + e);
            }
        }
    }

    /** Reads datasets with {@code org.frafer.data}: the readers and the background batch loader. */
    static final class DataBackend implements Backend {
        @Override
        public FaceDataset open(Request r) {
            String split = r.split();
            // A class-folder tree without split folders: the default "train" split is the tree itself.
            if ("folder".equals(r.format()) && "train".equals(split) && !Files.isDirectory(r.root().resolve(split))) {
                split = null;
            }
            DatasetSpec spec = DatasetSpec.of(DatasetSpec.Format.parse(r.format()), r.root())
                    .withSplit(split).withClasses(r.numClasses())
                    .withLabelMode(r.softLabels() ? DatasetSpec.LabelMode.SOFT : DatasetSpec.LabelMode.MAJORITY);
            if (r.limit() != null) {
                spec = spec.withRandomSubset(r.limit(), r.seed());
            }
            if (r.subjectPattern() != null) {
                spec = spec.withSubjectPattern(r.subjectPattern());
            }
            return Datasets.open(spec);
        }

        @Override
        public BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers) {
            return batches(dataset, batchSize, imageSize, training, flip, seed, workers, org.frafer.data.Augmentation.NONE);
        }

        @Override
        public BatchSource batches(FaceDataset dataset, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers,
                org.frafer.data.Augmentation augmentation) {
            BatchLoader.Builder b = BatchLoader.builder(dataset).batchSize(batchSize).imageSize(imageSize).seed(seed)
                    .shuffle(training).flip(training && flip).augmentation(training ? augmentation : org.frafer.data.Augmentation.NONE);
            if (workers > 0) {
                b = b.threads(workers);
            }
            return b.build();
        }
    }
}
