package org.frafer.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;
import org.frafer.faces.FaceDescriptors;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceCropper;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.FaceExplanation;
import org.frafer.infer.ImageResult;

/**
 * Runs the recognizer over one partition of {@code (path, content)} rows ({@code content} null =
 * read the file from {@code path}). The partition is taken {@link PredictSettings#imagesPerChunk}
 * images at a time: their bytes go to task-local scratch files and {@link
 * EmotionRecognizer#predictEach} detects and classifies them with the faces of several images in
 * one forward, exactly as {@code predict} does, so the rows hold the same numbers. Rows are
 * produced lazily, chunk by chunk.
 */
final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final PredictSettings settings;
    private final Broadcast<SerializableConfiguration> hadoop;

    PartitionPredictor(PredictSettings settings, Broadcast<SerializableConfiguration> hadoop) {
        this.settings = settings;
        this.hadoop = hadoop;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) throws IOException {
        Configuration conf = hadoop.value().value();
        EmotionRecognizer recognizer = ExecutorModels.recognizer(settings, conf);
        Path scratch = Files.createTempDirectory("frafer-spark-");
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> deleteTree(scratch));
        }
        return new Iterator<>() {
            private final Deque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && input.hasNext()) {
                    List<Row> chunk = new ArrayList<>(settings.imagesPerChunk());
                    while (chunk.size() < settings.imagesPerChunk() && input.hasNext()) {
                        chunk.add(input.next());
                    }
                    ready.addAll(predictChunk(recognizer, chunk, scratch, conf));
                }
                if (ready.isEmpty() && task == null) {
                    deleteTree(scratch);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /** One image of a chunk: where its bytes are on this machine, or why they could not be had. */
    private static final class Source {
        final String path;
        Path local;
        boolean scratch;
        String error;
        ImageResult result;
        List<FaceCrop> crops = List.of();

        Source(String path) {
            this.path = path;
        }
    }

    private List<Row> predictChunk(
            EmotionRecognizer recognizer, List<Row> chunk, Path scratch, Configuration conf) {
        List<Source> sources = new ArrayList<>(chunk.size());
        List<Path> readable = new ArrayList<>();
        List<Source> readableSources = new ArrayList<>();
        try {
            for (int i = 0; i < chunk.size(); i++) {
                Row row = chunk.get(i);
                Source s = new Source(row.getString(0));
                sources.add(s);
                try {
                    locate(s, row.isNullAt(1) ? null : (byte[]) row.get(1), scratch, i, conf);
                } catch (IOException | IllegalArgumentException e) {
                    s.error =
                            s.path
                                    + ": "
                                    + (e instanceof FileNotFoundException
                                            ? "file not found"
                                            : "cannot read the file (" + e.getMessage() + ")");
                }
                if (s.error == null) {
                    readable.add(s.local);
                    readableSources.add(s);
                }
            }
            boolean extras = settings.embeddings() || settings.descriptorBackbone() != null;
            FaceCropper cropper =
                    extras
                            ? new FaceCropper(
                                    recognizer.options().cropMargin(),
                                    recognizer.options().align(),
                                    recognizer.inputSize())
                            : null;
            Iterator<Source> next = readableSources.iterator();
            recognizer.predictEach(
                    readable,
                    (result, image) -> {
                        Source s = next.next();
                        s.result = result;
                        if (extras && result.ok() && !result.faces().isEmpty()) {
                            // The same crops predict made (FaceCropper is deterministic), kept for
                            // the extra columns.
                            List<FaceCrop> crops = new ArrayList<>(result.faces().size());
                            for (FaceEmotion f : result.faces()) {
                                crops.add(cropper.crop(image, f.face()));
                            }
                            s.crops = crops;
                        }
                    });
            float[][] embeddings = null;
            float[][] descriptors = null;
            List<FaceCrop> allCrops = new ArrayList<>();
            for (Source s : sources) {
                allCrops.addAll(s.crops);
            }
            if (settings.embeddings() && !allCrops.isEmpty()) {
                List<FaceExplanation> e = recognizer.explain(allCrops);
                embeddings = new float[e.size()][];
                for (int i = 0; i < embeddings.length; i++) {
                    embeddings[i] = e.get(i).embedding().data();
                }
            }
            if (settings.descriptorBackbone() != null && !allCrops.isEmpty()) {
                FrBackbone fr = ExecutorModels.backbone(settings, conf);
                List<java.awt.image.BufferedImage> faces = new ArrayList<>(allCrops.size());
                for (FaceCrop c : allCrops) {
                    faces.add(c.image());
                }
                synchronized (fr) {
                    descriptors = FaceDescriptors.of(fr, faces, settings.batchSize());
                }
            }
            List<Row> rows = new ArrayList<>();
            int face = 0;
            for (Source s : sources) {
                if (s.error != null) {
                    rows.add(FaceTable.error(s.path, s.error));
                    continue;
                }
                ImageResult r = s.result;
                if (!r.ok()) {
                    // The library names the file it read; name the source instead of a scratch
                    // copy.
                    r = ImageResult.failed(r.path(), r.error().replace(s.local.toString(), s.path));
                }
                int n = s.crops.size();
                FaceTable.rows(
                        s.path, r, slice(embeddings, face, n), slice(descriptors, face, n), rows);
                face += n;
            }
            return rows;
        } finally {
            for (Source s : sources) {
                if (s.scratch && s.local != null) {
                    s.local.toFile().delete();
                }
            }
        }
    }

    private static float[][] slice(float[][] all, int from, int n) {
        return all == null || n == 0 ? null : java.util.Arrays.copyOfRange(all, from, from + n);
    }

    /**
     * Finds the image's bytes: the row's content, a local file, or a copy of a remote (Hadoop)
     * file.
     */
    private static void locate(Source s, byte[] content, Path scratch, int i, Configuration conf)
            throws IOException {
        if (content != null) {
            s.local = scratch.resolve(String.format(Locale.ROOT, "%05d%s", i, extension(s.path)));
            s.scratch = true;
            Files.write(s.local, content);
            return;
        }
        URI uri;
        try {
            uri = new URI(s.path);
        } catch (URISyntaxException e) {
            uri = null; // a plain local path with characters a URI does not allow
        }
        if (uri == null || uri.getScheme() == null || uri.getScheme().length() == 1 /* C: */) {
            s.local = Path.of(s.path);
            return;
        }
        if ("file".equals(uri.getScheme())) {
            s.local = Path.of(uri);
            return;
        }
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = remote.getFileSystem(conf);
        s.local = scratch.resolve(String.format(Locale.ROOT, "%05d%s", i, extension(s.path)));
        s.scratch = true;
        try (var in = fs.open(remote)) {
            Files.copy(in, s.local);
        }
    }

    /** The file name's extension (with the dot, at most 5 characters), or empty. */
    static String extension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash && path.length() - dot <= 6
                ? path.substring(dot).replaceAll("[^.A-Za-z0-9]", "")
                : "";
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
