package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.frafer.Assets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The {@link FrBackbone} contract on hse-faceres: layers, shapes, any input size, frozen, caller's
 * manager.
 */
@Tag("parity")
class FrBackboneContractTest {

    @Test
    void hseFaceResLayersAndContract() {
        FaceFixtures.assumeModels();
        assertThrows(IllegalArgumentException.class, () -> FaceModels.fr("nope"));
        try (FrBackbone fr = FaceModels.fr("hse-faceres");
                NDManager m = NDManager.newBaseManager()) {
            assertEquals("hse-faceres", fr.id());
            assertEquals(224, fr.inputSize());
            assertEquals(14, fr.numLayers());
            assertEquals(new Shape(32, 112, 112), fr.featureShape(1));
            assertEquals(new Shape(64, 112, 112), fr.featureShape(2));
            assertEquals(new Shape(128, 56, 56), fr.featureShape(3));
            assertEquals(new Shape(1024, 7, 7), fr.featureShape(14));
            assertThrows(IllegalArgumentException.class, () -> fr.featureShape(15));

            NDArray faces =
                    m.randomUniform(0f, 1f, new Shape(2, 3, 96, 80)); // any size: resized inside
            faces.setRequiresGradient(true);
            NDArray h;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                h = fr.features(faces, 1);
                assertFalse(h.hasGradient());
            }
            assertEquals(new Shape(2, 32, 112, 112), h.getShape());
            assertSame(m, h.getManager());
            float max = h.max().getFloat();
            assertTrue(
                    h.min().getFloat() >= 0 && max <= 6f && max > 0,
                    "ReLU6 stem output range"); // clip_by_value(0, 6)
            NDArray e = fr.embedding(faces);
            assertEquals(new Shape(2, 1024), e.getShape());
            for (var p : ((TfjsFrBackbone) fr).graph().getParameters().values()) {
                assertFalse(p.requiresGradient(), p.getName());
            }

            // The same weights as a trainable DJL block: same output, and gradients reach the stem
            // kernel.
            FrTrunkBlock trunk = ((TfjsFrBackbone) fr).trunk(1);
            assertEquals(
                    new Shape(2, 32, 112, 112),
                    trunk.getOutputShapes(new Shape[] {new Shape(2, 3, 96, 80)})[0]);
            trunk.freezeParameters(false);
            try {
                Parameter stem =
                        ((TfjsFrBackbone) fr)
                                .graph()
                                .weightParameters()
                                .get("conv1/convolution/merged_input");
                NDArray y;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    y =
                            trunk.forward(new ParameterStore(m, false), new NDList(faces), true)
                                    .singletonOrThrow();
                    gc.backward(y.mean());
                }
                assertTrue(y.sub(h).abs().max().getFloat() < 1e-5f, "trunk == features()");
                assertTrue(
                        stem.getArray().getGradient().abs().sum().getFloat() > 0,
                        "gradient reaches the stem");
            } finally {
                trunk.freezeParameters(true);
            }
        }
    }

    @Test
    void hseFaceResCountsEveryFloatWeightOfItsManifest() throws java.io.IOException {
        FaceFixtures.assumeModels();
        JsonNode manifest =
                new ObjectMapper()
                        .readTree(Assets.require("human-models/models/faceres.json").toFile())
                        .path("weightsManifest");
        long floats = 0;
        int others = 0;
        for (JsonNode group : manifest) {
            for (JsonNode w : group.path("weights")) {
                long n = 1;
                for (JsonNode d : w.path("shape")) {
                    n *= d.asLong();
                }
                if ("float32".equals(w.path("dtype").asText())) {
                    floats += n;
                } else {
                    others++;
                }
            }
        }
        assertTrue(
                floats > 1_000_000 && others > 0,
                "the manifest has float weights and an integer constant (left out)");
        try (FrBackbone fr = FaceModels.fr("hse-faceres")) {
            assertEquals(floats, fr.parameterCount());
        }
    }
}
