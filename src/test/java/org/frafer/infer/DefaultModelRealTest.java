package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.Assets;
import org.frafer.cli.Main;
import org.frafer.model.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed default model ({@code models/default/}): loads with no model given, is small, and is accurate on FER+. */
class DefaultModelRealTest {

    static Path defaultDir() {
        Assumptions.assumeTrue(Assets.present("human-models/models/faceres.json"), "face models not fetched (run tools/fetch-assets.sh)");
        Path dir = Assets.root().getParent().resolve("models/default");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(DefaultModel.CONFIG)), "no models/default in this checkout");
        return dir;
    }

    @Test
    void loadsWithoutAModelPathAndIsASmallFloat16File() throws Exception {
        Path dir = defaultDir();
        assertTrue(Files.size(dir.resolve(DefaultModel.WEIGHTS)) <= 15_000_000L, "model.safetensors <= 15 MB");
        var tensors = SafeTensors.read(dir.resolve(DefaultModel.WEIGHTS));
        assertTrue(tensors.values().stream().allMatch(t -> "F16".equals(t.dtype())), "float16 weights");
        String before = System.getProperty("frafer.model");
        System.clearProperty("frafer.model");
        try (EmotionRecognizer r = EmotionRecognizer.loadDefault()) {
            assertEquals("hse-faceres", r.config().arch);
            assertEquals(8, r.classes().size());
            assertEquals(112, r.inputSize());
        } finally {
            if (before != null) {
                System.setProperty("frafer.model", before);
            }
        }
    }

    /**
     * The whole FER+ test split, 8 and 7 classes, against what the committed reports beside the model claim
     * ({@code eval-ferplus-test.json}, {@code eval-ferplus-test-seven.json}): accuracy may be at most one point lower,
     * balanced accuracy two (a few rare-class faces move it). Catches a default model, a preprocessing change or an
     * engine change that silently loses accuracy.
     */
    @Test
    void asAccurateOnTheFerPlusTestSplitAsItsReportsClaim(@TempDir Path tmp) throws Exception {
        Path dir = defaultDir();
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(data != null && Files.isDirectory(data.resolve("ferplus/FER2013Test")),
                "FER+ not available (set FRAFER_DATA); skipping the accuracy check");
        ObjectMapper json = new ObjectMapper();
        for (String seven : new String[] {"", "-seven"}) {
            JsonNode claimed = json.readTree(dir.resolve("eval-ferplus-test" + seven + ".json").toFile());
            Path out = tmp.resolve("report" + seven + ".json");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("evaluate", "--model", dir.toString(), "--data",
                    data.resolve("ferplus").toString(), "--format", "ferplus", "--split", "test", "--no-progress", "--out", out.toString()));
            if (!seven.isEmpty()) {
                args.add("--seven");
            }
            assertEquals(0, Main.commandLine().execute(args.toArray(String[]::new)));
            JsonNode r = json.readTree(out.toFile());
            assertEquals(claimed.get("samplesEvaluated").asInt(), r.get("samplesEvaluated").asInt(), "faces scored" + seven);
            double acc = r.get("accuracy").asDouble();
            double bal = r.get("balancedAccuracy").asDouble();
            assertTrue(acc >= claimed.get("accuracy").asDouble() - 0.01, "accuracy" + seven + " " + acc + ", claimed " + claimed.get("accuracy"));
            assertTrue(bal >= claimed.get("balancedAccuracy").asDouble() - 0.02,
                    "balanced accuracy" + seven + " " + bal + ", claimed " + claimed.get("balancedAccuracy"));
        }
    }
}
