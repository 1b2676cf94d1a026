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

    @Test
    void accurateOnAFerPlusTestSubset(@TempDir Path tmp) throws Exception {
        Path dir = defaultDir();
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(data != null && Files.isDirectory(data.resolve("ferplus/FER2013Test")),
                "FER+ not available (set FRAFER_DATA); skipping the accuracy check");
        Path out = tmp.resolve("report.json");
        int code = Main.commandLine().execute("evaluate", "--model", dir.toString(), "--data", data.resolve("ferplus").toString(),
                "--format", "ferplus", "--split", "test", "--seven", "--limit", "600", "--seed", "7", "--no-progress", "--out", out.toString());
        assertEquals(0, code);
        JsonNode r = new ObjectMapper().readTree(out.toFile());
        double acc = r.get("accuracy").asDouble();
        // Full test split: models/default/eval-ferplus-test-seven.json (0.753); the peers score 0.669 / 0.693 on all 3,122
        // faces (docs/experiments/peers/). 600 faces have a standard error of ~0.018: 0.68 catches a broken or
        // much worse default model (chance level on FER+ is ~0.35 = always Neutral) without flagging subset noise.
        assertTrue(acc >= 0.68, "7-class accuracy on 600 FER+ test faces: " + acc);
    }
}
