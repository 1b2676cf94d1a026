package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.frafer.nn.TfSamePadding;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("parity")
class EfficientNetTest {

    @ParameterizedTest
    @ValueSource(strings = {"tf_efficientnet_b0", "efficientnet_b0"})
    void parameterCountEqualsTimm(String arch) {
        // timm: sum(p.numel() for p in create_model(arch, num_classes=...).parameters())
        assertEquals(
                5_288_548L,
                new EfficientNet(EfficientNet.Variant.of(arch), 1000, 0, 0.2f).countParameters());
        assertEquals(
                4_017_796L,
                new EfficientNet(EfficientNet.Variant.of(arch), 8, 0, 0.2f).countParameters());
    }

    @Test
    void parameterNamesAndShapesAreTimmStateDictKeys() {
        Map<String, ai.djl.nn.Parameter> p =
                new EfficientNet(EfficientNet.Variant.TF_EFFICIENTNET_B0, 1000, 0, 0.2f)
                        .namedParameters();
        Map<String, Shape> expected =
                Map.of(
                        "conv_stem.weight", new Shape(32, 3, 3, 3),
                        "bn1.running_var", new Shape(32),
                        "blocks.0.0.conv_dw.weight", new Shape(32, 1, 3, 3),
                        "blocks.0.0.se.conv_reduce.weight", new Shape(8, 32, 1, 1),
                        "blocks.1.0.conv_pw.weight", new Shape(96, 16, 1, 1),
                        "blocks.1.0.se.conv_reduce.bias", new Shape(4),
                        "blocks.5.3.conv_dw.weight", new Shape(1152, 1, 5, 5),
                        "conv_head.weight", new Shape(1280, 320, 1, 1),
                        "bn2.running_mean", new Shape(1280),
                        "classifier.weight", new Shape(1000, 1280));
        expected.forEach((k, s) -> assertEquals(s, p.get(k).getShape(), k));
        // 16 blocks; timm's state_dict has 360 keys of which 49 are num_batches_tracked
        assertEquals(360 - 49, p.size());
        assertTrue(
                p.keySet().stream()
                        .noneMatch(
                                k ->
                                        k.contains("gamma")
                                                || k.contains("running_mean")
                                                        && !k.endsWith(".running_mean")));
        // and it is exactly the key set of the timm fixture (8 classes)
        assertEquals(
                NetFixtures.weights().keySet(),
                new EfficientNet(EfficientNet.Variant.EFFICIENTNET_B0, 8, 0, 0.2f)
                        .namedParameters()
                        .keySet());
    }

    /**
     * TF SAME: out = ceil(in / s), total = max((out - 1) * s + k - in, 0), before = total / 2
     * (values TF computes).
     */
    @ParameterizedTest
    @CsvSource({
        "224,3,2,0,1",
        "113,3,2,1,1",
        "112,3,2,0,1",
        "57,3,2,1,1",
        "56,5,2,1,2",
        "29,5,2,2,2",
        "8,5,2,1,2",
        "7,5,2,2,2",
        "15,3,2,1,1",
        "14,3,2,0,1",
        "97,3,1,1,1",
        "15,5,1,2,2",
        "2,3,2,0,1",
        "1,3,2,1,1",
        "6,1,2,0,0",
        "5,1,1,0,0"
    })
    void tfSamePaddingArithmetic(int in, int k, int s, int before, int after) {
        assertArrayEquals(new int[] {before, after}, TfSamePadding.padding(in, k, s, 1));
        int out = TfSamePadding.outputSize(in, s);
        assertEquals((in + before + after - k) / s + 1, out, "padded conv output = ceil(in/s)");
    }

    @Test
    void tfSamePadAddsTheExtraRowAndColumnAtTheEnd() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(1, 1, 4, 4));
            NDArray y = TfSamePadding.pad(x, 3, 2); // total 1: (0 before, 1 after)
            assertEquals(new Shape(1, 1, 5, 5), y.getShape());
            float[] v = y.toFloatArray();
            assertEquals(1f, v[0]);
            assertEquals(0f, v[4], "last column is padding");
            assertEquals(0f, v[20], "last row is padding");
            NDArray z = TfSamePadding.pad(m.ones(new Shape(1, 1, 8, 8)), 5, 2); // total 3: (1, 2)
            assertEquals(new Shape(1, 1, 11, 11), z.getShape());
            float[] w = z.get("0,0,1,:").toFloatArray();
            assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, w);
        }
    }

    @Test
    void layerShapesAt224() {
        long[][] want = {
            {32, 112}, {16, 112}, {24, 56}, {40, 28}, {80, 14}, {112, 14}, {192, 7}, {320, 7},
            {1280, 7}
        };
        for (int k = 1; k <= 9; k++) {
            assertEquals(
                    new Shape(want[k - 1][0], want[k - 1][1], want[k - 1][1]),
                    EfficientNet.layerShape(k, 224),
                    "layer " + k);
        }
        assertThrows(IllegalArgumentException.class, () -> EfficientNet.layerShape(0, 224));
        assertThrows(IllegalArgumentException.class, () -> EfficientNet.layerShape(10, 224));
    }

    /**
     * Training-mode BN updates running stats like torch with momentum 0.1 (unbiased batch
     * variance).
     */
    @Test
    void trainingBatchNormMomentumMatchesTorchDefault() {
        try (NDManager m = NDManager.newBaseManager()) {
            EfficientNet net =
                    new EfficientNet(EfficientNet.Variant.TF_EFFICIENTNET_B0, 8, 0, 0.2f);
            net.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 32, 32));
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            NDArray x = m.randomNormal(new Shape(2, 3, 33, 33));
            NDArray w = net.namedParameters().get("conv_stem.weight").getArray();
            NDArray conv =
                    ai.djl.nn.convolutional.Conv2d.conv2d(
                                    TfSamePadding.pad(x, 3, 2),
                                    w,
                                    null,
                                    new Shape(2, 2),
                                    new Shape(0, 0),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow(); // (2, 32, 17, 17)
            NDArray perChannel = conv.transpose(1, 0, 2, 3).reshape(32, -1);
            NDArray mean = perChannel.mean(new int[] {1});
            long n = perChannel.getShape().get(1);
            NDArray varUnbiased =
                    perChannel.sub(mean.expandDims(1)).square().sum(new int[] {1}).div(n - 1);
            net.forwardLayers(new ai.djl.training.ParameterStore(m, false), x, true, 1, 1);
            assertArrayEquals(
                    mean.mul(0.1f).toFloatArray(),
                    net.namedParameters().get("bn1.running_mean").getArray().toFloatArray(),
                    1e-5f);
            assertArrayEquals(
                    varUnbiased.mul(0.1f).add(0.9f).toFloatArray(),
                    net.namedParameters().get("bn1.running_var").getArray().toFloatArray(),
                    1e-4f);
        }
    }

    @Test
    void unknownArchNamesTheKnownOnes() {
        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> EfficientNet.Variant.of("resnet50"));
        assertTrue(
                e.getMessage().contains("tf_efficientnet_b0")
                        && e.getMessage().contains("efficientnet_b0"),
                e.getMessage());
    }

    @Test
    void blockStringsDecodeLikeTimm() {
        assertEquals(
                Map.of(
                        "type", "ir", "r", "4", "k", "5", "s", "2", "e", "6", "c", "192", "se",
                        "0.25"),
                EfficientNet.decode("ir_r4_k5_s2_e6_c192_se0.25"));
    }
}
