package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.Assets;
import org.frafer.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The committed default model ({@code models/default/}): loads with no model given and is small.
 * Its accuracy on FER+ is checked through the CLI in {@code cli.DefaultModelAccuracyRealTest}.
 */
@Tag("realdata")
public class DefaultModelRealTest {

    public static Path defaultDir() {
        Assumptions.assumeTrue(
                Assets.present("human-models/models/faceres.json"),
                "face models not fetched (run tools/fetch-assets.sh)");
        Path dir = Assets.root().getParent().resolve("models/default");
        Assumptions.assumeTrue(
                Files.isRegularFile(dir.resolve(DefaultModel.CONFIG)),
                "no models/default in this checkout");
        return dir;
    }

    @Test
    void loadsWithoutAModelPathAndIsASmallFloat16File() throws Exception {
        Path dir = defaultDir();
        assertTrue(
                Files.size(dir.resolve(DefaultModel.WEIGHTS)) <= 15_000_000L,
                "model.safetensors <= 15 MB");
        var tensors = SafeTensors.read(dir.resolve(DefaultModel.WEIGHTS));
        assertTrue(
                tensors.values().stream().allMatch(t -> "F16".equals(t.dtype())),
                "float16 weights");
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
}
