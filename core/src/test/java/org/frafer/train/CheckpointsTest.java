package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class CheckpointsTest {
    static final List<String> CLASSES = TrainerTest.CLASSES;

    @Test
    void writeLoadPruneAndLatestPointer(@TempDir Path run) throws Exception {
        try (TinyNetwork a = new TinyNetwork(TinyNetwork.config(CLASSES, 8), true, 1);
                TinyNetwork b = new TinyNetwork(TinyNetwork.config(CLASSES, 8), true, 2);
                AdamOptimizer opt = new AdamOptimizer("adam", 0.9, 0.999, 1e-8, 0)) {
            assertNull(Checkpoints.latest(run));
            // A half-written checkpoint from a killed process is ignored.
            Files.createDirectories(run.resolve("checkpoints/.step-000000009-e0000-b000009.tmp"));
            for (int step = 1; step <= 3; step++) {
                TrainState s = new TrainState();
                s.globalStep = step;
                s.batchInEpoch = step;
                Checkpoints.write(run, a, opt, s, 2);
            }
            try (Stream<Path> list = Files.list(run.resolve("checkpoints"))) {
                assertEquals(
                        2,
                        list.filter(p -> p.getFileName().toString().startsWith("step-")).count(),
                        "keeps the last 2");
            }
            Path latest = Checkpoints.latest(run);
            assertEquals(3, Checkpoints.readState(latest).globalStep);
            float[][] want = a.snapshot();
            assertTrue(!java.util.Arrays.deepEquals(want, b.snapshot()));
            Checkpoints.loadWeights(latest, b);
            float[][] got = b.snapshot();
            for (int i = 0; i < want.length; i++) {
                assertArrayEquals(want[i], got[i], 0f);
            }
            // A pointer to a checkpoint that is gone is reported, not silently skipped.
            Files.writeString(run.resolve("checkpoints/latest"), "step-000000099-e0000-b000000\n");
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> Checkpoints.latest(run));
            assertTrue(e.getMessage().contains("step-000000099"), e.getMessage());
        }
    }

    @Test
    void loadingIntoAnotherNetworkNamesTheTensor(@TempDir Path run) {
        try (TinyNetwork four = new TinyNetwork(TinyNetwork.config(CLASSES, 8), true, 1);
                TinyNetwork three =
                        new TinyNetwork(TinyNetwork.config(CLASSES.subList(0, 3), 8), true, 1);
                AdamOptimizer opt = new AdamOptimizer("adam", 0.9, 0.999, 1e-8, 0)) {
            Checkpoints.write(run, four, opt, new TrainState(), 2);
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () -> Checkpoints.loadWeights(Checkpoints.latest(run), three));
            assertTrue(
                    e.getMessage().contains("Linear_weight") && e.getMessage().contains("shape"),
                    e.getMessage());
        }
    }
}
