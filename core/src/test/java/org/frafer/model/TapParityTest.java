package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fusion's tap point (config {@code tap}) and the residual FRA variant against PyTorch/timm
 * 1.0.15 (fixtures {@code fra_tap_*} from tools/timm_reference.py: a forward hook on layer q's last
 * conv, before its BN, at 64 px). Tolerances as TimmParityTest: max abs diff <= 1e-4 for attention,
 * maps and loss, and for logits 1e-4 times max(1, largest |logit|) (fra-residual at the pre tap
 * doubles maps before 16 layers: logits of order 10); attention-conv gradients within 1e-4 relative
 * to their max magnitude; train mode (batch-statistics BN) 2e-4, as the train-step test.
 */
class TapParityTest {
    private static final float TOL = 1e-4f;
    private static Map<String, SafeTensors.Tensor> weights;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        weights = NetFixtures.weights();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static ModelConfig config(String fusion, String tap, int p, int q) {
        ModelConfig c = new ModelConfig();
        c.arch = "tf_efficientnet_b0";
        c.fusion = fusion;
        c.tap = tap;
        c.p = p;
        c.q = q;
        c.inputSize = 64;
        c.frBackbone = "tf_efficientnet_b0";
        return c;
    }

    static FraFerNetwork network(ModelConfig c, Map<String, SafeTensors.Tensor> ref) {
        EfficientNetFrBackbone fr =
                new EfficientNetFrBackbone(
                        EfficientNet.Variant.TF_EFFICIENTNET_B0,
                        224,
                        EfficientNetFrBackbone.IMAGENET_MEAN,
                        EfficientNetFrBackbone.IMAGENET_STD,
                        weights,
                        "fixture");
        FraFerNetwork net = new FraFerNetwork(c, fr, null);
        Weights.load(net.fer().namedParameters(), weights, true, "fixture");
        Weights.load(
                net.fusion().namedParameters(),
                Map.of(
                        "conv.weight",
                        ref.get("fusion.conv.weight"),
                        "conv.bias",
                        ref.get("fusion.conv.bias")),
                true,
                "fixture");
        return net;
    }

    private static NDArray loss(NDManager m, NDArray logits, float[] labels) {
        NDArray onehot = m.create(new int[] {(int) labels[0], (int) labels[1]}).oneHot(8);
        return logits.logSoftmax(1).mul(onehot).sum().neg().div(2);
    }

    @ParameterizedTest(name = "{0} tap {1} p={2} q={3}")
    @CsvSource({
        "fra,pre,1,1,fra_tap_pre_p1_q1",
        "fra,pre,2,3,fra_tap_pre_p2_q3",
        "fra-residual,post,1,1,fra_tap_post_residual_p1_q1",
        "fra-residual,pre,1,1,fra_tap_pre_residual_p1_q1"
    })
    void forwardAndAttentionGradientsMatchTimm(
            String fusion, String tap, int p, int q, String fixture) {
        Map<String, SafeTensors.Tensor> ref = NetFixtures.read(fixture + ".safetensors");
        try (FraFerNetwork net = network(config(fusion, tap, p, q), ref);
                NDManager m = manager.newSubManager()) {
            NDArray images = NetFixtures.array(m, ref.get("x64"));
            float[] labels = ref.get("labels").data();
            var weight = net.namedParameters().get("fusion.conv.weight");
            var bias = net.namedParameters().get("fusion.conv.bias");
            Map<String, Float> diffs = new LinkedHashMap<>();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                EmotionNetwork.Outputs out =
                        net.forwardDetailed(new ParameterStore(m, false), images, false);
                NDArray loss = loss(m, out.logits(), labels);
                diffs.put(
                        "logits",
                        NetFixtures.maxAbsDiff(out.logits(), ref.get("logits"))
                                / Math.max(
                                        1,
                                        NetFixtures.maxAbs(
                                                ref.get("logits")
                                                        .data()))); // relative to max(1, |logit|)
                diffs.put(
                        "attention", NetFixtures.maxAbsDiff(out.attention(), ref.get("attention")));
                diffs.put(
                        "feature_before",
                        NetFixtures.maxAbsDiff(out.featureBefore(), ref.get("feature_before")));
                diffs.put(
                        "feature_after",
                        NetFixtures.maxAbsDiff(out.featureAfter(), ref.get("feature_after")));
                diffs.put("loss", Math.abs(loss.getFloat() - ref.get("loss").data()[0]));
                gc.backward(loss);
            }
            diffs.put(
                    "gradW(rel)",
                    relDiff(weight.getArray().getGradient(), ref.get("grad.fusion.conv.weight")));
            diffs.put(
                    "gradB(rel)",
                    relDiff(bias.getArray().getGradient(), ref.get("grad.fusion.conv.bias")));
            System.out.println("[parity] " + fixture + " " + diffs);
            diffs.forEach((k, d) -> assertTrue(d <= TOL, fixture + " " + k + " diff " + d));
        }
    }

    /**
     * The pre tap at q = 1 really sees conv_stem's signed map, and the fusion there changes it (a
     * post-tap max would not reach it).
     */
    @Test
    void preTapMapIsSignedAndTheFusionActsOnIt() {
        Map<String, SafeTensors.Tensor> ref = NetFixtures.read("fra_tap_pre_p1_q1.safetensors");
        float min = Float.MAX_VALUE;
        for (float v : ref.get("feature_before").data()) {
            min = Math.min(min, v);
        }
        assertTrue(min < -1, "conv_stem output should be signed, min " + min);
        float changed = 0;
        float[] before = ref.get("feature_before").data();
        float[] after = ref.get("feature_after").data();
        for (int i = 0; i < before.length; i++) {
            changed = Math.max(changed, Math.abs(after[i] - before[i]));
        }
        assertTrue(
                changed > 0.1, "the fusion should change the negative part, max change " + changed);
    }

    /** Train mode (batch-statistics bn1 after the fused map) at the pre tap. */
    @Test
    void trainModePreTapMatchesTimm() {
        Map<String, SafeTensors.Tensor> ref = NetFixtures.read("fra_tap_pre_p1_q1.safetensors");
        ModelConfig c = config("fra", "pre", 1, 1);
        c.dropRate = 0;
        try (FraFerNetwork net = network(c, ref);
                NDManager m = manager.newSubManager()) {
            NDArray images = NetFixtures.array(m, ref.get("x64"));
            float dLogits;
            float dLoss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                EmotionNetwork.Outputs out =
                        net.forwardDetailed(new ParameterStore(m, false), images, true);
                NDArray loss = loss(m, out.logits(), ref.get("labels").data());
                dLogits = NetFixtures.maxAbsDiff(out.logits(), ref.get("train_logits"));
                dLoss = Math.abs(loss.getFloat() - ref.get("train_loss").data()[0]);
                gc.backward(loss);
            }
            float gw =
                    relDiff(
                            net.namedParameters()
                                    .get("fusion.conv.weight")
                                    .getArray()
                                    .getGradient(),
                            ref.get("train.grad.fusion.conv.weight"));
            float gb =
                    relDiff(
                            net.namedParameters().get("fusion.conv.bias").getArray().getGradient(),
                            ref.get("train.grad.fusion.conv.bias"));
            System.out.printf(
                    "[parity] train-mode tap pre: logits=%.2e loss=%.2e gradW(rel)=%.2e gradB(rel)=%.2e%n",
                    dLogits, dLoss, gw, gb);
            assertTrue(
                    dLogits <= 2 * TOL && dLoss <= 2 * TOL,
                    "train-mode logits " + dLogits + " loss " + dLoss);
            assertTrue(
                    gw <= 2 * TOL && gb <= 2 * TOL,
                    "train-mode attention gradients " + gw + ", " + gb);
        }
    }

    /**
     * The folded inference copy (BN kept apart at the tapped conv) gives the eval-mode training
     * forward's outputs.
     */
    @ParameterizedTest(name = "{0} tap pre q={1}")
    @CsvSource({"fra,1", "fra,3", "fra-residual,1", "sse,2", "fra,9"})
    void foldedInferenceEqualsTheEvalForward(String fusion, int q) {
        Map<String, SafeTensors.Tensor> ref = NetFixtures.read("fra_tap_pre_p1_q1.safetensors");
        ModelConfig c = config(fusion, "pre", 1, q);
        try (FraFerNetwork net =
                        fusion.startsWith("fra")
                                ? network(c, ref)
                                : new FraFerNetwork(c, null, null);
                NDManager m = manager.newSubManager()) {
            if (!fusion.startsWith("fra")) {
                Weights.load(net.fer().namedParameters(), weights, true, "fixture");
            }
            NDArray images = NetFixtures.array(m, ref.get("x64"));
            EmotionNetwork.Outputs plain =
                    net.forwardDetailed(new ParameterStore(m, false), images, false);
            net.foldForInference();
            assertTrue(net.isFolded());
            EmotionNetwork.Outputs folded = net.predict(images);
            float d =
                    maxAbsDiff(folded.logits(), plain.logits())
                            / Math.max(
                                    1,
                                    plain.logits()
                                            .abs()
                                            .max()
                                            .getFloat()); // rel. to max(1, |logit|)
            float dBefore = maxAbsDiff(folded.featureBefore(), plain.featureBefore());
            float dAfter = maxAbsDiff(folded.featureAfter(), plain.featureAfter());
            System.out.printf(
                    "[fold] %s tap pre q=%d logits=%.2e before=%.2e after=%.2e%n",
                    fusion, q, d, dBefore, dAfter);
            assertTrue(
                    d <= TOL && dBefore <= TOL && dAfter <= TOL,
                    "folded vs eval forward: " + d + ", " + dBefore + ", " + dAfter);
            if (fusion.startsWith("fra")) {
                assertNotNull(folded.attention());
                assertTrue(maxAbsDiff(folded.attention(), plain.attention()) <= TOL);
            }
            // the tap changes the result: the same weights with tap post give other logits
            if (q == 1 && "fra".equals(fusion)) {
                ModelConfig post = config(fusion, "post", 1, q);
                try (FraFerNetwork other = network(post, ref)) {
                    float dPost = maxAbsDiff(other.predict(images).logits(), plain.logits());
                    assertTrue(dPost > 1e-3, "tap pre and post should differ, got " + dPost);
                }
            }
        }
    }

    @Test
    void badTapsAreRejectedWithAClearMessage() {
        ModelConfig c = config("fra", "middle", 1, 1);
        var e = assertThrows(IllegalArgumentException.class, c::validate);
        assertTrue(e.getMessage().contains("tap 'middle'"), e.getMessage());
        ModelConfig none = config("none", "pre", 1, 1);
        e = assertThrows(IllegalArgumentException.class, none::validate);
        assertTrue(e.getMessage().contains("needs a feature-map fusion"), e.getMessage());
        ModelConfig trunk = config("sse", "pre", 1, 1);
        trunk.arch = "hse-faceres";
        org.junit.jupiter.api.Assumptions.assumeTrue(
                org.frafer.Assets.present("human-models/models/faceres.json"),
                "face models not fetched (tools/fetch-assets.sh)");
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new FraFerNetwork(trunk, null, null).close());
        assertTrue(
                e.getMessage().contains("tap 'pre' is not available for arch hse-faceres"),
                e.getMessage());
    }

    @Test
    void preTapNamesTheConvBeforeTheNorm() {
        assertEquals("conv_stem output (before bn1+SiLU, signed)", EfficientNet.preTapName(1));
        assertEquals(
                "blocks.0.0.conv_pw output (before blocks.0.0.bn2, signed)",
                EfficientNet.preTapName(2));
        assertEquals(
                "blocks.1.1.conv_pwl output (before blocks.1.1.bn3 and the residual add, signed)",
                EfficientNet.preTapName(3));
        assertEquals(
                "blocks.6.0.conv_pwl output (before blocks.6.0.bn3, signed)",
                EfficientNet.preTapName(8));
        assertEquals("conv_head output (before bn2+SiLU, signed)", EfficientNet.preTapName(9));
    }

    /**
     * tap is recorded in config.json and read back; a file written before the field existed loads
     * as post.
     */
    @Test
    void tapIsRecordedInModelFilesAndOldFilesLoadAsPost(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        ModelConfig c = new ModelConfig();
        c.fusion = "sse";
        c.tap = "pre";
        c.inputSize = 64;
        try (var net = Networks.create(c)) {
            net.save(tmp.resolve("pre"));
        }
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var json =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        mapper.readTree(tmp.resolve("pre/config.json").toFile());
        assertEquals("pre", json.path("tap").asText(), json.toString());
        try (var net = Networks.load(tmp.resolve("pre"))) {
            assertEquals("pre", net.config().tap);
        }
        java.nio.file.Files.createDirectories(tmp.resolve("old"));
        java.nio.file.Files.copy(
                tmp.resolve("pre/model.safetensors"), tmp.resolve("old/model.safetensors"));
        json.remove("tap");
        java.nio.file.Files.writeString(tmp.resolve("old/config.json"), json.toString());
        try (var net = Networks.load(tmp.resolve("old"))) {
            assertEquals("post", net.config().tap);
        }
    }

    private static float relDiff(NDArray a, SafeTensors.Tensor expected) {
        return NetFixtures.maxAbsDiff(a, expected) / NetFixtures.maxAbs(expected.data());
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        return a.sub(b).abs().max().getFloat();
    }
}
