package org.frafer.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkFiles;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;

/**
 * The models of one executor JVM: each recognizer (and FR backbone) is built by the first task that
 * needs it and then shared by every task of the JVM, concurrent ones included ({@link
 * EmotionRecognizer} is thread-safe); they are closed when the JVM exits. Loading a model costs
 * seconds, a task only milliseconds of bookkeeping, so models are never loaded per task or per
 * partition.
 */
final class ExecutorModels {
    private static final Map<PredictSettings, EmotionRecognizer> RECOGNIZERS =
            new ConcurrentHashMap<>();
    private static final Map<String, FrBackbone> BACKBONES = new ConcurrentHashMap<>();
    private static final Map<String, Path> FETCHED = new ConcurrentHashMap<>();

    static {
        // Nothing is downloaded at run time: DJL uses the natives inside the job jar.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(ExecutorModels::closeAll, "frafer-models-close"));
    }

    private ExecutorModels() {}

    /** The JVM's recognizer for these settings, built on first use. */
    static EmotionRecognizer recognizer(PredictSettings s, Configuration hadoop) {
        return RECOGNIZERS.computeIfAbsent(s, k -> build(k, hadoop));
    }

    /** The JVM's FR backbone of that id (callers serialise their calls on it). */
    static FrBackbone backbone(PredictSettings s, Configuration hadoop) {
        useAssets(s, hadoop);
        return BACKBONES.computeIfAbsent(s.descriptorBackbone(), FaceModels::fr);
    }

    private static EmotionRecognizer build(PredictSettings s, Configuration hadoop) {
        useAssets(s, hadoop);
        EmotionRecognizer.Builder b =
                EmotionRecognizer.builder()
                        .detectorVariant(s.detector())
                        .minFaceScore(s.minFaceScore())
                        .batchSize(s.batchSize());
        if (s.model() != null) {
            b.model(
                    DefaultModel.check(
                            localFolder(
                                    s.model(),
                                    "model",
                                    List.of(DefaultModel.CONFIG, DefaultModel.WEIGHTS),
                                    hadoop)));
        }
        return b.build();
    }

    /**
     * Points the library at the face-model assets (read through the {@code frafer.assets}
     * property).
     */
    private static synchronized void useAssets(PredictSettings s, Configuration hadoop) {
        if (s.assets() != null) {
            System.setProperty(
                    "frafer.assets",
                    localFolder(s.assets(), "assets", List.of(), hadoop).toString());
        }
    }

    /**
     * A folder on this machine for a job argument: the path itself when it exists here (shared
     * storage, or the same path on every node), else a file shipped with {@code --files}/{@code
     * --archives} under that name, else, for a Hadoop URI (hdfs://, s3a://, ...), the named files
     * copied to local disk once.
     */
    static Path localFolder(String spec, String what, List<String> files, Configuration hadoop) {
        URI uri = URI.create(spec.replace(" ", "%20"));
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            Path local = uri.getScheme() == null ? Path.of(spec) : Path.of(uri);
            if (Files.isDirectory(local)) {
                return local.toAbsolutePath();
            }
            Path shipped = shipped(spec);
            if (shipped != null) {
                return shipped;
            }
            throw new IllegalArgumentException(
                    what
                            + " folder "
                            + spec
                            + " not found on this executor: put it on storage every node "
                            + "sees, ship it with --archives "
                            + what
                            + ".tgz#"
                            + spec
                            + ", or give a Hadoop URI (hdfs://...)");
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(
                    what
                            + " folder "
                            + spec
                            + ": only a local, shared or shipped folder is supported here");
        }
        return FETCHED.computeIfAbsent(spec, k -> fetch(k, files, hadoop));
    }

    private static Path shipped(String name) {
        try {
            Path p = Path.of(SparkFiles.get(name));
            return Files.isDirectory(p) ? p : null;
        } catch (RuntimeException e) {
            return null; // no SparkContext/SparkEnv in this JVM
        }
    }

    private static Path fetch(String spec, List<String> files, Configuration hadoop) {
        try {
            Path dir = Files.createTempDirectory("frafer-model-");
            org.apache.hadoop.fs.Path base = new org.apache.hadoop.fs.Path(spec);
            FileSystem fs = base.getFileSystem(hadoop);
            for (String f : files) {
                fs.copyToLocalFile(
                        false,
                        new org.apache.hadoop.fs.Path(base, f),
                        new org.apache.hadoop.fs.Path(dir.resolve(f).toUri()),
                        true);
                dir.resolve(f).toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot copy the model " + spec + " to this executor: " + e.getMessage(), e);
        }
    }

    private static void closeAll() {
        RECOGNIZERS.values().forEach(EmotionRecognizer::close);
        for (FrBackbone b : BACKBONES.values()) {
            try {
                b.close();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
        }
    }
}
