package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class FraFerNetworkTest {
    static final int SIZE = 64;

    static ModelConfig config(String fusion, int p, int q) {
        ModelConfig c = new ModelConfig();
        c.fusion = fusion;
        c.p = p;
        c.q = q;
        c.inputSize = SIZE;
        c.frBackbone = "tf_efficientnet_b0";
        return c;
    }

    /** A small random-weight FR branch (input 48, so tests stay fast). */
    static EfficientNetFrBackbone smallFr() {
        return new EfficientNetFrBackbone(
                EfficientNet.Variant.TF_EFFICIENTNET_B0,
                48,
                EfficientNetFrBackbone.IMAGENET_MEAN,
                EfficientNetFrBackbone.IMAGENET_STD,
                null,
                "random");
    }

    static NDArray images(NDManager m, int n) {
        Engine.getInstance().setRandomSeed(3);
        return m.randomUniform(0, 1, new Shape(n, 3, SIZE, SIZE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "fra", "concat", "cse", "sse", "scse"})
    void allSixFusionsGiveTheDocumentedShapes(String fusion) {
        try (FraFerNetwork net = new FraFerNetwork(config(fusion, 1, 1), smallFr(), null);
                NDManager m = NDManager.newBaseManager()) {
            EmotionNetwork.Outputs o =
                    net.forwardDetailed(new ParameterStore(m, false), images(m, 2), false);
            assertEquals(new Shape(2, 8), o.logits().getShape());
            assertEquals(
                    new Shape(2, "concat".equals(fusion) ? 2560 : 1280), o.embedding().getShape());
            Shape hq = new Shape(2, 32, 32, 32);
            assertEquals(hq, o.featureBefore().getShape());
            assertEquals(hq, o.featureAfter().getShape());
            if ("fra".equals(fusion)) {
                assertEquals(new Shape(2, 1, 32, 32), o.attention().getShape());
                // H <- max(S * H, H): never below the input, equal to S*H where that is larger
                NDArray expect = o.featureBefore().mul(o.attention()).maximum(o.featureBefore());
                assertArrayEquals(expect.toFloatArray(), o.featureAfter().toFloatArray(), 0f);
                assertTrue(o.featureAfter().gte(o.featureBefore()).all().getBoolean());
                float[] s = o.attention().toFloatArray();
                for (float v : s) {
                    assertTrue(v > 0 && v < 1, "sigmoid range");
                }
            } else {
                assertNull(o.attention());
            }
            boolean changes = Set.of("fra", "cse", "sse", "scse").contains(fusion);
            assertEquals(
                    changes,
                    !o.featureAfter().contentEquals(o.featureBefore()),
                    fusion + " changes H_FER_q");
            // the block's forward returns the same logits
            NDArray viaBlock =
                    net.block()
                            .forward(new ParameterStore(m, false), new NDList(images(m, 2)), false)
                            .singletonOrThrow();
            assertArrayEquals(o.logits().toFloatArray(), viaBlock.toFloatArray(), 0f);
        }
    }

    @Test
    void fusionParameterNamesAndCounts() {
        Map<String, List<String>> want =
                Map.of(
                        "fra",
                        List.of("fusion.conv.weight", "fusion.conv.bias"),
                        "sse",
                        List.of("fusion.conv.weight", "fusion.conv.bias"),
                        "cse",
                        List.of(
                                "fusion.fc1.weight",
                                "fusion.fc1.bias",
                                "fusion.fc2.weight",
                                "fusion.fc2.bias"),
                        "scse",
                        List.of(
                                "fusion.cse.fc1.weight",
                                "fusion.cse.fc1.bias",
                                "fusion.cse.fc2.weight",
                                "fusion.cse.fc2.bias",
                                "fusion.sse.conv.weight",
                                "fusion.sse.conv.bias"),
                        "none",
                        List.of(),
                        "concat",
                        List.of());
        for (var e : want.entrySet()) {
            try (FraFerNetwork net = new FraFerNetwork(config(e.getKey(), 1, 1), smallFr(), null)) {
                List<String> fusionNames =
                        net.namedParameters().keySet().stream()
                                .filter(k -> k.startsWith("fusion."))
                                .toList();
                assertEquals(e.getValue(), fusionNames, e.getKey());
                assertEquals(
                        fusionNames,
                        TimmNames.parameters(net.block()).keySet().stream()
                                .filter(k -> k.startsWith("fusion."))
                                .toList());
            }
        }
        try (FraFerNetwork net = new FraFerNetwork(config("fra", 1, 1), smallFr(), null)) {
            assertEquals(
                    new Shape(1, 32, 1, 1),
                    net.namedParameters().get("fusion.conv.weight").getShape());
        }
        try (FraFerNetwork net = new FraFerNetwork(config("concat", 1, 1), smallFr(), null)) {
            assertEquals(
                    new Shape(8, 2560), net.namedParameters().get("classifier.weight").getShape());
        }
    }

    @ParameterizedTest
    @CsvSource({"2,3", "4,6", "9,9", "1,9", "9,1"})
    void otherLayersPAndQ(int p, int q) {
        try (FraFerNetwork net = new FraFerNetwork(config("fra", p, q), smallFr(), null);
                NDManager m = NDManager.newBaseManager()) {
            Shape frShape = net.fr().featureShape(p);
            assertEquals(
                    new Shape(1, frShape.get(0), 1, 1),
                    net.namedParameters().get("fusion.conv.weight").getShape());
            EmotionNetwork.Outputs o =
                    net.forwardDetailed(new ParameterStore(m, false), images(m, 2), false);
            Shape hq = EfficientNet.layerShape(q, SIZE);
            assertEquals(new Shape(2).addAll(hq), o.featureAfter().getShape());
            assertEquals(new Shape(2, 1, hq.get(1), hq.get(2)), o.attention().getShape());
            assertEquals(new Shape(2, 8), o.logits().getShape());
        }
        try (FraFerNetwork net = new FraFerNetwork(config("scse", p, q), null, null);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(
                    new Shape(2, 8),
                    net.forwardDetailed(new ParameterStore(m, false), images(m, 2), false)
                            .logits()
                            .getShape());
        }
    }

    @Test
    void badPAndQAndFusionAndFrIdsAreClearErrors() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new FraFerNetwork(config("fra", 0, 1), smallFr(), null));
        assertTrue(e.getMessage().contains("p and q start at 1"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new FraFerNetwork(config("fra", 1, 10), smallFr(), null));
        assertTrue(e.getMessage().contains("1..9"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new FraFerNetwork(config("fra", 12, 1), smallFr(), null));
        assertTrue(
                e.getMessage().contains("p = 12") && e.getMessage().contains("1..9"),
                e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Networks.create(config("attention", 1, 1)));
        assertTrue(
                e.getMessage().contains("'attention'") && e.getMessage().contains("fra"),
                e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> org.frafer.model.fusion.Fusion.create("max", 32, 32));
        assertTrue(
                e.getMessage().contains("'max'") && e.getMessage().contains("scse"),
                e.getMessage());
        ModelConfig c = config("fra", 1, 1);
        c.frBackbone = "arcface";
        e = assertThrows(IllegalArgumentException.class, () -> Networks.create(c));
        assertTrue(
                e.getMessage().contains("'arcface'")
                        && e.getMessage().contains("tf_efficientnet_b0"),
                e.getMessage());
        try (FraFerNetwork net = new FraFerNetwork(config("fra", 1, 1), smallFr(), null);
                NDManager m = NDManager.newBaseManager()) {
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    net.forwardDetailed(
                                            new ParameterStore(m, false),
                                            m.zeros(new Shape(1, 1, SIZE, SIZE)),
                                            false));
            assertTrue(e.getMessage().contains("(1, 1, 64, 64)"), e.getMessage());
        }
    }

    @Test
    void frBranchIsFrozenAndNeverTrainable() {
        try (FraFerNetwork net = new FraFerNetwork(config("fra", 1, 1), smallFr(), null)) {
            EfficientNetFrBackbone fr = (EfficientNetFrBackbone) net.fr();
            Set<Parameter> trainable = Collections.newSetFromMap(new IdentityHashMap<>());
            trainable.addAll(net.trainableParameters());
            for (Parameter p : fr.namedParameters().values()) {
                assertFalse(trainable.contains(p), p.getName());
                assertFalse(p.requiresGradient(), p.getName());
            }
            assertTrue(trainable.contains(net.namedParameters().get("fusion.conv.weight")));
            assertTrue(trainable.contains(net.namedParameters().get("conv_stem.weight")));
            assertFalse(trainable.contains(net.namedParameters().get("bn1.running_mean")));
            assertEquals(
                    List.of("classifier.weight", "classifier.bias"),
                    net.headParameters().stream().map(Parameter::getName).toList());
            // trainable = timm's 8-class count + the 1x1 attention conv (32 + 1)
            assertEquals(
                    4_017_796L + 33,
                    net.trainableParameters().stream().mapToLong(p -> p.getShape().size()).sum());
        }
    }

    @Test
    void frBatchNormIgnoresTheTrainingFlagAndFeaturesStopAtP() {
        try (EfficientNetFrBackbone fr = smallFr();
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 2);
            NDArray a = fr.features(x, 2);
            assertEquals(new Shape(2).addAll(fr.featureShape(2)), a.getShape());
            assertEquals(new Shape(2, 16, 24, 24), a.getShape());
            // one image alone gives the same features: no batch statistics are used
            NDArray single = fr.features(x.get("0:1"), 2);
            assertArrayEquals(a.get("0:1").toFloatArray(), single.toFloatArray(), 1e-5f);
            assertEquals(new Shape(2, 1280), fr.embedding(x).getShape());
        }
    }

    @Test
    void aTrainingStepChangesFerAndAttentionButNotOneFrTensor() {
        try (FraFerNetwork net = new FraFerNetwork(config("fra", 1, 1), smallFr(), null);
                Model model = Model.newInstance("fra-fer-test")) {
            model.setBlock(net.block());
            EfficientNetFrBackbone fr = (EfficientNetFrBackbone) net.fr();
            Map<String, float[]> frBefore = snapshot(fr.namedParameters());
            Map<String, float[]> ferBefore = snapshot(net.namedParameters());
            DefaultTrainingConfig tc =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.adam()
                                            .optLearningRateTracker(Tracker.fixed(1e-2f))
                                            .build());
            try (Trainer trainer = model.newTrainer(tc);
                    NDManager m = model.getNDManager().newSubManager()) {
                trainer.initialize(new Shape(4, 3, SIZE, SIZE));
                NDArray x = images(m, 4);
                NDArray y = m.create(new float[] {0, 3, 5, 7});
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                    gc.backward(loss);
                }
                trainer.step();
            }
            Map<String, float[]> ferAfter = snapshot(net.namedParameters());
            for (String k :
                    List.of(
                            "conv_stem.weight",
                            "blocks.3.1.conv_pw.weight",
                            "classifier.weight",
                            "fusion.conv.weight",
                            "fusion.conv.bias",
                            "bn1.weight")) {
                assertFalse(
                        java.util.Arrays.equals(ferBefore.get(k), ferAfter.get(k)),
                        k + " should change");
            }
            // training-mode BN updates the FER running statistics
            assertFalse(
                    java.util.Arrays.equals(
                            ferBefore.get("bn1.running_mean"), ferAfter.get("bn1.running_mean")));
            Map<String, float[]> frAfter = snapshot(fr.namedParameters());
            for (var e : frBefore.entrySet()) {
                assertArrayEquals(
                        e.getValue(),
                        frAfter.get(e.getKey()),
                        0f,
                        "FR tensor " + e.getKey() + " must be bit-identical");
            }
            assertEquals(fr.namedParameters().size(), frAfter.size());
        }
    }

    static Map<String, float[]> snapshot(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.getArray().toFloatArray()));
        return out;
    }

    @Test
    void inferenceOutsideACollectorRecordsNoGradient() {
        try (FraFerNetwork net = new FraFerNetwork(config("fra", 1, 1), smallFr(), null);
                NDManager m = NDManager.newBaseManager()) {
            EmotionNetwork.Outputs o = net.predict(images(m, 1));
            assertFalse(o.logits().hasGradient());
            List<String> keys = new ArrayList<>(net.namedParameters().keySet());
            assertEquals("conv_stem.weight", keys.get(0));
            assertNotNull(o.embedding());
        }
    }
}
