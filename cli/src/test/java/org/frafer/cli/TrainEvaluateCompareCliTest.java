package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.train.TinyNetwork;
import org.frafer.train.TrainConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The train / evaluate / compare commands end to end on synthetic data and a tiny network, plus
 * argument errors.
 */
@Tag("slow")
class TrainEvaluateCompareCliTest {
    static final List<String> FOUR = EmotionClasses.EIGHT.subList(0, 4);
    final List<DatasetAccess.Request> requests = new ArrayList<>();

    /** Tiny networks and synthetic datasets; a test may switch to the real dataset readers. */
    CliServices services;

    record Run(int code, String out, String err) {}

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(services);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void syntheticBackend() {
        DatasetAccess synthetic =
                SyntheticDatasets.fourClasses(
                        r -> r.limit() != null ? r.limit() : "train".equals(r.split()) ? 96 : 32,
                        requests,
                        true);
        services =
                new CliServices(
                        c -> new TinyNetwork(c, true, 1),
                        dir -> TinyNetwork.load(dir, true),
                        synthetic);
    }

    @Test
    void trainResumeEvaluateCompare(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, "{\"recipe\": \"hsemotion\", \"logEvery\": 4, \"samRho\": 0.02}");
        Path runDir = dir.resolve("run");
        Run r =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "FerPlus",
                        "--config",
                        cfg.toString(),
                        "--input-size",
                        "32",
                        "--batch",
                        "16",
                        "--head-epochs",
                        "1",
                        "--epochs",
                        "2",
                        "--lr",
                        "0.01",
                        "--head-lr",
                        "0.05",
                        "--set",
                        "model.dropRate=0.1",
                        "--out",
                        runDir.toString(),
                        "--no-progress");
        assertEquals(0, r.code(), r.err());
        TrainConfig effective = TrainConfig.read(runDir.resolve("config.json"));
        assertEquals("hsemotion", effective.recipe);
        assertEquals(0.02, effective.samRho, 0);
        assertEquals(4, effective.logEvery);
        assertEquals(16, effective.batchSize);
        assertEquals(1, effective.stages.get(0).epochs);
        assertEquals(0.05, effective.stages.get(0).lr, 0);
        assertEquals(2, effective.stages.get(1).epochs);
        assertEquals(0.01, effective.stages.get(1).lr, 0);
        assertEquals(0.1f, effective.model.dropRate, 0);
        assertEquals("valid", effective.valSplit); // ferplus default
        assertEquals(FOUR, effective.model.classes); // taken from the dataset
        assertTrue(effective.sam && effective.classWeights && effective.keepBest);
        assertEquals("valid", requests.get(1).split());
        assertTrue(Files.isRegularFile(runDir.resolve("model/model.safetensors")));
        assertTrue(
                Files.isRegularFile(runDir.resolve("best/model.safetensors")),
                "hsemotion keeps the best epoch");
        assertTrue(r.err().contains("done: 18 steps"), r.err());

        // Resuming a finished run keeps its result and takes no extra settings.
        Run again = run("train", "--resume", runDir.toString(), "--no-progress");
        assertEquals(0, again.code(), again.err());
        Run bad = run("train", "--resume", runDir.toString(), "--lr", "0.1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("takes no other settings"), bad.err());

        Path report = dir.resolve("reports/a.json");
        Run ev =
                run(
                        "evaluate",
                        "--model",
                        runDir.resolve("model").toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus",
                        "--out",
                        report.toString(),
                        "--no-progress");
        assertEquals(0, ev.code(), ev.err());
        JsonNode n = TrainConfig.JSON.readTree(report.toFile());
        assertEquals(32, n.get("samplesEvaluated").asInt());
        assertTrue(n.get("accuracy").asDouble() > 0.8, "accuracy " + n.get("accuracy"));
        assertEquals(2, n.get("perSubject").size()); // person0, person1
        assertTrue(Files.isRegularFile(dir.resolve("reports/a-confusion.png")));

        Path report2 = dir.resolve("reports/b.json");
        Files.copy(report, report2);
        Run cmp = run("compare", report.toString(), report2.toString(), "--format", "markdown");
        assertEquals(0, cmp.code(), cmp.err());
        String[] lines = cmp.out().split("\n");
        assertEquals(4, lines.length, cmp.out());
        assertTrue(lines[0].startsWith("| report | dataset |"), lines[0]);
        assertTrue(lines[2].startsWith("| a.json | synthetic/test [test] |"), lines[2]);
    }

    @Test
    void sameSeedSameRun(@TempDir Path dir) throws Exception {
        // unseeded init: the command must seed it
        services =
                new CliServices(
                        c -> new TinyNetwork(c, true, -1),
                        services.networkLoader(),
                        services.datasets());
        Path data = Files.createDirectories(dir.resolve("data"));
        byte[][] models = new byte[3][];
        String[] seeds = {"7", "7", "8"};
        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("r" + i);
            Run r =
                    run(
                            "train",
                            "--data",
                            data.toString(),
                            "--format",
                            "folder",
                            "--input-size",
                            "32",
                            "--batch",
                            "16",
                            "--lr",
                            "0.01",
                            "--max-steps",
                            "2",
                            "--seed",
                            seeds[i],
                            "--out",
                            out.toString(),
                            "--no-progress");
            assertEquals(0, r.code(), r.err());
            models[i] = Files.readAllBytes(out.resolve("model/model.safetensors"));
        }
        assertTrue(java.util.Arrays.equals(models[0], models[1]), "same seed, same weights");
        assertFalse(java.util.Arrays.equals(models[0], models[2]), "another seed, other weights");
    }

    @Test
    void argumentErrorsAreClear(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String out = dir.resolve("r").toString();
        assertError(run("train", "--format", "ferplus", "--out", out), "--data DIR is required");
        assertError(
                run("train", "--data", data.toString(), "--format", "csv", "--out", out),
                "--format must be one of");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--recipe",
                        "fast",
                        "--out",
                        out),
                "unknown recipe 'fast'");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--head-lr",
                        "0.1",
                        "--out",
                        out),
                "has no head-only stage");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--batch",
                        "0",
                        "--out",
                        out),
                "batch size must be >= 1");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--fusion",
                        "magic",
                        "--out",
                        out),
                "fusion 'magic'");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--set",
                        "samRhoo=1",
                        "--out",
                        out),
                "samRhoo");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--config",
                        "missing.json",
                        "--out",
                        out),
                "missing.json");
        assertError(
                run("train", "--data", data.toString(), "--format", "folder"),
                "--out RUN_DIR is required");
        assertError(
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--lr",
                        "abc",
                        "--out",
                        out),
                "abc");
        assertError(run("compare", "only-one.json"), "REPORT");
        assertError(run("compare", "a.json", "b.json"), "a.json does not exist");
        assertError(
                run(
                        "evaluate",
                        "--model",
                        dir.toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus"),
                "--out");
        Run resumeNothing = run("train", "--resume", dir.resolve("nothing").toString());
        assertEquals(
                ExitCodes.USAGE,
                resumeNothing.code()); // a configuration error: nothing was processed
        assertTrue(resumeNothing.err().contains("is not a run folder"), resumeNothing.err());
        Run missingData =
                run(
                        "train",
                        "--data",
                        dir.resolve("nope").toString(),
                        "--format",
                        "folder",
                        "--out",
                        out,
                        "--no-progress");
        assertEquals(
                ExitCodes.USAGE,
                missingData.code()); // a configuration error: nothing was processed
        assertTrue(missingData.err().contains("does not exist"), missingData.err());
        assertFalse(
                Files.exists(dir.resolve("r").resolve("config.json")),
                "nothing written on failure");
    }

    @Test
    void realDataBackendReportsUnknownClassFolders(@TempDir Path dir) throws Exception {
        services =
                new CliServices(
                        services.networkFactory(), services.networkLoader(), DatasetAccess.REAL);
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("bored"));
        Files.createDirectories(data.resolve("happy"));
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", data.resolve("bored").resolve("a.png").toFile());
        javax.imageio.ImageIO.write(img, "png", data.resolve("happy").resolve("b.png").toFile());
        Run r =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--format",
                        "folder",
                        "--out",
                        dir.resolve("r").toString(),
                        "--no-progress");
        assertEquals(ExitCodes.USAGE, r.code()); // a configuration error: nothing was processed
        assertTrue(r.err().contains("bored"), r.err());
        assertFalse(
                Files.exists(dir.resolve("r").resolve("config.json")),
                "nothing written on failure");
    }

    @Test
    void helpDocumentsEveryOption() {
        Run r = run("train", "--help");
        assertEquals(0, r.code());
        for (String o :
                List.of(
                        "--data",
                        "--format",
                        "--recipe",
                        "--fusion",
                        "--arch",
                        "--input-size",
                        "--epochs",
                        "--batch",
                        "--lr",
                        "--seed",
                        "--max-steps",
                        "--limit",
                        "--out",
                        "--init",
                        "--config",
                        "--resume",
                        "--set")) {
            assertTrue(r.out().contains(o), o);
        }
    }

    static void assertError(Run r, String fragment) {
        assertEquals(2, r.code(), "exit code for: " + r.err());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "' in: " + r.err());
    }
}
