package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.model.ModelConfig;
import org.frafer.model.ModelFiles;
import org.frafer.train.TinyNetwork;
import org.frafer.train.TrainConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calibrate} writes a new model folder with the fitted temperature; {@code evaluate} reports
 * ECE, TTA and the reliability PNG.
 */
class CalibrateCliTest {
    static final List<String> FOUR = EmotionClasses.EIGHT.subList(0, 4);
    CliServices services;

    TrainEvaluateCompareCliTest.Run run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine(services);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute(args);
        return new TrainEvaluateCompareCliTest.Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void syntheticBackend() {
        DatasetAccess synthetic = SyntheticDatasets.fourClasses(r -> 64, null, false);
        services =
                new CliServices(
                        c -> new TinyNetwork(c, true, 1),
                        dir -> TinyNetwork.load(dir, true),
                        synthetic);
    }

    @Test
    void calibrateWritesACopyWithTheTemperatureAndEvaluateReportsCalibration(@TempDir Path dir)
            throws Exception {
        Path model = dir.resolve("model");
        try (TinyNetwork net = new TinyNetwork(TinyNetwork.config(FOUR, 32), true, 1)) {
            net.save(model);
        }
        byte[] configBefore = Files.readAllBytes(model.resolve("config.json"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path out = dir.resolve("calibrated");
        var r =
                run(
                        "calibrate",
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus",
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(
                configBefore,
                Files.readAllBytes(model.resolve("config.json")),
                "the source model is never changed");
        JsonNode cal = TrainConfig.JSON.readTree(out.resolve("calibration.json").toFile());
        double t = cal.get("temperature").asDouble();
        ModelConfig written =
                TrainConfig.JSON.readValue(out.resolve("config.json").toFile(), ModelConfig.class);
        assertEquals(t, written.temperature, 1e-6);
        assertTrue(Math.abs(t - 1) > 1e-3, "a random network is not calibrated: T " + t);
        assertTrue(
                cal.get("nllAfter").asDouble() <= cal.get("nllBefore").asDouble(), cal.toString());
        assertEquals(64, cal.get("samples").asInt());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));

        var again =
                run(
                        "calibrate",
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus",
                        "--out",
                        out.toString());
        assertEquals(2, again.code());
        assertTrue(
                again.err().contains("already exists") && again.err().contains("never overwrites"),
                again.err());

        Path report = dir.resolve("reports/r.json");
        var ev =
                run(
                        "evaluate",
                        "--model",
                        out.toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus",
                        "--tta",
                        "flip",
                        "--out",
                        report.toString(),
                        "--no-progress");
        assertEquals(0, ev.code(), ev.err());
        JsonNode n = TrainConfig.JSON.readTree(report.toFile());
        assertEquals("flip", n.get("tta").asText());
        assertEquals(t, n.get("temperature").asDouble(), 1e-6);
        assertTrue(n.get("ece").asDouble() >= 0 && n.get("ece").asDouble() <= 1, n.toString());
        assertEquals(15, n.get("reliability").size());
        long binned = 0;
        for (JsonNode b : n.get("reliability")) {
            binned += b.get("count").asLong();
        }
        assertEquals(64, binned);
        assertTrue(Files.isRegularFile(dir.resolve("reports/r-reliability.png")));

        var badTta =
                run(
                        "evaluate",
                        "--model",
                        out.toString(),
                        "--data",
                        data.toString(),
                        "--format",
                        "ferplus",
                        "--tta",
                        "rotate",
                        "--out",
                        report.toString());
        assertEquals(2, badTta.code());
        assertTrue(badTta.err().contains("must be none or flip"), badTta.err());
    }

    @Test
    void configsWithoutATemperatureLoadAsOne(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("config.json"),
                "{\"formatVersion\": 1, \"arch\": \"hse-faceres\", \"fusion\": \"none\", \"inputSize\": 112}");
        assertEquals(1f, ModelFiles.readConfig(dir).temperature);
        Files.writeString(
                dir.resolve("config.json"),
                "{\"formatVersion\": 1, \"fusion\": \"none\", \"temperature\": 0}");
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> ModelFiles.readConfig(dir));
        assertTrue(
                e.getMessage().contains("temperature must be a positive number"), e.getMessage());
    }
}
