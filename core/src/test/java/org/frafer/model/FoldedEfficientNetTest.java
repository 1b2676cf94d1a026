package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;
import org.frafer.nn.Normalization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BatchNorm folded into the convolutions (inference snapshot) gives the unfolded network's outputs
 * and timm's: on the parity fixtures (seeded random weights with non-trivial BN statistics, from
 * tools/timm_reference.py) every layer output and the logits agree within 1e-4 (max abs) with both.
 */
@Tag("parity")
class FoldedEfficientNetTest {
    private static final float TOL = 1e-4f;
    private static Map<String, SafeTensors.Tensor> weights;
    private static Map<String, SafeTensors.Tensor> expected;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        weights = NetFixtures.weights();
        expected = NetFixtures.read("variants.safetensors");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        return a.toType(DataType.FLOAT32, false)
                .sub(b.toType(DataType.FLOAT32, false))
                .abs()
                .max()
                .getFloat();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tf_efficientnet_b0", "efficientnet_b0"})
    void foldedLayersEqualUnfoldedAndTimm(String arch) {
        EfficientNet net = new EfficientNet(EfficientNet.Variant.of(arch), 8, 0, 0.2f);
        try (NDManager m = manager.newSubManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 113, 113));
            assertTrue(Weights.load(net.namedParameters(), weights, true, "fixture").clean());
            try (FoldedEfficientNet folded = new FoldedEfficientNet(net)) {
                ParameterStore ps = new ParameterStore(m, false);
                // odd size (113: symmetric SAME padding everywhere) layer by layer, then 224
                // (asymmetric stride-2 padding)
                NDArray x =
                        Normalization.normalize(
                                NetFixtures.array(m, expected.get("x113")),
                                EfficientNetFrBackbone.IMAGENET_MEAN,
                                EfficientNetFrBackbone.IMAGENET_STD);
                NDArray ref = x;
                StringBuilder diffs = new StringBuilder("[folded] " + arch);
                for (int k = 1; k <= EfficientNet.NUM_LAYERS; k++) {
                    ref = net.forwardLayers(ps, ref, false, k, k);
                    x = folded.forwardLayers(x, k, k);
                    float d = maxAbsDiff(x, ref);
                    float dTimm = NetFixtures.maxAbsDiff(x, expected.get(arch + ".layer" + k));
                    diffs.append(String.format(" L%d=%.1e/%.1e", k, d, dTimm));
                    assertTrue(
                            d <= TOL,
                            arch + " layer " + k + ": folded vs unfolded max abs diff " + d);
                    assertTrue(
                            dTimm <= TOL,
                            arch + " layer " + k + ": folded vs timm max abs diff " + dTimm);
                }
                float dl =
                        NetFixtures.maxAbsDiff(
                                folded.classify(folded.pool(x)), expected.get(arch + ".logits"));
                assertTrue(dl <= TOL, arch + " logits vs timm " + dl);
                NDArray x224 =
                        Normalization.normalize(
                                NetFixtures.array(m, expected.get("x224")),
                                EfficientNetFrBackbone.IMAGENET_MEAN,
                                EfficientNetFrBackbone.IMAGENET_STD);
                NDArray logits224 =
                        folded.classify(
                                folded.pool(
                                        folded.forwardLayers(x224, 1, EfficientNet.NUM_LAYERS)));
                float d224 = NetFixtures.maxAbsDiff(logits224, expected.get(arch + ".logits224"));
                diffs.append(String.format(" logits113=%.1e logits224=%.1e", dl, d224));
                System.out.println(diffs);
                assertTrue(d224 <= TOL, arch + " 224 logits vs timm " + d224);
            }
        }
    }

    @Test
    void foldedIsASnapshotAndTheBnStatisticsMatter() {
        EfficientNet net = new EfficientNet(EfficientNet.Variant.TF_EFFICIENTNET_B0, 8, 0, 0.2f);
        try (NDManager m = manager.newSubManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Weights.load(net.namedParameters(), weights, true, "fixture");
            NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
            try (FoldedEfficientNet before = new FoldedEfficientNet(net)) {
                NDArray y0 = before.forwardLayers(x, 1, 1);
                // changing a BN running mean changes a fresh fold but not the existing snapshot
                net.namedParameters().get("bn1.running_mean").getArray().addi(0.5f);
                try (FoldedEfficientNet after = new FoldedEfficientNet(net)) {
                    assertTrue(
                            maxAbsDiff(before.forwardLayers(x, 1, 1), y0) == 0f,
                            "snapshot must not follow parameter changes");
                    NDArray y1 = after.forwardLayers(x, 1, 1);
                    assertNotEquals(
                            0f, maxAbsDiff(y1, y0), "the running mean must enter the folded bias");
                    NDArray ref = net.forwardLayers(new ParameterStore(m, false), x, false, 1, 1);
                    assertTrue(maxAbsDiff(y1, ref) <= TOL);
                }
            }
        }
    }

    /**
     * Stride-2 depthwise convs under SAME padding run as a widened kernel when both axes pad (lo,
     * lo + 1) and as pad + conv otherwise: every parity mix of height and width must equal the
     * unfolded network layer by layer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"64x64", "64x65", "65x64", "66x70", "33x47"})
    void foldedMatchesUnfoldedForEveryPaddingShape(String size) {
        String[] hw = size.split("x");
        Shape shape = new Shape(2, 3, Long.parseLong(hw[0]), Long.parseLong(hw[1]));
        EfficientNet net = new EfficientNet(EfficientNet.Variant.TF_EFFICIENTNET_B0, 8, 0, 0.2f);
        try (NDManager m = manager.newSubManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Weights.load(net.namedParameters(), weights, true, "fixture");
            NDArray x = m.randomNormal(shape);
            ParameterStore ps = new ParameterStore(m, false);
            try (FoldedEfficientNet folded = new FoldedEfficientNet(net)) {
                NDArray ref = x;
                NDArray got = x;
                for (int k = 1; k <= EfficientNet.NUM_LAYERS; k++) {
                    ref = net.forwardLayers(ps, ref, false, k, k);
                    got = folded.forwardLayers(got, k, k);
                    float d = maxAbsDiff(got, ref);
                    assertTrue(
                            d <= TOL,
                            size + " layer " + k + ": folded vs unfolded max abs diff " + d);
                }
            }
        }
    }

    /**
     * FraFerNetwork.predict with the folded snapshot (fra p=1 q=1) equals the unfolded predict;
     * training forward drops it.
     */
    @Test
    void fraFerPredictFoldedEqualsUnfolded() {
        ModelConfig c = new ModelConfig();
        c.fusion = "fra";
        c.inputSize = 113;
        c.frBackbone = "tf_efficientnet_b0";
        Map<String, SafeTensors.Tensor> ref = NetFixtures.read("fra_p1_q1.safetensors");
        EfficientNetFrBackbone fr =
                new EfficientNetFrBackbone(
                        EfficientNet.Variant.TF_EFFICIENTNET_B0,
                        224,
                        EfficientNetFrBackbone.IMAGENET_MEAN,
                        EfficientNetFrBackbone.IMAGENET_STD,
                        weights,
                        "fixture");
        try (FraFerNetwork net = new FraFerNetwork(c, fr, null);
                NDManager m = manager.newSubManager()) {
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
            NDArray images = NetFixtures.array(m, expected.get("x113"));
            EmotionNetwork.Outputs plain = net.predict(images);
            net.foldForInference();
            assertTrue(net.isFolded());
            EmotionNetwork.Outputs folded = net.predict(images);
            float dLogits = maxAbsDiff(folded.logits(), plain.logits());
            float dTorch = NetFixtures.maxAbsDiff(folded.logits(), ref.get("logits"));
            float dAtt = maxAbsDiff(folded.attention(), plain.attention());
            float dEmb = maxAbsDiff(folded.embedding(), plain.embedding());
            System.out.printf(
                    "[folded] fra p=1 q=1 logits=%.1e (vs torch %.1e) attention=%.1e embedding=%.1e%n",
                    dLogits, dTorch, dAtt, dEmb);
            assertTrue(
                    dLogits <= TOL && dTorch <= TOL && dAtt <= TOL && dEmb <= TOL,
                    "folded predict differs: logits "
                            + dLogits
                            + ", vs torch "
                            + dTorch
                            + ", attention "
                            + dAtt
                            + ", embedding "
                            + dEmb);
            // chunked logits (uneven chunks of 2 + 1 + ... images) equal the one-batch logits
            NDArray five = m.randomUniform(0, 1, new Shape(5, 3, 113, 113));
            NDArray whole = net.predict(five).logits();
            NDArray chunked = net.predictLogits(five, 2);
            assertEquals(new Shape(5, 8), chunked.getShape());
            assertTrue(
                    maxAbsDiff(chunked, whole) <= 1e-5f,
                    "chunked logits differ by " + maxAbsDiff(chunked, whole));
            net.forwardDetailed(new ParameterStore(m, false), images, false);
            assertTrue(net.isFolded(), "an eval-mode forward keeps the snapshot");
            net.forwardDetailed(new ParameterStore(m, false), images, true);
            assertTrue(
                    !net.isFolded(),
                    "a training-mode forward drops the snapshot (weights will change)");
        }
    }
}
