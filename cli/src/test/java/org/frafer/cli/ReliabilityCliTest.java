package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.Assets;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.EngineThreads;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.frafer.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's smaller items: crop mode, threads, progress bar off without a terminal, assets
 * install.
 */
class ReliabilityCliTest {
    @TempDir Path dir;

    @Test
    void facesAreCroppedClassifiesTheWholeImage() {
        try (TinyEmotionNetwork w = new TinyEmotionNetwork("fra", CliTestSupport.SIZE)) {
            var crop =
                    TestImages.withFaces(
                            48, 48, 5); // no green frame: the marker detector finds nothing
            try (EmotionRecognizer detect =
                            EmotionRecognizer.builder()
                                    .network(TinyEmotionNetwork.sharing(w))
                                    .detector(new MarkerDetector())
                                    .build();
                    EmotionRecognizer whole =
                            EmotionRecognizer.builder()
                                    .network(TinyEmotionNetwork.sharing(w))
                                    .detector(new MarkerDetector())
                                    .facesAreCropped(true)
                                    .build()) {
                assertEquals(0, detect.predict(crop).size());
                List<FaceEmotion> f = whole.predict(crop);
                assertEquals(1, f.size());
                assertEquals(48, f.get(0).face().width(), 0);
                assertEquals(48, f.get(0).face().height(), 0);
                // the same result as classifying the crop directly
                assertEquals(whole.predictFaces(List.of(crop)).get(0).label(), f.get(0).label());
            }
        }
    }

    @Test
    void threadsAreSetAndDefaultToCoresPerWorker() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (System.getenv(EngineThreads.ENV) == null) {
            assertEquals(Math.max(1, cores / 2), EngineThreads.choose(0, 2));
            assertEquals(cores, EngineThreads.choose(0, 1));
        }
        assertEquals(3, EngineThreads.choose(3, 2));
        int before = EngineThreads.current();
        try (TinyEmotionNetwork w = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
                EmotionRecognizer r =
                        EmotionRecognizer.builder()
                                .network(TinyEmotionNetwork.sharing(w))
                                .detector(new MarkerDetector())
                                .threads(1)
                                .build()) {
            assertEquals(1, EngineThreads.current());
            assertEquals(1, r.options().threads());
        } finally {
            EngineThreads.apply(before, 1);
        }
    }

    @Test
    void noProgressBarWhenStderrIsNotATerminal() throws Exception {
        try (TinyEmotionNetwork w = new TinyEmotionNetwork("fra", CliTestSupport.SIZE)) {
            CliTestSupport.useDoubles(w);
            for (int i = 0; i < 12; i++) {
                TestImages.writePng(
                        TestImages.withFaces(80, 60, i, new int[] {5, 5, 30, 30}),
                        dir.resolve("p" + i + ".png"));
            }
            CliRun.Run r = CliRun.run("predict", dir.toString());
            assertEquals(0, r.code(), r.err());
            assertFalse(
                    r.err().contains("img/s") || r.err().contains("%"),
                    "progress bar drawn into a pipe:\n" + r.err());
        } finally {
            CliTestSupport.reset();
        }
    }

    @Test
    void assetsInstallCopiesAFolderAndRefusesAnIncompleteOne() throws Exception {
        Path from = dir.resolve("assets");
        for (String f : AssetsCommand.REQUIRED) {
            Files.createDirectories(from.resolve(f).getParent());
            Files.writeString(from.resolve(f), "model " + f);
        }
        Path to = dir.resolve("user/assets");
        CliRun.Run r = CliRun.run("assets", "install", from.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : AssetsCommand.REQUIRED) {
            assertEquals("model " + f, Files.readString(to.resolve(f)));
        }
        CliRun.Run again = CliRun.run("assets", "install", from.toString(), "--to", to.toString());
        assertTrue(again.out().contains("installed 0 file(s)"), again.out());
        Files.delete(from.resolve(AssetsCommand.REQUIRED.get(0)));
        CliRun.Run bad =
                CliRun.run(
                        "assets",
                        "install",
                        from.toString(),
                        "--to",
                        dir.resolve("other").toString());
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("blazeface-back.json"), bad.err());
        assertFalse(Files.exists(dir.resolve("other")));
    }

    @Test
    void missingAssetSaysHowToInstall() {
        String old = System.getProperty("frafer.assets");
        System.setProperty("frafer.assets", dir.resolve("none").toString());
        try {
            IllegalStateException e =
                    org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalStateException.class, () -> Assets.require("x/faceres.json"));
            assertTrue(
                    e.getMessage().contains("fra-fer assets install")
                            && e.getMessage().contains("FRAFER_ASSETS"),
                    e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("frafer.assets");
            } else {
                System.setProperty("frafer.assets", old);
            }
        }
    }
}
