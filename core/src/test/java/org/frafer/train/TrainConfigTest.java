package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class TrainConfigTest {
    @Test
    void recipes() {
        TrainConfig p = TrainConfig.recipe("paper");
        assertEquals("adam", p.optimizer);
        assertEquals(8, p.batchSize);
        assertEquals(1, p.stages.size());
        assertEquals(6, p.stages.get(0).epochs);
        assertEquals(3e-5, p.stages.get(0).lr, 0);
        assertEquals("constant", p.schedule);
        assertFalse(p.sam || p.classWeights || p.keepBest);
        assertEquals(0, p.labelSmoothing, 0);

        TrainConfig h = TrainConfig.recipe("hsemotion");
        assertTrue(h.sam && h.classWeights && h.keepBest);
        assertEquals(0.05, h.samRho, 0);
        assertEquals(0.1, h.labelSmoothing, 0);
        assertEquals("head", h.stages.get(0).params);
        assertEquals(3, h.stages.get(0).epochs);
        assertEquals(1e-3, h.stages.get(0).lr, 0);
        assertEquals("all", h.stages.get(1).params);
        assertEquals(6, h.stages.get(1).epochs);
        assertEquals(1e-4, h.stages.get(1).lr, 0);
        assertEquals(9, h.totalEpochs());

        TrainConfig s = TrainConfig.recipe("scratch");
        assertEquals("adamw", s.optimizer);
        assertEquals("cosine", s.schedule);
        assertEquals(64, s.batchSize);
        assertEquals(0.05, s.weightDecay, 0);
        assertEquals(1e-3, s.stages.get(0).lr, 0);

        TrainConfig a = TrainConfig.recipe("accuracy");
        assertTrue(a.softLabels && a.keepBest);
        assertEquals("standard", a.augment);
        assertEquals(1.0, a.logitAdjustment, 0);
        assertEquals("balanced_accuracy", a.selectMetric);
        assertTrue(a.warmupSteps > 0);
        assertEquals("none", TrainConfig.recipe("paper").augment);
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainConfig.recipe("paper").set("augment=heavy").validate());
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainConfig.recipe("paper").set("logitAdjustment=-1").validate());
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainConfig.recipe("paper").set("warmupSteps=-5").validate());

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainConfig.recipe("sgd-fast"));
        assertTrue(e.getMessage().contains("sgd-fast"));
    }

    @Test
    void jsonFileAndSetOverrides(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(
                f,
                "{\"batchSize\": 24, \"sam\": true, \"stages\": [{\"name\": \"x\", \"params\": \"all\", \"epochs\": 2, \"lr\": 0.001}],"
                        + " \"model\": {\"fusion\": \"none\", \"inputSize\": 112}}");
        TrainConfig c = TrainConfig.recipe("paper").mergeFile(f);
        assertEquals(24, c.batchSize);
        assertTrue(c.sam);
        assertEquals(1, c.stages.size());
        assertEquals(2, c.stages.get(0).epochs);
        assertEquals("none", c.model.fusion);
        assertEquals(112, c.model.inputSize);
        assertEquals(
                "tf_efficientnet_b0", c.model.arch); // untouched model keys keep their defaults
        assertEquals("adam", c.optimizer); // untouched keys keep the recipe's value

        c.set("labelSmoothing=0.2")
                .set("optimizer=adamw")
                .set("model.fusion=scse")
                .set("maxSteps=50")
                .set("valSplit=valid");
        assertEquals(0.2, c.labelSmoothing, 0);
        assertEquals("adamw", c.optimizer);
        assertEquals("scse", c.model.fusion);
        assertEquals(112, c.model.inputSize); // nested --set merges into the model
        assertEquals(50L, c.maxSteps);
        assertEquals("valid", c.valSplit);
        c.set(
                "stages=[{\"name\":\"a\",\"params\":\"head\",\"epochs\":1,\"lr\":0.1},{\"name\":\"b\",\"params\":\"all\",\"epochs\":3,\"lr\":0.01}]");
        assertEquals(2, c.stages.size());
        assertEquals("head", c.stages.get(0).params);
        c.validate();

        // Round trip through the run folder's config.json.
        Path saved = dir.resolve("config.json");
        Files.writeString(saved, c.toJson());
        assertEquals(c.toJson(), TrainConfig.read(saved).toJson());
        assertNull(TrainConfig.recipe("paper").maxSteps);
    }

    @Test
    void badSettingsNameTheSetting(@TempDir Path dir) throws Exception {
        assertMessage(() -> TrainConfig.recipe("paper").set("learningRate=1"), "learningRate");
        assertMessage(() -> TrainConfig.recipe("paper").set("noequals"), "KEY=VALUE");
        assertMessage(() -> TrainConfig.recipe("paper").set("batchSize=abc"), "batchSize");
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"batchSize\": ");
        assertMessage(() -> TrainConfig.recipe("paper").mergeFile(f), "bad.json");
        assertMessage(
                () -> TrainConfig.recipe("paper").set("optimizer=lion").validate(),
                "optimizer 'lion'");
        assertMessage(
                () -> TrainConfig.recipe("paper").set("labelSmoothing=1.5").validate(),
                "label smoothing");
        assertMessage(
                () -> TrainConfig.recipe("paper").set("classWeightPower=-1").validate(),
                "classWeightPower");
        assertEquals(
                0.5,
                TrainConfig.recipe("hsemotion")
                        .set("classWeightPower=0.5")
                        .validate()
                        .classWeightPower,
                0);
        assertMessage(
                () -> TrainConfig.recipe("paper").set("schedule=step").validate(),
                "schedule 'step'");
        assertMessage(() -> TrainConfig.recipe("paper").set("stages=[]").validate(), "stage");
        assertMessage(
                () ->
                        TrainConfig.recipe("paper")
                                .set(
                                        "stages=[{\"name\":\"z\",\"params\":\"fr\",\"epochs\":1,\"lr\":0.1}]")
                                .validate(),
                "params must be head or all");
        assertMessage(
                () ->
                        TrainConfig.recipe("paper")
                                .set(
                                        "stages=[{\"name\":\"z\",\"params\":\"all\",\"epochs\":1,\"lr\":0}]")
                                .validate(),
                "lr must be > 0");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(
                ex.getMessage().contains(fragment),
                "expected '" + fragment + "' in: " + ex.getMessage());
    }
}
