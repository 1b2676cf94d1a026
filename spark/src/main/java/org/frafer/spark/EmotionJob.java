package org.frafer.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.frafer.data.Images;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Facial emotion recognition over an image collection as a Spark job: images from folders/globs
 * ({@code binaryFile}) or paths from a table, one output row per face ({@link FaceTable}), written
 * to Parquet or JSON. See {@code docs/spark.md} for the submit lines.
 */
@Command(
        name = "fra-fer-spark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Faces and their emotions in many images, as a Spark job: one output row per face (an image without a "
                        + "face, or one that cannot be read, gets one row with status no_face / error).")
public final class EmotionJob implements Callable<Integer> {

    @Parameters(
            arity = "0..*",
            paramLabel = "INPUT",
            description =
                    "Folders (searched recursively), files or globs of images; any Hadoop path (local, file:, hdfs://, s3a://).")
    List<String> inputs = new ArrayList<>();

    @Option(
            names = "--table",
            paramLabel = "FILE",
            description =
                    "Instead of INPUT: a Parquet or CSV (with header) table listing the images.")
    String table;

    @Option(
            names = "--table-format",
            paramLabel = "parquet|csv",
            description = "Format of --table (default: from its extension).")
    String tableFormat;

    @Option(
            names = "--path-column",
            defaultValue = "path",
            description = "Column of --table with the image paths (default: ${DEFAULT-VALUE}).")
    String pathColumn;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output folder (must not exist, unless --overwrite).")
    String out;

    @Option(
            names = "--format",
            defaultValue = "parquet",
            paramLabel = "parquet|json",
            description = "Output format (default: ${DEFAULT-VALUE}; json = JSON lines).")
    String format;

    @Option(
            names = "--overwrite",
            description =
                    "Replace an existing output folder (the old one stays until the new one is complete).")
    boolean overwrite;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model folder: a path every executor sees, a name shipped with --archives, or a Hadoop URI (default: the model in the jar).")
    String model;

    @Option(
            names = "--assets",
            paramLabel = "DIR",
            description =
                    "Face-model assets folder for the executors (default: their -Dfrafer.assets, FRAFER_ASSETS or ./assets).")
    String assets;

    @Option(
            names = "--detector",
            defaultValue = "back",
            description =
                    "BlazeFace variant: back (group photos, small faces) or front (close-ups).")
    String detector;

    @Option(
            names = "--min-face-score",
            defaultValue = "0.5",
            description = "Ignore detections scoring lower (default: ${DEFAULT-VALUE}).")
    float minFaceScore;

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description =
                    "Faces per network forward, taken from several images (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--images-per-chunk",
            defaultValue = "32",
            description = "Images a task hands the recognizer at once (default: ${DEFAULT-VALUE}).")
    int imagesPerChunk;

    @Option(
            names = "--partitions",
            description =
                    "Partitions (tasks) to run with (default: at least 2 per core, at most 1000 images each).")
    Integer partitions;

    @Option(
            names = "--embeddings",
            description = "Add each face's FER embedding (costs a second forward per face).")
    boolean embeddings;

    @Option(
            names = "--descriptors",
            arity = "0..1",
            fallbackValue = "hse-faceres",
            paramLabel = "FR",
            description =
                    "Add each face's identity descriptor from this FR backbone (default when given without a value: hse-faceres).")
    String descriptors;

    @Option(
            names = "--master",
            description = "Spark master when not started by spark-submit (default: local[*]).")
    String master;

    /** Image file extensions, as a Hadoop glob over file names (both cases). */
    static final String IMAGE_GLOB =
            "*.{"
                    + Images.EXTENSIONS.stream()
                            .sorted()
                            .flatMap(e -> java.util.stream.Stream.of(e, e.toUpperCase(Locale.ROOT)))
                            .collect(Collectors.joining(","))
                    + "}";

    /**
     * Images per partition at most, by default: enough to keep batches full, small enough to retry
     * cheaply.
     */
    static final int MAX_IMAGES_PER_PARTITION = 1000;

    /** What a run did. */
    public record Summary(long images, long faces, long noFace, long errors, double seconds) {
        public double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EmotionJob()).execute(args));
    }

    @Override
    public Integer call() {
        try {
            JobSpec spec = spec();
            SparkSession.Builder b = SparkSession.builder().appName("fra-fer-spark");
            if (!new SparkConf().contains("spark.master")) {
                b.master(master != null ? master : "local[*]");
            }
            String m = new SparkConf().get("spark.master", master != null ? master : "local[*]");
            if (m.startsWith("local") && !new SparkConf().contains("spark.driver.host")) {
                // A local run needs no network: keep the driver on the loopback address.
                b.config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1");
            }
            SparkSession spark = b.getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                Summary s = run(spark, spec);
                System.out.printf(
                        Locale.ROOT,
                        "%d images (%d without a face, %d errors), %d faces in %.1f s (%.2f images/s) -> %s%n",
                        s.images(),
                        s.noFace(),
                        s.errors(),
                        s.faces(),
                        s.seconds(),
                        s.imagesPerSecond(),
                        spec.out());
                return s.errors() > 0 ? 1 : 0;
            } finally {
                spark.stop();
            }
        } catch (JobException | IllegalArgumentException e) {
            System.err.println("fra-fer-spark: " + e.getMessage());
            return 2;
        }
    }

    JobSpec spec() {
        if (table == null && inputs.isEmpty()) {
            throw new JobException(
                    "give images (INPUT folders, files or globs) or --table FILE with a path column");
        }
        if (table != null && !inputs.isEmpty()) {
            throw new JobException("give either INPUT images or --table, not both");
        }
        PredictSettings s =
                new PredictSettings(
                        model,
                        assets,
                        detector,
                        minFaceScore,
                        batchSize,
                        imagesPerChunk,
                        embeddings,
                        descriptors);
        return new JobSpec(
                inputs,
                table,
                tableFormat,
                pathColumn,
                out,
                format,
                overwrite,
                partitions,
                s,
                List.of());
    }

    /**
     * Runs the job: checks the output path, predicts every image, applies the passes, writes the
     * table to a staging folder beside the output and moves it into place only when complete, so
     * the output folder holds either the old complete table or the new complete one, never a mix or
     * a partial one.
     */
    public static Summary run(SparkSession spark, JobSpec spec) {
        String fmt = spec.format().toLowerCase(Locale.ROOT);
        if (!fmt.equals("parquet") && !fmt.equals("json")) {
            throw new JobException("--format must be parquet or json, got '" + spec.format() + "'");
        }
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(spec.out());
        FileSystem fs;
        try {
            fs = out.getFileSystem(hadoopConf);
            if (fs.exists(out) && !spec.overwrite()) {
                throw new JobException(
                        "output "
                                + spec.out()
                                + " already exists: pass --overwrite to replace it, or choose another folder (nothing was written)");
            }
        } catch (IOException e) {
            throw new JobException(
                    "cannot check the output " + spec.out() + ": " + e.getMessage(), e);
        }
        long start = System.nanoTime();
        Dataset<Row> images = input(spark, spec);
        Broadcast<SerializableConfiguration> conf =
                spark.sparkContext()
                        .broadcast(
                                new SerializableConfiguration(hadoopConf),
                                scala.reflect.ClassTag$.MODULE$.apply(
                                        SerializableConfiguration.class));
        Dataset<Row> faces =
                images.mapPartitions(
                        new PartitionPredictor(spec.settings(), conf),
                        Encoders.row(FaceTable.SCHEMA));
        for (FaceTablePass pass : spec.passes()) {
            faces = pass.apply(faces);
        }
        Path staging =
                new Path(
                        out.getParent(),
                        "." + out.getName() + ".writing-" + System.currentTimeMillis());
        try {
            try {
                if (fmt.equals("json")) {
                    faces.write().mode(SaveMode.ErrorIfExists).json(staging.toString());
                } else {
                    faces.write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
                }
            } catch (RuntimeException e) {
                fs.delete(staging, true);
                throw e;
            }
            replace(fs, staging, out, spec);
        } catch (IOException e) {
            throw new JobException(
                    "cannot write the output " + spec.out() + ": " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Dataset<Row> written = read(spark, spec.out(), fmt);
        Row counts =
                written.agg(
                                org.apache.spark.sql.functions.countDistinct(col("path")),
                                org.apache.spark.sql.functions.sum(
                                        org.apache
                                                .spark
                                                .sql
                                                .functions
                                                .when(col("status").equalTo(FaceTable.OK), 1)
                                                .otherwise(0)),
                                org.apache.spark.sql.functions.sum(
                                        org.apache
                                                .spark
                                                .sql
                                                .functions
                                                .when(col("status").equalTo(FaceTable.NO_FACE), 1)
                                                .otherwise(0)),
                                org.apache.spark.sql.functions.sum(
                                        org.apache
                                                .spark
                                                .sql
                                                .functions
                                                .when(col("status").equalTo(FaceTable.ERROR), 1)
                                                .otherwise(0)))
                        .first();
        return new Summary(
                counts.getLong(0),
                longOrZero(counts, 1),
                longOrZero(counts, 2),
                longOrZero(counts, 3),
                seconds);
    }

    /** The job's output table, Parquet or JSON lines, with {@link FaceTable#SCHEMA}. */
    public static Dataset<Row> read(SparkSession spark, String dir, String format) {
        return format.equalsIgnoreCase("json")
                ? spark.read().schema(FaceTable.SCHEMA).json(dir)
                : spark.read().parquet(dir);
    }

    private static long longOrZero(Row r, int i) {
        return r.isNullAt(i) ? 0 : r.getLong(i);
    }

    private static void replace(FileSystem fs, Path staging, Path out, JobSpec spec)
            throws IOException {
        Path old = null;
        if (fs.exists(out)) {
            if (!spec.overwrite()) {
                fs.delete(staging, true);
                throw new JobException(
                        "output "
                                + spec.out()
                                + " appeared while the job ran; the new table was not written");
            }
            old =
                    new Path(
                            out.getParent(),
                            "." + out.getName() + ".old-" + System.currentTimeMillis());
            if (!fs.rename(out, old)) {
                fs.delete(staging, true);
                throw new JobException(
                        "cannot move the old output " + spec.out() + " aside; it is unchanged");
            }
        }
        if (!fs.rename(staging, out)) {
            if (old != null) {
                fs.rename(old, out);
            }
            throw new JobException(
                    "cannot move the new table "
                            + staging
                            + " to "
                            + spec.out()
                            + "; the old output is unchanged");
        }
        if (old != null) {
            fs.delete(old, true);
        }
    }

    /**
     * The images as {@code (path, content)} rows; content is null when the executors read the path
     * themselves.
     */
    static Dataset<Row> input(SparkSession spark, JobSpec spec) {
        int parallelism = spark.sparkContext().defaultParallelism();
        try {
            if (spec.table() == null) {
                checkInputsExist(spark, spec.inputs());
                Dataset<Row> files =
                        spark.read()
                                .format("binaryFile")
                                .option("pathGlobFilter", IMAGE_GLOB)
                                .option("recursiveFileLookup", "true")
                                .load(spec.inputs().toArray(String[]::new))
                                .select(col("path"), col("content"));
                int n = files.inputFiles().length;
                if (n == 0) {
                    throw new JobException(
                            "no image files ("
                                    + String.join(
                                            ", ", Images.EXTENSIONS.stream().sorted().toList())
                                    + ") in "
                                    + spec.inputs());
                }
                int target =
                        spec.partitions() != null
                                ? spec.partitions()
                                : defaultPartitions(n, parallelism);
                // binaryFile packs files into partitions by bytes: merge (no shuffle of the bytes)
                // when there are more.
                return files.rdd().getNumPartitions() > target ? files.coalesce(target) : files;
            }
            String f =
                    spec.tableFormat() != null
                            ? spec.tableFormat().toLowerCase(Locale.ROOT)
                            : spec.table().toLowerCase(Locale.ROOT).endsWith(".csv")
                                    ? "csv"
                                    : "parquet";
            Dataset<Row> t =
                    switch (f) {
                        case "csv" -> spark.read().option("header", "true").csv(spec.table());
                        case "parquet" -> spark.read().parquet(spec.table());
                        default ->
                                throw new JobException(
                                        "--table-format must be parquet or csv, got '"
                                                + spec.tableFormat()
                                                + "'");
                    };
            if (!Arrays.asList(t.columns()).contains(spec.pathColumn())) {
                throw new JobException(
                        "table "
                                + spec.table()
                                + " has no column '"
                                + spec.pathColumn()
                                + "' (columns: "
                                + String.join(", ", t.columns())
                                + "); name the path column with --path-column");
            }
            Dataset<Row> paths =
                    t.select(
                                    col(spec.pathColumn()).cast("string").as("path"),
                                    lit(null).cast("binary").as("content"))
                            .where(col("path").isNotNull());
            long n = paths.count();
            if (n == 0) {
                throw new JobException(
                        "table "
                                + spec.table()
                                + " lists no image paths in column '"
                                + spec.pathColumn()
                                + "'");
            }
            // Only paths move here, so a shuffle is cheap: spread them evenly over the cores.
            return paths.repartition(
                    spec.partitions() != null
                            ? spec.partitions()
                            : defaultPartitions(n, parallelism));
        } catch (JobException e) {
            throw e;
        } catch (Exception e) { // Spark's AnalysisException (checked in Java's eyes): missing path,
            // bad table
            if (e instanceof AnalysisException) {
                throw new JobException(firstLine(e.getMessage()), e);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /**
     * A missing folder or a glob matching nothing: one line naming it (Spark would log a stack
     * trace first).
     */
    private static void checkInputsExist(SparkSession spark, List<String> inputs) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (String in : inputs) {
            try {
                Path p = new Path(in);
                org.apache.hadoop.fs.FileStatus[] found = p.getFileSystem(conf).globStatus(p);
                if (found == null || found.length == 0) {
                    throw new JobException("input " + in + ": no such file or folder");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new JobException("input " + in + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * At least two partitions per core (so a slow one does not hold the job), at most {@value
     * #MAX_IMAGES_PER_PARTITION} images each.
     */
    public static int defaultPartitions(long images, int cores) {
        long byCores = 2L * Math.max(1, cores);
        long bySize = (images + MAX_IMAGES_PER_PARTITION - 1) / MAX_IMAGES_PER_PARTITION;
        return (int) Math.max(1, Math.min(images, Math.max(byCores, bySize)));
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
