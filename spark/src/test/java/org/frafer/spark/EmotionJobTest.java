package org.frafer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.faces.FaceDescriptors;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.FaceExplanation;
import org.frafer.infer.ImageResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job in a real local Spark session (local[2]) against the public API on the same files: the
 * same faces, boxes, keypoints and probabilities (within 1e-4; the job batches faces of other
 * images together), an error row for a bad file, and a second run over the same output that never
 * mixes tables.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmotionJobTest {
    private static final double TOL = 1e-4;

    @TempDir static Path tmp;

    private SparkSession spark;
    private EmotionRecognizer reference;
    private Path photos;

    @BeforeAll
    void start() throws IOException {
        Assumptions.assumeTrue(
                Assets.present("samples/sample1.jpg")
                        && Assets.present("human-models/models/blazeface-back.json"),
                "sample photos / face models missing (run bin/setup)");
        spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("fra-fer-spark-test")
                        .config("spark.ui.enabled", "false")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.sql.shuffle.partitions", "4")
                        .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        reference = EmotionRecognizer.loadDefault();
        photos = Files.createDirectories(tmp.resolve("photos"));
        try (Stream<Path> s = Files.list(Assets.root().resolve("samples"))) {
            for (Path p : s.filter(Images::hasImageExtension).toList()) {
                Files.copy(p, photos.resolve(p.getFileName()));
            }
        }
        byte[] jpeg = Files.readAllBytes(photos.resolve("sample1.jpg"));
        Files.write(photos.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Files.writeString(photos.resolve("broken.jpg"), "this is not a JPEG\n");
        Files.writeString(photos.resolve("notes.txt"), "not an image: the job skips it\n");
    }

    @AfterAll
    void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void samplePhotosGiveTheSameRowsAsPredict() throws IOException {
        String out = tmp.resolve("faces").toString();
        EmotionJob.Summary s =
                EmotionJob.run(spark, JobSpec.images(List.of(photos.toString()), out));
        List<Row> rows = EmotionJob.read(spark, out, "parquet").collectAsList();

        List<Path> files = imageFiles(photos);
        assertEquals(8, files.size());
        List<ImageResult> expected = reference.predictAll(files);
        int faces = expectRows(byFileName(rows), expected);
        assertTrue(faces >= 6, "the sample photos show faces");
        assertEquals(8, s.images());
        assertEquals(2, s.errors());
        assertEquals(faces, s.faces());
        assertTrue(
                rows.stream().noneMatch(r -> r.getString(0).endsWith("notes.txt")),
                "non-image files are skipped like predict does");

        Row broken = byFileName(rows).get("broken.jpg").get(0);
        assertEquals(FaceTable.ERROR, broken.getAs("status"));
        String message = broken.getAs("error");
        assertTrue(
                message.startsWith(broken.getString(0) + ": "),
                "the error names the source file: " + message);
        assertFalse(
                message.contains("frafer-spark-"), "no scratch path in the message: " + message);
        assertTrue(
                ((String) byFileName(rows).get("truncated.jpg").get(0).getAs("error"))
                        .contains("truncated.jpg"));
    }

    @Test
    void rerunOverTheSameOutputFailsCleanlyOrReplacesWhole() throws IOException {
        Path two = Files.createDirectories(tmp.resolve("two"));
        Files.copy(photos.resolve("sample2.jpg"), two.resolve("a.jpg"));
        Files.copy(photos.resolve("broken.jpg"), two.resolve("b.jpg"));
        Path out = tmp.resolve("rerun");
        JobSpec spec = JobSpec.images(List.of(two.toString()), out.toString());
        EmotionJob.Summary first = EmotionJob.run(spark, spec);
        List<String> filesBefore = listing(out);
        long rowsBefore = EmotionJob.read(spark, out.toString(), "parquet").count();

        JobException e = assertThrows(JobException.class, () -> EmotionJob.run(spark, spec));
        assertTrue(
                e.getMessage().contains("already exists")
                        && e.getMessage().contains(out.toString()),
                e.getMessage());
        assertEquals(filesBefore, listing(out), "a refused run leaves the output as it was");

        // The source folder changes, then --overwrite: the output holds exactly the new table.
        Files.delete(two.resolve("b.jpg"));
        EmotionJob.Summary second = EmotionJob.run(spark, spec.withOverwrite(true));
        List<Row> after = EmotionJob.read(spark, out.toString(), "parquet").collectAsList();
        assertEquals(2, first.images());
        assertEquals(1, second.images());
        assertEquals(rowsBefore - 1, after.size(), "no rows of the old table are left");
        assertTrue(after.stream().allMatch(r -> r.getString(0).endsWith("a.jpg")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().startsWith(".rerun.")),
                    "no staging or old folders left behind");
        }
    }

    @Test
    void tableOfPathsWithAMissingFileToJson() throws IOException {
        Path csv = tmp.resolve("list.csv");
        List<Path> files =
                List.of(
                        photos.resolve("sample3.jpg"),
                        tmp.resolve("gone.jpg"),
                        photos.resolve("sample4.jpg"));
        Files.writeString(
                csv,
                "id,image\n"
                        + String.join(
                                "\n", files.stream().map(p -> files.indexOf(p) + "," + p).toList())
                        + "\n");
        String out = tmp.resolve("from-table").toString();
        JobSpec spec =
                new JobSpec(
                        List.of(),
                        csv.toString(),
                        null,
                        "image",
                        out,
                        "json",
                        false,
                        null,
                        PredictSettings.defaults(),
                        List.of());
        EmotionJob.Summary s = EmotionJob.run(spark, spec);
        List<Row> rows = EmotionJob.read(spark, out, "json").collectAsList();
        assertEquals(3, s.images());
        assertEquals(1, s.errors());
        expectRows(byFileName(rows), reference.predictAll(files));
        Row gone = byFileName(rows).get("gone.jpg").get(0);
        assertEquals(tmp.resolve("gone.jpg") + ": file not found", gone.getAs("error"));

        JobException bad =
                assertThrows(
                        JobException.class,
                        () ->
                                EmotionJob.run(
                                        spark,
                                        new JobSpec(
                                                List.of(),
                                                csv.toString(),
                                                null,
                                                "file",
                                                tmp.resolve("x").toString(),
                                                "parquet",
                                                false,
                                                null,
                                                PredictSettings.defaults(),
                                                List.of())));
        assertTrue(
                bad.getMessage().contains("no column 'file'")
                        && bad.getMessage().contains("id, image"),
                bad.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void embeddingsAndDescriptorsMatchTheLibrary() throws IOException {
        Path one = Files.createDirectories(tmp.resolve("one"));
        Files.copy(photos.resolve("sample6.jpg"), one.resolve("sample6.jpg"));
        String out = tmp.resolve("extras").toString();
        EmotionJob.run(
                spark,
                JobSpec.images(List.of(one.toString()), out)
                        .withSettings(PredictSettings.defaults().withExtras(true, "hse-faceres")));
        List<Row> rows = new ArrayList<>(EmotionJob.read(spark, out, "parquet").collectAsList());
        rows.sort(Comparator.comparingInt(r -> r.<Integer>getAs("face_index")));

        List<FaceCrop> crops = reference.faces(Images.read(one.resolve("sample6.jpg")));
        assertEquals(crops.size(), rows.size());
        List<FaceExplanation> expl = reference.explain(crops);
        float[][] desc;
        try (FrBackbone fr = FaceModels.fr("hse-faceres")) {
            desc = FaceDescriptors.of(fr, crops.stream().map(FaceCrop::image).toList(), 16);
        }
        for (int i = 0; i < rows.size(); i++) {
            assertClose(
                    expl.get(i).embedding().data(),
                    floats(rows.get(i).getList(rows.get(i).fieldIndex("embedding"))),
                    "embedding of face " + i);
            float[] d = floats(rows.get(i).getList(rows.get(i).fieldIndex("descriptor")));
            assertClose(desc[i], d, "descriptor of face " + i);
            double norm = 0;
            for (float v : d) {
                norm += v * v;
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-4, "descriptors have unit length");
        }
    }

    @Test
    void ferPlusFacesGiveTheSameRowsAsPredict() throws IOException {
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(
                data != null && Files.isDirectory(data.resolve("ferplus/FER2013Test")),
                "FRAFER_DATA with ferplus/FER2013Test not set: FER+ part of the Spark job test skipped");
        List<Path> files = imageFiles(data.resolve("ferplus/FER2013Test")).subList(0, 200);
        Path csv = tmp.resolve("ferplus.csv");
        Files.writeString(
                csv,
                "path\n"
                        + files.stream().map(Path::toString).collect(Collectors.joining("\n"))
                        + "\n");
        String out = tmp.resolve("ferplus-out").toString();
        EmotionJob.Summary s = EmotionJob.run(spark, JobSpec.table(csv.toString(), "path", out));
        assertEquals(200, s.images());
        assertEquals(0, s.errors());
        int faces =
                expectRows(
                        byFileName(EmotionJob.read(spark, out, "parquet").collectAsList()),
                        reference.predictAll(files));
        assertEquals(faces, s.faces());
        assertTrue(faces > 80, "BlazeFace finds most FER+ faces, got " + faces);
    }

    @Test
    void missingInputIsAOneLineError() {
        JobException e =
                assertThrows(
                        JobException.class,
                        () ->
                                EmotionJob.run(
                                        spark,
                                        JobSpec.images(
                                                List.of(tmp.resolve("nowhere").toString()),
                                                tmp.resolve("o").toString())));
        assertEquals(
                "input " + tmp.resolve("nowhere") + ": no such file or folder", e.getMessage());
        Path empty = tmp.resolve("empty");
        assertDoesNotThrowIo(() -> Files.createDirectories(empty));
        JobException none =
                assertThrows(
                        JobException.class,
                        () ->
                                EmotionJob.run(
                                        spark,
                                        JobSpec.images(
                                                List.of(empty.toString()),
                                                tmp.resolve("o").toString())));
        assertTrue(none.getMessage().startsWith("no image files"), none.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Checks the job's rows of each file against the library's result; returns the number of faces.
     */
    private static int expectRows(Map<String, List<Row>> rows, List<ImageResult> expected) {
        int faces = 0;
        for (ImageResult r : expected) {
            String name = r.path().getFileName().toString();
            List<Row> got = rows.get(name);
            assertNotNull(got, "no row for " + name);
            if (!r.ok()) {
                assertEquals(1, got.size());
                assertEquals(FaceTable.ERROR, got.get(0).getAs("status"), name);
                assertNotNull(got.get(0).getAs("error"));
                continue;
            }
            assertEquals((Integer) r.width(), got.get(0).getAs("width"), name);
            assertEquals((Integer) r.height(), got.get(0).getAs("height"), name);
            if (r.faces().isEmpty()) {
                assertEquals(1, got.size(), name);
                assertEquals(FaceTable.NO_FACE, got.get(0).getAs("status"), name);
                continue;
            }
            assertEquals(r.faces().size(), got.size(), "faces in " + name);
            got.sort(Comparator.comparingInt(x -> x.<Integer>getAs("face_index")));
            for (int i = 0; i < got.size(); i++) {
                Row row = got.get(i);
                FaceEmotion f = r.faces().get(i);
                String what = name + " face " + i;
                assertEquals(FaceTable.OK, row.getAs("status"));
                assertEquals((Integer) r.faces().size(), row.getAs("face_count"));
                Row box = row.getAs("box");
                assertClose(
                        new float[] {
                            f.face().x(),
                            f.face().y(),
                            f.face().width(),
                            f.face().height(),
                            f.face().score()
                        },
                        new float[] {
                            box.getFloat(0),
                            box.getFloat(1),
                            box.getFloat(2),
                            box.getFloat(3),
                            row.<Float>getAs("face_score")
                        },
                        what + " box");
                List<Row> kp = row.getList(row.fieldIndex("keypoints"));
                assertEquals(f.face().keypoints().length, kp.size());
                for (int k = 0; k < kp.size(); k++) {
                    assertClose(
                            f.face().keypoints()[k],
                            new float[] {kp.get(k).getFloat(0), kp.get(k).getFloat(1)},
                            what + " keypoint " + k);
                }
                scala.collection.Map<String, Float> probs =
                        row.getMap(row.fieldIndex("probabilities"));
                float[] p = new float[f.classes().size()];
                for (int c = 0; c < p.length; c++) {
                    p[c] = probs.apply(f.classes().get(c));
                }
                assertClose(f.probabilities(), p, what + " probabilities");
                assertEquals(f.label(), row.getAs("label"), what);
                assertEquals(f.score(), row.<Float>getAs("score"), TOL, what);
                assertNull(row.getAs("embedding"));
                faces++;
            }
        }
        return faces;
    }

    private static Map<String, List<Row>> byFileName(List<Row> rows) {
        Map<String, List<Row>> m = new HashMap<>();
        for (Row r : rows) {
            String p = r.getString(0);
            m.computeIfAbsent(p.substring(p.lastIndexOf('/') + 1), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    private static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Images::hasImageExtension).sorted().toList();
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + " " + p.toFile().length()).sorted().toList();
        }
    }

    private static float[] floats(List<Object> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) l.get(i)).floatValue();
        }
        return f;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL, what + " [" + i + "]");
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void assertDoesNotThrowIo(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
