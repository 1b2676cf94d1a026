package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.frafer.testing.BadFiles;
import org.frafer.train.TinyNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs through every command (issue 15). Each case asserts the exit code (0 all
 * processed, 1 some inputs failed, 2 usage/config, 3 output not written), a one-line message naming
 * the file (no stack trace), the results of the good inputs of the same run, that no input or
 * earlier output changed, and that no temporary file is left. Disk-full and read-only cases use a
 * small tmpfs when this process may mount one (root in a container), and are skipped with a message
 * otherwise.
 */
class FuzzSuiteTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TinyEmotionNetwork weights;

    @TempDir static Path root;

    @BeforeAll
    static void doubles() {
        weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        CliTestSupport.useDoubles(weights);
    }

    @AfterAll
    static void reset() {
        CliTestSupport.reset();
        weights.close();
    }

    // ------------------------------------------------------------------ helpers

    /** A fresh case folder with two good photos (one face each) in {@code in/}. */
    static Path caseDir(String name) throws IOException {
        Path d = Files.createDirectories(root.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
        Files.createDirectories(d.resolve("in"));
        TestImages.writePng(
                TestImages.withFaces(160, 120, 1, new int[] {10, 10, 50, 60}),
                d.resolve("in/good1.png"));
        TestImages.writePng(
                TestImages.withFaces(160, 120, 2, new int[] {60, 30, 60, 60}),
                d.resolve("in/good2.png"));
        return d;
    }

    /** Path -> SHA-256 of every file below {@code dir} (links not followed). */
    static Map<Path, String> snapshot(Path dir) throws IOException {
        Map<Path, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p), sha(p));
            }
        }
        return m;
    }

    static String sha(Path p) throws IOException {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No stack trace, and every error line is one line naming {@code name} (when given). */
    static void cleanMessage(String err, String name, int code) {
        assertFalse(
                err.contains("\tat ")
                        || err.contains("Exception in thread")
                        || err.matches("(?s).*\\n\\s+at [a-z]+\\..*"),
                "stack trace in:\n" + err);
        assertFalse(err.contains("cannot load the model") && code != ExitCodes.USAGE, err);
        if (name != null) {
            assertTrue(
                    err.lines().anyMatch(l -> l.contains(name)),
                    "no message naming " + name + " in:\n" + err);
        }
    }

    static void noTempLeft(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> tmp =
                    s.filter(p -> p.getFileName().toString().matches("\\..*\\.tmp")).toList();
            assertTrue(tmp.isEmpty(), "temporary files left: " + tmp);
        }
    }

    /** The jsonl results: file name -> status. */
    static Map<String, String> statuses(String jsonl) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : jsonl.split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                m.put(
                        Path.of(n.get("file").asText()).getFileName().toString(),
                        n.get("status").asText());
            }
        }
        return m;
    }

    static void goodResults(Map<String, String> statuses) {
        assertEquals("ok", statuses.get("good1.png"), "good1 in " + statuses);
        assertEquals("ok", statuses.get("good2.png"), "good2 in " + statuses);
    }

    static byte[] png() throws IOException {
        return BadFiles.encode(
                TestImages.withFaces(160, 120, 3, new int[] {20, 20, 60, 60}), "png");
    }

    static byte[] jpeg() throws IOException {
        return BadFiles.encode(
                TestImages.withFaces(160, 120, 4, new int[] {20, 20, 60, 60}), "jpeg");
    }

    /**
     * A small tmpfs at {@code dir} (read-only when asked), or null when this process may not mount.
     */
    static Path tmpfs(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        Process p =
                new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
                        .redirectErrorStream(true)
                        .start();
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        return done && p.exitValue() == 0 ? dir : null;
    }

    static void umount(Path dir) throws Exception {
        new ProcessBuilder("umount", "-l", dir.toString())
                .redirectErrorStream(true)
                .start()
                .waitFor(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ bad images

    /**
     * Every unreadable file next to two good photos: exit 1, one message naming it, the good photos
     * classified.
     */
    @TestFactory
    Stream<DynamicTest> unreadableImages() throws IOException {
        return BadFiles.unreadable(png(), jpeg()).entrySet().stream()
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        e.getKey(),
                                        () -> {
                                            Path d = caseDir("bad-" + e.getKey());
                                            Path bad =
                                                    Files.write(
                                                            d.resolve("in").resolve(e.getKey()),
                                                            e.getValue());
                                            Map<Path, String> before = snapshot(d);
                                            CliTestSupport.Run r =
                                                    CliTestSupport.run(
                                                            "predict",
                                                            "--format",
                                                            "jsonl",
                                                            d.resolve("in").toString());
                                            assertEquals(
                                                    ExitCodes.INPUT_FAILED, r.exitCode(), r.err());
                                            cleanMessage(
                                                    r.err(),
                                                    bad.getFileName().toString(),
                                                    r.exitCode());
                                            assertEquals(
                                                    1,
                                                    r.err()
                                                            .lines()
                                                            .filter(l -> l.startsWith("error:"))
                                                            .count(),
                                                    r.err());
                                            Map<String, String> st = statuses(r.out());
                                            goodResults(st);
                                            assertEquals(
                                                    "error", st.get(e.getKey()), st.toString());
                                            assertEquals(before, snapshot(d));
                                        }));
    }

    /**
     * Valid pictures with decompression bombs in their metadata: read like any photo (exit 0),
     * memory bounded.
     */
    @TestFactory
    Stream<DynamicTest> metadataBombs() throws IOException {
        return BadFiles.metadataBombs(png(), jpeg()).entrySet().stream()
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        e.getKey(),
                                        () -> {
                                            Path d = caseDir("meta-" + e.getKey());
                                            Files.write(
                                                    d.resolve("in").resolve(e.getKey()),
                                                    e.getValue());
                                            Map<Path, String> before = snapshot(d);
                                            CliTestSupport.Run r =
                                                    CliTestSupport.run(
                                                            "predict",
                                                            "--format",
                                                            "jsonl",
                                                            d.resolve("in").toString());
                                            assertEquals(ExitCodes.OK, r.exitCode(), r.err());
                                            cleanMessage(r.err(), null, r.exitCode());
                                            Map<String, String> st = statuses(r.out());
                                            goodResults(st);
                                            assertEquals("ok", st.get(e.getKey()), st.toString());
                                            assertEquals(before, snapshot(d));
                                        }));
    }

    /** Links, pipes and loops among the inputs. */
    @TestFactory
    Stream<DynamicTest> linksAndSpecialFiles() {
        return Stream.of(
                DynamicTest.dynamicTest(
                        "symlinked folder is searched",
                        () -> {
                            Path d = caseDir("link-folder");
                            Path link =
                                    Files.createSymbolicLink(d.resolve("linked"), d.resolve("in"));
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict", "--format", "jsonl", link.toString());
                            assertEquals(0, r.exitCode(), r.err());
                            goodResults(statuses(r.out()));
                        }),
                DynamicTest.dynamicTest(
                        "glob through a link",
                        () -> {
                            Path d = caseDir("link-glob");
                            Path link =
                                    Files.createSymbolicLink(d.resolve("linked"), d.resolve("in"));
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict", "--format", "jsonl", link + "/*.png");
                            assertEquals(0, r.exitCode(), r.err());
                            goodResults(statuses(r.out()));
                        }),
                DynamicTest.dynamicTest(
                        "linked sub-folder and a link loop",
                        () -> {
                            Path d = caseDir("link-sub");
                            Path other = Files.createDirectories(d.resolve("other"));
                            Files.move(d.resolve("in/good2.png"), other.resolve("good2.png"));
                            Files.createSymbolicLink(d.resolve("in/sub"), other);
                            Files.createSymbolicLink(d.resolve("in/loop"), d.resolve("in"));
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--format",
                                            "jsonl",
                                            d.resolve("in").toString());
                            assertEquals(0, r.exitCode(), r.err());
                            goodResults(statuses(r.out()));
                            cleanMessage(r.err(), "loop", r.exitCode());
                        }),
                DynamicTest.dynamicTest(
                        "FIFO given as a file",
                        () -> {
                            Path d = caseDir("fifo");
                            Path fifo = d.resolve("in/pipe.jpg");
                            Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
                            Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo not available");
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--format",
                                            "jsonl",
                                            fifo.toString(),
                                            d.resolve("in/good1.png").toString(),
                                            d.resolve("in/good2.png").toString());
                            assertEquals(ExitCodes.INPUT_FAILED, r.exitCode(), r.err());
                            cleanMessage(r.err(), "pipe.jpg", r.exitCode());
                            assertTrue(r.err().contains("not a regular file"), r.err());
                            goodResults(statuses(r.out()));
                            // in a folder it is skipped with a note (never opened: reading a FIFO
                            // blocks)
                            CliTestSupport.Run folder =
                                    CliTestSupport.run(
                                            "predict",
                                            "--format",
                                            "jsonl",
                                            d.resolve("in").toString());
                            assertEquals(0, folder.exitCode(), folder.err());
                            assertTrue(folder.err().contains("pipe"), folder.err());
                        }));
    }

    // ------------------------------------------------------------------ outputs

    @TestFactory
    Stream<DynamicTest> outputsNeverReplaceInputs() {
        return Stream.of(
                DynamicTest.dynamicTest(
                        "-o naming a folder",
                        () -> {
                            Path d = caseDir("o-folder");
                            Path folder = Files.createDirectories(d.resolve("results"));
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "-o",
                                            folder.toString(),
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), folder.toString(), r.exitCode());
                            assertEquals(before, snapshot(d));
                            noTempLeft(d);
                        }),
                DynamicTest.dynamicTest(
                        "-o naming an input",
                        () -> {
                            Path d = caseDir("o-input");
                            Path input = d.resolve("in/good1.png");
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "-o",
                                            input.toString(),
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), input.toString(), r.exitCode());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "--annotate into the input folder",
                        () -> {
                            Path d = caseDir("annotate-input");
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--annotate",
                                            d.resolve("in").toString(),
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), "--annotate", r.exitCode());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "--annotate into a folder holding the inputs",
                        () -> {
                            Path d = caseDir("annotate-parent");
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--annotate",
                                            d.toString(),
                                            d.resolve("in/good1.png").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "--annotate naming a file",
                        () -> {
                            Path d = caseDir("annotate-file");
                            Path file = Files.writeString(d.resolve("notes.txt"), "keep me");
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--annotate",
                                            file.toString(),
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), file.toString(), r.exitCode());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "faces detect --out into the input folder",
                        () -> {
                            Path d = caseDir("detect-input");
                            Map<Path, String> before = snapshot(d);
                            org.frafer.testing.CliRun.Run r =
                                    org.frafer.testing.CliRun.run(
                                            "faces",
                                            "detect",
                                            d.resolve("in").toString(),
                                            "--out",
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.code(), r.err());
                            cleanMessage(r.err(), "--out", r.code());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "faces detect --out naming a file",
                        () -> {
                            Path d = caseDir("detect-file");
                            Path file = Files.writeString(d.resolve("out.txt"), "keep me");
                            Map<Path, String> before = snapshot(d);
                            org.frafer.testing.CliRun.Run r =
                                    org.frafer.testing.CliRun.run(
                                            "faces",
                                            "detect",
                                            d.resolve("in").toString(),
                                            "--out",
                                            file.toString());
                            assertEquals(ExitCodes.USAGE, r.code(), r.err());
                            cleanMessage(r.err(), file.toString(), r.code());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "compare --out naming an input report",
                        () -> {
                            Path d = caseDir("compare-input");
                            Path a = writeReport(d.resolve("a.json"));
                            Path b = writeReport(d.resolve("b.json"));
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "compare",
                                            "--out",
                                            a.toString(),
                                            a.toString(),
                                            b.toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), a.toString(), r.exitCode());
                            assertEquals(before, snapshot(d));
                        }),
                DynamicTest.dynamicTest(
                        "compare --out naming a folder",
                        () -> {
                            Path d = caseDir("compare-folder");
                            Path a = writeReport(d.resolve("a.json"));
                            Path b = writeReport(d.resolve("b.json"));
                            Path folder = Files.createDirectories(d.resolve("tables"));
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "compare",
                                            "--out",
                                            folder.toString(),
                                            a.toString(),
                                            b.toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), folder.toString(), r.exitCode());
                            noTempLeft(d);
                        }),
                DynamicTest.dynamicTest(
                        "compare rejects {}",
                        () -> {
                            Path d = caseDir("compare-empty");
                            Path a = writeReport(d.resolve("a.json"));
                            Path empty = Files.writeString(d.resolve("empty.json"), "{}");
                            CliTestSupport.Run r =
                                    CliTestSupport.run("compare", a.toString(), empty.toString());
                            assertEquals(ExitCodes.INPUT_FAILED, r.exitCode(), r.err());
                            cleanMessage(r.err(), empty.toString(), r.exitCode());
                        }),
                DynamicTest.dynamicTest(
                        "option errors are not model errors",
                        () -> {
                            Path d = caseDir("bad-option");
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "predict",
                                            "--min-face-score",
                                            "2",
                                            d.resolve("in").toString());
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            assertFalse(r.err().contains("cannot load the model"), r.err());
                            assertTrue(r.err().contains("min face score"), r.err());
                        }));
    }

    static Path writeReport(Path file) throws IOException {
        org.frafer.eval.ConfusionMatrix cm =
                org.frafer.eval.ConfusionMatrix.of(
                        List.of("Anger", "Happiness"), new long[][] {{3, 1}, {1, 5}});
        Files.writeString(
                file,
                "{\"dataset\":\"d\",\"split\":\"test\",\"model\":\"m\",\"classes\":[\"Anger\",\"Happiness\"],"
                        + "\"samplesSeen\":10,\"samplesEvaluated\":10,\"accuracy\":"
                        + cm.accuracy()
                        + ",\"balancedAccuracy\":"
                        + cm.balancedAccuracy()
                        + ",\"macroF1\":"
                        + cm.macroF1()
                        + ",\"confusion\":[[3,1],[1,5]],\"perClass\":[]}");
        return file;
    }

    /**
     * Full disk and read-only places: exit 3, the message names the file, earlier outputs kept, no
     * temp left.
     */
    @TestFactory
    Stream<DynamicTest> fullDiskAndReadOnly() {
        return Stream.of(
                DynamicTest.dynamicTest(
                        "predict -o on a full disk",
                        () -> {
                            Path d = caseDir("full-o");
                            Path mnt = tmpfs(d.resolve("mnt"), "size=64k");
                            Assumptions.assumeTrue(
                                    mnt != null,
                                    "cannot mount a tmpfs here (needs root): disk-full case skipped");
                            try {
                                Path out =
                                        Files.writeString(
                                                mnt.resolve("results.jsonl"), "earlier results\n");
                                Files.write(mnt.resolve("filler"), new byte[40 * 1024]);
                                // enough photos to write more than the free space
                                for (int i = 0; i < 40; i++) {
                                    Files.copy(
                                            d.resolve("in/good1.png"),
                                            d.resolve("in/copy" + i + ".png"));
                                }
                                Map<Path, String> before = snapshot(d.resolve("in"));
                                String earlier = sha(out);
                                String[] args = {
                                    "predict",
                                    "--format",
                                    "jsonl",
                                    "-o",
                                    out.toString(),
                                    d.resolve("in").toString()
                                };
                                // fill the disk to the last bytes so the results cannot fit
                                fill(mnt);
                                CliTestSupport.Run r = CliTestSupport.run(args);
                                assertEquals(ExitCodes.OUTPUT_FAILED, r.exitCode(), r.err());
                                cleanMessage(r.err(), out.toString(), r.exitCode());
                                assertTrue(r.err().contains("left as it was"), r.err());
                                assertEquals(
                                        earlier, sha(out), "the earlier results file was changed");
                                assertEquals(before, snapshot(d.resolve("in")));
                                noTempLeft(mnt);
                            } finally {
                                umount(mnt);
                            }
                        }),
                DynamicTest.dynamicTest(
                        "predict --annotate on a full disk",
                        () -> {
                            Path d = caseDir("full-annotate");
                            Path mnt = tmpfs(d.resolve("mnt"), "size=64k");
                            Assumptions.assumeTrue(
                                    mnt != null,
                                    "cannot mount a tmpfs here (needs root): disk-full case skipped");
                            try {
                                fill(mnt);
                                Map<Path, String> before = snapshot(d.resolve("in"));
                                CliTestSupport.Run r =
                                        CliTestSupport.run(
                                                "predict",
                                                "--format",
                                                "jsonl",
                                                "--annotate",
                                                mnt.resolve("ann").toString(),
                                                d.resolve("in").toString());
                                assertEquals(ExitCodes.OUTPUT_FAILED, r.exitCode(), r.err());
                                cleanMessage(r.err(), mnt.resolve("ann").toString(), r.exitCode());
                                goodResults(statuses(r.out())); // the results themselves went to
                                // standard output
                                assertEquals(before, snapshot(d.resolve("in")));
                                noTempLeft(mnt);
                            } finally {
                                umount(mnt);
                            }
                        }),
                DynamicTest.dynamicTest(
                        "predict -o on a read-only file system",
                        () -> {
                            Path d = caseDir("ro-o");
                            Path mnt = tmpfs(d.resolve("mnt"), "size=64k,ro");
                            Assumptions.assumeTrue(
                                    mnt != null,
                                    "cannot mount a read-only tmpfs here (needs root): read-only case skipped");
                            try {
                                Path out = mnt.resolve("results.jsonl");
                                CliTestSupport.Run r =
                                        CliTestSupport.run(
                                                "predict",
                                                "-o",
                                                out.toString(),
                                                d.resolve("in").toString());
                                assertEquals(ExitCodes.OUTPUT_FAILED, r.exitCode(), r.err());
                                cleanMessage(r.err(), out.toString(), r.exitCode());
                                assertTrue(r.err().contains("nothing was written"), r.err());
                            } finally {
                                umount(mnt);
                            }
                        }),
                DynamicTest.dynamicTest(
                        "compare --out on a read-only file system",
                        () -> {
                            Path d = caseDir("ro-compare");
                            Path a = writeReport(d.resolve("a.json"));
                            Path b = writeReport(d.resolve("b.json"));
                            Path mnt = tmpfs(d.resolve("mnt"), "size=64k,ro");
                            Assumptions.assumeTrue(
                                    mnt != null,
                                    "cannot mount a read-only tmpfs here (needs root): read-only case skipped");
                            try {
                                CliTestSupport.Run r =
                                        CliTestSupport.run(
                                                "compare",
                                                "--out",
                                                mnt.resolve("t.txt").toString(),
                                                a.toString(),
                                                b.toString());
                                assertEquals(ExitCodes.OUTPUT_FAILED, r.exitCode(), r.err());
                                cleanMessage(
                                        r.err(), mnt.resolve("t.txt").toString(), r.exitCode());
                            } finally {
                                umount(mnt);
                            }
                        }));
    }

    /** Fills a file system until a write fails. */
    static void fill(Path dir) {
        byte[] block = new byte[1024];
        for (int i = 0; ; i++) {
            try {
                Files.write(dir.resolve("fill" + i), block);
            } catch (IOException e) {
                try {
                    Files.write(dir.resolve("fillb" + i), new byte[16]);
                } catch (IOException ignored) {
                    return;
                }
            }
            if (i > 100_000) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ bad CSVs, datasets and
    // configs

    static final String AFFECTNET_HEADER =
            "subDirectory_filePath,face_x,face_y,face_width,face_height,expression";

    /** An AffectNet-style folder: validation.csv with 4 good rows and the given extra row. */
    static Path affectNet(Path d, String badRow) throws IOException {
        Path data = Files.createDirectories(d.resolve("affectnet"));
        StringBuilder csv = new StringBuilder(AFFECTNET_HEADER).append('\n');
        for (int i = 0; i < 4; i++) {
            TestImages.writePng(
                    TestImages.withFaces(64, 64, 10 + i, new int[] {8, 8, 40, 40}),
                    data.resolve("f" + i + ".png"));
            csv.append("f")
                    .append(i)
                    .append(".png,0,0,64,64,")
                    .append(i % 2 == 0 ? 1 : 0)
                    .append('\n');
        }
        if (badRow != null) {
            csv.append(badRow).append('\n');
        }
        Files.writeString(data.resolve("validation.csv"), csv);
        return data;
    }

    static Path tinyModel(Path d) {
        Path model = d.resolve("model");
        try (TinyNetwork n =
                new TinyNetwork(
                        TinyNetwork.config(org.frafer.data.EmotionClasses.EIGHT, 32), true, 1)) {
            n.save(model);
        }
        return model;
    }

    @TestFactory
    Stream<DynamicTest> badCsvRows() {
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        rows.put("too few fields", "f0.png,0,0,64");
        rows.put("expression not a number", "f0.png,0,0,64,64,happy");
        rows.put("negative box", "f0.png,-5,0,64,64,1");
        rows.put("missing image", "nothere.png,0,0,64,64,1");
        rows.put("empty path", ",0,0,64,64,1");
        rows.put("unbalanced quote", "\"f0.png,0,0,64,64,1");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, String> e : rows.entrySet()) {
            tests.add(
                    DynamicTest.dynamicTest(
                            "evaluate: " + e.getKey(),
                            () -> evaluateBadRow(e.getKey(), e.getValue())));
        }
        tests.add(
                DynamicTest.dynamicTest(
                        "evaluate: CSV without a needed column",
                        () -> {
                            Path d = caseDir("csv-no-column");
                            Path data = affectNet(d, null);
                            Files.writeString(
                                    data.resolve("validation.csv"),
                                    "subDirectory_filePath,face_x\nf0.png,0\n");
                            Map<Path, String> before = snapshot(d);
                            CliTestSupport.services =
                                    new CliServices(
                                            org.frafer.model.Networks::create,
                                            dir -> TinyNetwork.load(dir, true),
                                            DatasetAccess.REAL);
                            try {
                                Path model = tinyModel(d);
                                before = snapshot(d);
                                CliTestSupport.Run r =
                                        CliTestSupport.run(
                                                "evaluate",
                                                "--model",
                                                model.toString(),
                                                "--data",
                                                data.toString(),
                                                "--format",
                                                "affectnet",
                                                "--out",
                                                d.resolve("r.json").toString(),
                                                "--no-progress");
                                assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                                cleanMessage(r.err(), "validation.csv", r.exitCode());
                                assertEquals(before, snapshot(d));
                            } finally {
                                CliTestSupport.services = null;
                            }
                        }));
        tests.add(
                DynamicTest.dynamicTest(
                        "evaluate: folder format default split",
                        () -> {
                            Path d = caseDir("folder-split");
                            Path data = Files.createDirectories(d.resolve("faces/happy"));
                            Files.createDirectories(d.resolve("faces/sad"));
                            TestImages.writePng(
                                    TestImages.withFaces(64, 64, 1, new int[] {8, 8, 40, 40}),
                                    data.resolve("a.png"));
                            TestImages.writePng(
                                    TestImages.withFaces(64, 64, 2, new int[] {8, 8, 40, 40}),
                                    d.resolve("faces/sad/b.png"));
                            CliTestSupport.services =
                                    new CliServices(
                                            org.frafer.model.Networks::create,
                                            dir -> TinyNetwork.load(dir, true),
                                            DatasetAccess.REAL);
                            try {
                                Path model = tinyModel(d);
                                CliTestSupport.Run r =
                                        CliTestSupport.run(
                                                "evaluate",
                                                "--model",
                                                model.toString(),
                                                "--data",
                                                d.resolve("faces").toString(),
                                                "--format",
                                                "folder",
                                                "--out",
                                                d.resolve("r.json").toString(),
                                                "--no-progress");
                                assertEquals(0, r.exitCode(), r.err());
                                JsonNode report = JSON.readTree(d.resolve("r.json").toFile());
                                assertEquals(2, report.get("samplesEvaluated").asInt());
                            } finally {
                                CliTestSupport.services = null;
                            }
                        }));
        tests.add(
                DynamicTest.dynamicTest(
                        "train: FER+ root without FER2013Train",
                        () -> {
                            Path d = caseDir("ferplus-missing");
                            Path data = Files.createDirectories(d.resolve("ferplus/FER2013Valid"));
                            CliTestSupport.Run r =
                                    CliTestSupport.run(
                                            "train",
                                            "--data",
                                            d.resolve("ferplus").toString(),
                                            "--format",
                                            "ferplus",
                                            "--out",
                                            d.resolve("run").toString(),
                                            "--no-progress");
                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                            cleanMessage(r.err(), "FER2013Train", r.exitCode());
                            assertFalse(Files.exists(d.resolve("run/checkpoints")));
                            assertTrue(Files.isDirectory(data));
                        }));
        return tests.stream();
    }

    static void evaluateBadRow(String what, String row) throws Exception {
        Path d = caseDir("csv-" + what);
        Path data = affectNet(d, row);
        CliTestSupport.services =
                new CliServices(
                        org.frafer.model.Networks::create,
                        dir -> TinyNetwork.load(dir, true),
                        DatasetAccess.REAL);
        try {
            Path model = tinyModel(d);
            Path report = d.resolve("report.json");
            Map<Path, String> before = snapshot(d);
            // default split for affectnet is valid (validation.csv)
            CliTestSupport.Run r =
                    CliTestSupport.run(
                            "evaluate",
                            "--model",
                            model.toString(),
                            "--data",
                            data.toString(),
                            "--format",
                            "affectnet",
                            "--out",
                            report.toString(),
                            "--no-progress");
            assertEquals(ExitCodes.USAGE, r.exitCode(), what + ": " + r.err());
            cleanMessage(r.err(), "validation.csv line 6", r.exitCode());
            assertTrue(r.err().contains("--skip-bad-rows"), r.err());
            assertEquals(before, snapshot(d), "nothing written");
            CliTestSupport.Run skip =
                    CliTestSupport.run(
                            "evaluate",
                            "--model",
                            model.toString(),
                            "--data",
                            data.toString(),
                            "--format",
                            "affectnet",
                            "--out",
                            report.toString(),
                            "--no-progress",
                            "--skip-bad-rows");
            assertEquals(0, skip.exitCode(), what + ": " + skip.err());
            assertEquals(
                    4,
                    JSON.readTree(report.toFile()).get("samplesEvaluated").asInt(),
                    "the good rows were scored");
            noTempLeft(d);
        } finally {
            CliTestSupport.services = null;
        }
    }

    @TestFactory
    Stream<DynamicTest> badModelConfigs() {
        Map<String, String> configs = new java.util.LinkedHashMap<>();
        configs.put(
                "inputSize 20000",
                "{\"arch\":\"tf_efficientnet_b0\",\"fusion\":\"none\",\"inputSize\":20000}");
        configs.put(
                "duplicate class names",
                "{\"arch\":\"tf_efficientnet_b0\",\"fusion\":\"none\",\"classes\":[\"Anger\",\"Anger\",\"Happiness\"]}");
        configs.put(
                "blank class name",
                "{\"arch\":\"tf_efficientnet_b0\",\"fusion\":\"none\",\"classes\":[\"Anger\",\" \"]}");
        configs.put("not JSON", "inputSize: 224");
        configs.put("unknown key", "{\"inputSize\":224,\"bogus\":1}");
        configs.put("negative inputSize", "{\"inputSize\":-3}");
        return configs.entrySet().stream()
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        e.getKey(),
                                        () -> {
                                            Path d = caseDir("config-" + e.getKey());
                                            Path model =
                                                    Files.createDirectories(d.resolve("model"));
                                            Files.writeString(
                                                    model.resolve("config.json"), e.getValue());
                                            Files.write(
                                                    model.resolve("model.safetensors"),
                                                    new byte[] {
                                                        8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ',
                                                        ' ', ' ', ' ', ' '
                                                    });
                                            Map<Path, String> before = snapshot(d);
                                            CliTestSupport.Run r =
                                                    CliTestSupport.run(
                                                            "evaluate",
                                                            "--model",
                                                            model.toString(),
                                                            "--data",
                                                            affectNet(d, null).toString(),
                                                            "--format",
                                                            "affectnet",
                                                            "--out",
                                                            d.resolve("r.json").toString(),
                                                            "--no-progress");
                                            assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
                                            cleanMessage(r.err(), "config", r.exitCode());
                                            assertEquals(
                                                    1,
                                                    r.err().lines().count(),
                                                    "one line: " + r.err());
                                            assertFalse(Files.exists(d.resolve("r.json")));
                                            before.keySet()
                                                    .forEach(
                                                            k ->
                                                                    assertTrue(
                                                                            Files.exists(
                                                                                    d.resolve(k))));
                                        }));
    }

    // ------------------------------------------------------------------ interrupted writes

    /**
     * A run killed with SIGTERM while writing: the earlier results file is intact and no temporary
     * file is left.
     */
    @TestFactory
    Stream<DynamicTest> interruptedWrites() {
        return Stream.of(
                DynamicTest.dynamicTest(
                        "SIGTERM during predict -o",
                        () -> {
                            Path d = caseDir("sigterm");
                            for (int i = 0; i < 150; i++) {
                                Files.copy(
                                        d.resolve("in/good1.png"),
                                        d.resolve("in/copy" + i + ".png"));
                            }
                            Path out =
                                    Files.writeString(
                                            d.resolve("results.jsonl"), "earlier results\n");
                            String earlier = sha(out);
                            String java =
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString();
                            ProcessBuilder pb =
                                    new ProcessBuilder(
                                            java,
                                            "-cp",
                                            System.getProperty("java.class.path"),
                                            "-Dai.djl.offline=true",
                                            SlowPredictMain.class.getName(),
                                            "predict",
                                            "--format",
                                            "jsonl",
                                            "-o",
                                            out.toString(),
                                            d.resolve("in").toString());
                            pb.redirectErrorStream(true)
                                    .redirectOutput(d.resolve("child.log").toFile());
                            Process p = pb.start();
                            try {
                                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                                while (System.nanoTime() < deadline
                                        && tempFiles(d).isEmpty()
                                        && p.isAlive()) {
                                    Thread.sleep(50);
                                }
                                Assumptions.assumeTrue(
                                        p.isAlive() && !tempFiles(d).isEmpty(),
                                        "the child never started writing: "
                                                + Files.readString(d.resolve("child.log")));
                                Thread.sleep(200);
                                p.destroy(); // SIGTERM
                                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                            } finally {
                                p.destroyForcibly();
                            }
                            assertEquals(earlier, sha(out), "the earlier results were changed");
                            assertEquals(
                                    List.of(), tempFiles(d), "temporary files left after SIGTERM");
                        }));
    }

    static List<Path> tempFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("\\..*\\.tmp")).toList();
        }
    }

    /** Case names, so the report can count them. */
    static Set<String> names(Stream<DynamicTest> s) {
        Set<String> n = new HashSet<>();
        s.forEach(t -> n.add(t.getDisplayName()));
        return n;
    }
}
