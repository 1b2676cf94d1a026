package org.frafer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.frafer.data.Augmentation;
import org.frafer.data.BatchLoader;
import org.frafer.data.BatchSource;
import org.frafer.data.DatasetSpec;
import org.frafer.data.Datasets;
import org.frafer.data.FaceDataset;
import org.frafer.data.FaceSample;

/**
 * How the commands read labelled datasets: a {@link DatasetSpec} (from a {@link Request} for
 * train/evaluate, from {@link DatasetOptions#toSpec} for {@code data}) opened with {@link
 * Datasets#open}, then a background {@link BatchLoader}. {@link #REAL} does that; tests hand the
 * commands a synthetic one through {@link CliServices}.
 */
public interface DatasetAccess {
    FaceDataset open(DatasetSpec spec);

    BatchSource batches(
            FaceDataset dataset,
            int batchSize,
            int imageSize,
            boolean training,
            boolean flip,
            long seed,
            int workers);

    /** Training batches with an augmentation (sources without augmentation support ignore it). */
    default BatchSource batches(
            FaceDataset dataset,
            int batchSize,
            int imageSize,
            boolean training,
            boolean flip,
            long seed,
            int workers,
            Augmentation augmentation) {
        return batches(dataset, batchSize, imageSize, training, flip, seed, workers);
    }

    /** The --format values, for messages. */
    String FORMAT_LIST =
            java.util.Arrays.stream(DatasetSpec.Format.values())
                    .map(DatasetSpec.Format::cliName)
                    .collect(java.util.stream.Collectors.joining(", "));

    /**
     * The split evaluate scores by default: FER+ test, AffectNet valid (it has no public test), a
     * folder's test/ or else the folder itself.
     */
    static String defaultEvalSplit(String format, Path root) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "affectnet" -> "valid";
            case "folder" ->
                    root != null && Files.isDirectory(root.resolve("test")) ? "test" : null;
            default -> "test";
        };
    }

    /** {@code org.frafer.data}: the readers and the background batch loader. */
    DatasetAccess REAL =
            new DatasetAccess() {
                @Override
                public FaceDataset open(DatasetSpec spec) {
                    return Datasets.open(spec);
                }

                @Override
                public BatchSource batches(
                        FaceDataset dataset,
                        int batchSize,
                        int imageSize,
                        boolean training,
                        boolean flip,
                        long seed,
                        int workers) {
                    return batches(
                            dataset,
                            batchSize,
                            imageSize,
                            training,
                            flip,
                            seed,
                            workers,
                            Augmentation.NONE);
                }

                @Override
                public BatchSource batches(
                        FaceDataset dataset,
                        int batchSize,
                        int imageSize,
                        boolean training,
                        boolean flip,
                        long seed,
                        int workers,
                        Augmentation augmentation) {
                    BatchLoader.Builder b =
                            BatchLoader.builder(dataset)
                                    .batchSize(batchSize)
                                    .imageSize(imageSize)
                                    .seed(seed)
                                    .shuffle(training)
                                    .flip(training && flip)
                                    .augmentation(training ? augmentation : Augmentation.NONE);
                    if (workers > 0) {
                        b = b.threads(workers);
                    }
                    return b.build();
                }
            };

    /** Whether a --format value names a dataset layout (any case). */
    static boolean isFormat(String format) {
        if (format == null) {
            return false;
        }
        try {
            DatasetSpec.Format.parse(format);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A train/evaluate dataset as the commands (and run configs) name it.
     *
     * @param format ferplus, affectnet or folder (any case)
     * @param split split name (null = the format's default)
     * @param numClasses 8 (AffectNet-8 order) or 7 (without Contempt)
     * @param softLabels FER+: vote distributions as soft labels instead of majority labels
     * @param limit seeded random subset of this many samples, or null for all
     * @param subjectPattern regex with one group giving a subject id from the image path, or null
     */
    record Request(
            String format,
            Path root,
            String split,
            int numClasses,
            boolean softLabels,
            Integer limit,
            long seed,
            String subjectPattern,
            boolean skipBadRows) {
        /** Bad CSV rows are errors. */
        public Request(
                String format,
                Path root,
                String split,
                int numClasses,
                boolean softLabels,
                Integer limit,
                long seed,
                String subjectPattern) {
            this(format, root, split, numClasses, softLabels, limit, seed, subjectPattern, false);
        }

        /** Fails with a one-line message on a bad format or a missing folder. */
        public Request {
            if (!isFormat(format)) {
                throw new IllegalArgumentException(
                        "--format must be one of " + FORMAT_LIST + " (got " + format + ")");
            }
            if (root == null) {
                throw new IllegalArgumentException("--data is required");
            }
            if (!Files.exists(root)) {
                throw new IllegalArgumentException("dataset folder " + root + " does not exist");
            }
            format = format.toLowerCase(Locale.ROOT);
        }

        /** The reader's spec of this request. */
        public DatasetSpec toSpec() {
            DatasetSpec.Format f = DatasetSpec.Format.parse(format);
            String s = split;
            // A class-folder tree without split folders: the default "train" split is the tree
            // itself.
            if (f == DatasetSpec.Format.FOLDER
                    && "train".equals(s)
                    && !Files.isDirectory(root.resolve(s))) {
                s = null;
            }
            DatasetSpec spec =
                    DatasetSpec.of(f, root)
                            .withSplit(s)
                            .withClasses(numClasses)
                            .withLabelMode(
                                    softLabels
                                            ? DatasetSpec.LabelMode.SOFT
                                            : DatasetSpec.LabelMode.MAJORITY)
                            .withSkipBadRows(skipBadRows);
            if (limit != null) {
                spec = spec.withRandomSubset(limit, seed);
            }
            if (subjectPattern != null) {
                spec = spec.withSubjectPattern(subjectPattern);
            }
            return spec;
        }
    }

    /** A train/evaluate dataset: the request's spec, opened. */
    default FaceDataset open(Request request) {
        return open(request.toSpec());
    }

    /** Opens a request; an empty dataset is an error naming it. */
    default FaceDataset openNonEmpty(Request r) {
        FaceDataset ds = open(r);
        if (ds.samples().isEmpty()) {
            throw new IllegalArgumentException(
                    "dataset "
                            + ds.name()
                            + " ("
                            + r.root()
                            + (r.split() == null ? "" : ", split " + r.split())
                            + ") has no samples");
        }
        return ds;
    }

    /** Training samples per class (soft labels summed when present), for class weights. */
    static double[] classCounts(FaceDataset ds) {
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
    static void close(BatchSource source) {
        if (source instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("warning: closing the batch loader failed: " + e);
            }
        }
    }
}
