package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java import of each FR model against TensorFlow.js 4.22 (wasm) on the same real face crops:
 * layer-1 map max |diff| <= 1e-3, last map <= 1e-2 relative to its range, descriptor cosine >=
 * 0.999.
 */
@Tag("parity")
class FrBackboneParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"hse-faceres", "faceres-deep", "mobilefacenet"})
    void matchesTensorFlowJs(String id) throws Exception {
        FaceFixtures.assumeModels();
        JsonNode ref = FaceFixtures.reference();
        int n = ref.path("crops").path("count").asInt();
        int size = ref.path("crops").path("size").asInt();
        JsonNode meta = ref.path("fr").path(id);
        float[] crops = FaceFixtures.u8AsFloat("fr-crops.u8");
        float[] layer1 = FaceFixtures.f32(id + "-layer1.f32");
        float[] last = FaceFixtures.f32(id + "-last.f32");
        float[] desc = FaceFixtures.f32(id + "-descriptors.f32");
        try (FrBackbone fr = FaceModels.fr(id);
                NDManager m = NDManager.newBaseManager()) {
            TfjsFrBackbone t = (TfjsFrBackbone) fr;
            assertEquals(meta.path("layer1").path("node").asText(), t.layerNode(1));
            NDArray faces =
                    m.create(crops, new Shape(n, size, size, 3)).div(255f).transpose(0, 3, 1, 2);
            NDArray first = fr.features(faces.get("0:1"), 1);
            long[] want = new long[4];
            for (int i = 0; i < 4; i++) {
                want[i] = meta.path("layer1").path("shape").get(i).asLong();
            }
            assertArrayEquals(want, first.getShape().getShape());
            assertEquals(new Shape(want[1], want[2], want[3]), fr.featureShape(1));
            float d1 = FaceFixtures.maxAbsDiff(first.toFloatArray(), layer1);
            System.out.printf(
                    "%s layer 1 %s: max|diff| vs TF.js = %.3g%n", id, first.getShape(), d1);
            assertTrue(d1 <= 1e-3, id + " layer-1 max abs diff " + d1);

            NDArray deep =
                    t.node(faces.get("0:1"), meta.path("last").path("node").asText())
                            .transpose(0, 3, 1, 2);
            float range = 0;
            for (float v : last) {
                range = Math.max(range, Math.abs(v));
            }
            float dl = FaceFixtures.maxAbsDiff(deep.toFloatArray(), last);
            System.out.printf("%s last map: max|diff| = %.3g (max |value| %.3g)%n", id, dl, range);
            assertTrue(dl <= 1e-2 * range, id + " last map diff " + dl + " vs range " + range);

            float[] emb = fr.embedding(faces).toFloatArray();
            int dim = emb.length / n;
            assertEquals(desc.length, emb.length);
            double worst = 1;
            for (int i = 0; i < n; i++) {
                worst = Math.min(worst, FaceFixtures.cosine(emb, i * dim, desc, i * dim, dim));
            }
            System.out.printf(
                    "%s descriptor (%d-d): min cosine vs TF.js over %d crops = %.6f%n",
                    id, dim, n, worst);
            assertTrue(worst >= 0.999, id + " descriptor cosine " + worst);
        }
    }
}
