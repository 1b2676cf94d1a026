package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.eval.ClassMap;
import org.frafer.eval.Evaluation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class TrainerTest {
    static final List<String> CLASSES = EmotionClasses.EIGHT.subList(0, 4);
    static final int SIZE = 8;

    static TrainConfig quickConfig() {
        TrainConfig c = TrainConfig.recipe("paper");
        c.model = TinyNetwork.config(CLASSES, SIZE);
        c.stages.get(0).epochs = 3;
        c.stages.get(0).lr = 0.05;
        c.batchSize = 16;
        c.logEvery = 2;
        c.checkpointEvery = 3;
        return c;
    }

    static TrainData data(SyntheticBatches train, SyntheticBatches val) {
        return new TrainData(train, val, CLASSES, train.classCounts(), "synthetic");
    }

    @Test
    void trainingOnSyntheticDataLowersLossAndReachesHighAccuracy(@TempDir Path dir)
            throws Exception {
        TrainConfig c = quickConfig();
        SyntheticBatches val = new SyntheticBatches(64, 32, SIZE, 4, 99, false);
        try (TinyNetwork net = new TinyNetwork(c.model, true, 1)) {
            Evaluation before =
                    Evaluation.run(net, val, ClassMap.of(CLASSES, CLASSES, false), null);
            TrainResult r =
                    new Trainer(
                                    net,
                                    c,
                                    data(new SyntheticBatches(192, 16, SIZE, 4, 5, true), val),
                                    dir)
                            .log(null)
                            .train();
            assertEquals(36, r.steps());
            assertEquals(3, r.history().size());
            double first = r.history().get(0).trainLoss;
            double last = r.history().get(2).trainLoss;
            assertTrue(last < 0.6 * first, "loss should drop: " + first + " -> " + last);
            double acc = r.history().get(2).valAccuracy;
            assertTrue(
                    acc >= 0.9,
                    "val accuracy "
                            + acc
                            + " (before training "
                            + before.confusion.accuracy()
                            + ")");
            assertTrue(
                    before.confusion.accuracy() < 0.6,
                    "untrained accuracy " + before.confusion.accuracy());
            // Run folder contents.
            for (String f :
                    List.of(
                            "config.json",
                            "metrics.jsonl",
                            "curves.png",
                            "summary.json",
                            "model/config.json",
                            "model/model.safetensors")) {
                assertTrue(Files.isRegularFile(dir.resolve(f)), f);
            }
            List<JsonNode> lines = readLines(dir.resolve("metrics.jsonl"));
            assertEquals(
                    3, lines.stream().filter(l -> l.get("type").asText().equals("epoch")).count());
            JsonNode step = lines.get(0);
            assertEquals(2, step.get("step").asInt());
            assertTrue(step.has("loss") && step.has("lr") && step.has("imagesPerSecond"));
            // The output model is the last epoch (paper recipe): reloading it gives the same
            // validation accuracy.
            try (TinyNetwork reloaded = TinyNetwork.load(dir.resolve("model"), true)) {
                Evaluation after =
                        Evaluation.run(reloaded, val, ClassMap.of(CLASSES, CLASSES, false), null);
                assertEquals(acc, after.confusion.accuracy(), 1e-9);
            }
            // A second fresh run into the same folder is refused.
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new Trainer(
                                                    net,
                                                    c,
                                                    data(
                                                            new SyntheticBatches(
                                                                    192, 16, SIZE, 4, 5, true),
                                                            val),
                                                    dir)
                                            .log(null)
                                            .train());
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        }
    }

    @Test
    void logitAdjustmentShiftsTheLogitsInsideTheLossOnly(@TempDir Path dir) throws Exception {
        TrainConfig c = quickConfig();
        c.logitAdjustment = 1.0;
        c.logEvery = 1;
        c.maxSteps = 1L;
        double[] counts = {100, 10, 5, 1};
        SyntheticBatches train = new SyntheticBatches(32, 16, SIZE, 4, 5, true);
        try (TinyNetwork net = new TinyNetwork(c.model, false, 1);
                ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.frafer.data.FaceBatch first = train.epoch(0, 0).iterator().next();
            ai.djl.ndarray.NDArray logits =
                    net.block()
                            .forward(
                                    new ai.djl.training.ParameterStore(m, false),
                                    new ai.djl.ndarray.NDList(first.images(m)),
                                    false)
                            .head();
            ai.djl.ndarray.NDArray targets =
                    first.labelArray(m)
                            .oneHot(4)
                            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            double adjusted =
                    Losses.crossEntropy(
                                    logits.add(
                                            m.create(Losses.logitAdjustment(counts, 1.0))
                                                    .reshape(1, 4)),
                                    targets,
                                    null,
                                    0)
                            .getFloat();
            double plain = Losses.crossEntropy(logits, targets, null, 0).getFloat();
            new Trainer(net, c, new TrainData(train, null, CLASSES, counts, "synthetic"), dir)
                    .log(null)
                    .train();
            double logged = readLines(dir.resolve("metrics.jsonl")).get(0).get("loss").asDouble();
            assertEquals(adjusted, logged, 1e-5);
            assertTrue(
                    Math.abs(adjusted - plain) > 1e-2,
                    "the adjustment must change the loss: " + adjusted + " vs " + plain);
        }
    }

    @Test
    void resumedRunEndsExactlyLikeUninterruptedRun(@TempDir Path dir) throws Exception {
        TrainConfig c = quickConfig();
        c.sam = true; // the two-pass step and BN restore must be reproducible too
        c.classWeights = true;
        c.labelSmoothing = 0.1;
        c.optimizer = "adamw";
        c.weightDecay = 0.01;
        c.schedule = "cosine";
        c.stages.add(0, new TrainConfig.Stage("head", "head", 1, 0.02));
        c.stages.get(1).epochs = 2;
        SyntheticBatches val = new SyntheticBatches(32, 32, SIZE, 4, 99, false);
        Path straight = dir.resolve("straight");
        float[][] expected;
        TrainResult full;
        try (TinyNetwork net = new TinyNetwork(c.model, true, 3)) {
            full =
                    new Trainer(
                                    net,
                                    c,
                                    data(new SyntheticBatches(96, 16, SIZE, 4, 5, true), val),
                                    straight)
                            .log(null)
                            .train();
            expected = net.snapshot();
        }
        assertEquals(18, full.steps());

        Path killed = dir.resolve("killed");
        SyntheticBatches failing = new SyntheticBatches(96, 16, SIZE, 4, 5, true);
        failing.failAfterBatches =
                11; // dies in the middle of epoch 2 (after the step-9 checkpoint)
        try (TinyNetwork net = new TinyNetwork(c.model, true, 3)) {
            assertThrows(
                    IllegalStateException.class,
                    () -> new Trainer(net, c, data(failing, val), killed).log(null).train());
        }
        TrainState atKill = Checkpoints.readState(Checkpoints.latest(killed));
        assertEquals(9, atKill.globalStep);
        TrainResult resumed;
        float[][] actual;
        try (TinyNetwork net =
                new TinyNetwork(
                        c.model, true,
                        77)) { // different init: everything must come from the checkpoint
            resumed =
                    new Trainer(
                                    net,
                                    TrainConfig.read(killed.resolve("config.json")),
                                    data(new SyntheticBatches(96, 16, SIZE, 4, 5, true), val),
                                    killed)
                            .log(null)
                            .resume();
            actual = net.snapshot();
        }
        assertEquals(full.steps(), resumed.steps());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 1e-6f, "parameter " + i);
        }
        for (int e = 0; e < full.history().size(); e++) {
            assertEquals(
                    full.history().get(e).trainLoss,
                    resumed.history().get(e).trainLoss,
                    1e-6,
                    "epoch " + e + " loss");
            assertEquals(
                    full.history().get(e).valAccuracy, resumed.history().get(e).valAccuracy, 1e-9);
        }
        // metrics.jsonl after resume has the same lines (minus timing) as the uninterrupted one.
        List<String> a = stripTiming(readLines(straight.resolve("metrics.jsonl")));
        List<String> b = stripTiming(readLines(killed.resolve("metrics.jsonl")));
        assertEquals(a, b);
    }

    @Test
    void headStageTouchesOnlyTheHeadAndFrozenParametersNeverMove(@TempDir Path dir) {
        TrainConfig c = quickConfig();
        c.sam = true;
        c.stages.add(0, new TrainConfig.Stage("head", "head", 1, 0.05));
        c.stages.get(1).epochs = 1;
        try (TinyNetwork net = new TinyNetwork(c.model, true, 4)) {
            net.frozenConv = true;
            float[][] before = net.snapshot();
            List<String> names = net.block().getParameters().keys();
            assertTrue(
                    names.stream().anyMatch(n -> n.contains("Conv2d"))
                            && names.stream().anyMatch(n -> n.contains("BatchNorm_gamma"))
                            && names.stream().anyMatch(n -> n.contains("running")),
                    names.toString());
            TrainConfig headOnly = c.copy();
            headOnly.maxSteps = 6L; // exactly the head epoch
            new Trainer(
                            net,
                            headOnly,
                            data(new SyntheticBatches(96, 16, SIZE, 4, 5, true), null),
                            dir.resolve("a"))
                    .log(null)
                    .train();
            float[][] afterHead = net.snapshot();
            for (int i = 0; i < names.size(); i++) {
                boolean isHead =
                        i >= names.size() - 2; // the Linear head's weight and bias come last
                boolean isRunningStat = names.get(i).contains("running");
                if (isHead) {
                    assertTrue(
                            !java.util.Arrays.equals(before[i], afterHead[i]),
                            "head parameter " + names.get(i) + " should train");
                } else if (!isRunningStat) {
                    assertArrayEquals(
                            before[i],
                            afterHead[i],
                            0f,
                            names.get(i) + " must not move in the head stage");
                }
            }
            new Trainer(
                            net,
                            c,
                            data(new SyntheticBatches(96, 16, SIZE, 4, 5, true), null),
                            dir.resolve("b"))
                    .log(null)
                    .train();
            float[][] afterAll = net.snapshot();
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).contains("Conv2d")) {
                    assertArrayEquals(
                            before[i],
                            afterAll[i],
                            0f,
                            "frozen " + names.get(i) + " must never move");
                } else if (names.get(i).contains("BatchNorm_gamma")) {
                    assertTrue(
                            !java.util.Arrays.equals(afterHead[i], afterAll[i]),
                            names.get(i) + " trains in the all stage");
                }
            }
        }
    }

    static List<JsonNode> readLines(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            out.add(TrainConfig.JSON.readTree(line));
        }
        return out;
    }

    static List<String> stripTiming(List<JsonNode> lines) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : lines) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("imagesPerSecond");
            out.add(n.toString());
        }
        return out;
    }
}
