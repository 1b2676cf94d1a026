package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.frafer.Assets;
import org.frafer.faces.FrBackbone;
import org.frafer.faces.TfjsFrBackbone;
import org.frafer.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The face-pretrained FER backbone {@code hse-faceres} (HSE FaceRes MobileNet from the TF.js asset)
 * inside FraFerNetwork.
 */
@Tag("slow")
class FaceResTrunkTest {
    static final int SIZE = 112;

    @BeforeEach
    void needsModels() {
        Assumptions.assumeTrue(
                Assets.present("human-models/models/faceres.json"),
                "face models not fetched (run tools/fetch-assets.sh); assets root "
                        + Assets.root());
    }

    static ModelConfig config(String fusion) {
        ModelConfig c = new ModelConfig();
        c.arch = "hse-faceres";
        c.fusion = fusion;
        c.inputSize = SIZE;
        c.frBackbone = "hse-faceres";
        return c;
    }

    static NDArray images(NDManager m, int n, int size) {
        Engine.getInstance().setRandomSeed(5);
        return m.randomUniform(0, 1, new Shape(n, 3, size, size));
    }

    @Test
    void layersShapesAndFraAtTheStem() {
        try (FraFerNetwork net = Networks.create(config("fra"));
                NDManager m = NDManager.newBaseManager()) {
            FerBackbone fer = net.fer();
            assertEquals("hse-faceres", fer.arch());
            assertEquals(14, fer.numLayers());
            assertEquals(new Shape(32, 56, 56), fer.mapShape(1, SIZE));
            assertEquals(new Shape(128, 28, 28), fer.mapShape(3, SIZE));
            assertEquals(new Shape(1024, 4, 4), fer.mapShape(14, SIZE));
            assertEquals(new Shape(1024, 7, 7), fer.mapShape(14, 224));
            assertThrows(IllegalArgumentException.class, () -> fer.mapShape(15, SIZE));
            assertEquals(1024, fer.classifierInFeatures());

            EmotionNetwork.Outputs o =
                    net.forwardDetailed(new ParameterStore(m, false), images(m, 2, SIZE), false);
            assertEquals(new Shape(2, 8), o.logits().getShape());
            assertEquals(new Shape(2, 1024), o.embedding().getShape());
            assertEquals(new Shape(2, 32, 56, 56), o.featureBefore().getShape());
            assertEquals(
                    new Shape(2, 1, 56, 56),
                    o.attention().getShape()); // FR stem 112x112 interpolated to 56x56
            NDArray expect = o.featureBefore().mul(o.attention()).maximum(o.featureBefore());
            assertArrayEquals(expect.toFloatArray(), o.featureAfter().toFloatArray(), 0f);
            // the lean inference path gives the same logits
            NDArray lean = net.predict(images(m, 2, SIZE)).logits();
            assertTrue(
                    lean.sub(o.logits()).abs().max().getFloat() < 1e-4f,
                    "predict == forwardDetailed");
        }
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> {
                            ModelConfig c = config("none");
                            c.arch = "mobilenet";
                            Networks.create(c);
                        });
        assertTrue(
                e.getMessage().contains("hse-faceres")
                        && e.getMessage().contains("tf_efficientnet_b0"),
                e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> {
                            ModelConfig c = config("none");
                            c.q = 15;
                            Networks.create(c);
                        });
        assertTrue(e.getMessage().contains("1..14"), e.getMessage());
    }

    @Test
    void startsFromTheFaceIdWeightsAndSplitsAtAnyLayer() {
        // at 224 px (the FR model's own size, so its resize is the identity) the untrained trunk
        // equals the frozen FR network
        ModelConfig c = config("none");
        c.inputSize = 224;
        try (FraFerNetwork net = Networks.create(c);
                FrBackbone fr = FrBackbones.create("hse-faceres", null);
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 1, 224);
            ParameterStore ps = new ParameterStore(m, false);
            FerBackbone fer = net.fer();
            NDArray full = fer.forwardLayers(ps, fer.preprocess(x, c), false, 1, 14);
            NDArray ref = fr.features(x, 14);
            assertEquals(ref.getShape(), full.getShape());
            float scale = ref.abs().max().getFloat();
            assertTrue(scale > 0.1f);
            assertTrue(
                    full.sub(ref).abs().max().getFloat() < 1e-4f * scale,
                    "trunk(1..14) == frozen FR layer 14");
            // feeding an inner layer: 1..5 then 6..14 == 1..14; lean == training-graph path
            NDArray h5 = fer.forwardLayers(ps, fer.preprocess(x, c), false, 1, 5);
            assertTrue(h5.sub(fr.features(x, 5)).abs().max().getFloat() < 1e-4f * scale, "layer 5");
            NDArray split = fer.forwardLayersLean(ps, h5, 6, 14);
            assertTrue(split.sub(full).abs().max().getFloat() < 1e-4f * scale, "split at layer 5");
        }
    }

    @Test
    void ferTrunkTrainsWhileTheFrBranchStaysBitIdenticalAndFraIsInertAfterReLU6() {
        try (FraFerNetwork net = Networks.create(config("fra"));
                NDManager m = NDManager.newBaseManager()) {
            TfjsFrBackbone fr = (TfjsFrBackbone) net.fr();
            Map<String, Parameter> frParams = fr.graph().weightParameters();
            Map<String, float[]> frBefore = new HashMap<>();
            frParams.forEach((k, p) -> frBefore.put(k, p.getArray().toFloatArray()));
            Parameter ferStem = net.namedParameters().get("conv1/convolution/merged_input");
            assertNotSame(
                    frParams.get("conv1/convolution/merged_input"),
                    ferStem,
                    "FER trunk has its own copy of the face-ID weights");
            float[] stemBefore = ferStem.getArray().toFloatArray();
            Parameter attn = net.namedParameters().get("fusion.conv.weight");
            assertTrue(net.trainableParameters().contains(ferStem));
            // every trainable parameter gets a gradient (the trunk holds only what the last layer
            // needs)
            NDArray x = images(m, 2, SIZE);
            EmotionNetwork.Outputs o;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                o = net.forwardDetailed(new ParameterStore(m, false), x, true);
                gc.backward(o.logits().get(":, 0").sum().sub(o.logits().get(":, 4").sum()));
            }
            // The paper's H <- max(S * H, H) with S in (0, 1) only changes negative activations;
            // the FaceRes
            // stem is a ReLU6 output (H >= 0), so FRA is exactly the identity here and S gets no
            // gradient.
            assertTrue(o.featureBefore().min().getFloat() >= 0f);
            assertArrayEquals(
                    o.featureBefore().toFloatArray(), o.featureAfter().toFloatArray(), 0f);
            assertEquals(0f, attn.getArray().getGradient().abs().sum().getFloat(), 0f);
            for (Parameter p : net.trainableParameters()) {
                assertTrue(p.getArray().hasGradient(), "gradient for " + p.getName());
                p.getArray().subi(p.getArray().getGradient().mul(1e-2f)); // one SGD step
            }
            frParams.forEach(
                    (k, p) -> {
                        assertFalse(p.requiresGradient(), k);
                        assertArrayEquals(
                                frBefore.get(k), p.getArray().toFloatArray(), 0f, "FR " + k);
                    });
            assertFalse(
                    java.util.Arrays.equals(stemBefore, ferStem.getArray().toFloatArray()),
                    "FER stem trained");
        }
    }

    @Test
    void saveLoadRoundTripKeepsTrainedWeights(@TempDir Path tmp) {
        try (FraFerNetwork net = Networks.create(config("fra"));
                NDManager m = NDManager.newBaseManager()) {
            // move a trunk weight away from the asset's value: the reload must take it from
            // model.safetensors
            net.namedParameters().get("conv_pw_13/convolution/merged_input").getArray().muli(0.5f);
            net.save(tmp.resolve("f32"));
            net.save(tmp.resolve("f16"), SafeTensors.DType.F16);
            NDArray x = images(m, 2, SIZE);
            float[] want = net.predict(x).logits().toFloatArray();
            try (EmotionNetwork back = Networks.load(tmp.resolve("f32"))) {
                assertEquals("hse-faceres", back.config().arch);
                assertArrayEquals(want, back.predict(x).logits().toFloatArray(), 1e-5f);
            }
            try (EmotionNetwork back = Networks.load(tmp.resolve("f16"))) {
                float[] got = back.predict(x).logits().toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(
                            want[i], got[i], 0.02f + 0.01f * Math.abs(want[i]), "f16 logit " + i);
                }
            }
            var tensors = SafeTensors.read(tmp.resolve("f32").resolve("model.safetensors"));
            assertTrue(
                    tensors.containsKey("conv1/convolution/merged_input")
                            && tensors.containsKey("classifier.weight")
                            && tensors.containsKey("fusion.conv.weight"));
            assertFalse(
                    tensors.keySet().stream()
                            .anyMatch(
                                    k ->
                                            k.contains("global_pooling")
                                                    || k.startsWith("gender")
                                                    || k.startsWith("age")),
                    "only the trunk's weights are saved: " + tensors.keySet());
        }
    }
}
