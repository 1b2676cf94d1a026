package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.Assets;
import org.frafer.infer.DefaultModelRealTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** The committed default model ({@code models/default/}) is accurate on FER+, evaluated as a user would. */
@Tag("realdata")
class DefaultModelAccuracyRealTest {

    @Test
    void accurateOnAFerPlusTestSubset(@TempDir Path tmp) throws Exception {
        Path dir = DefaultModelRealTest.defaultDir();
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
