package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.frafer.io.SafeTensors;

/** Parity fixtures written by tools/timm_reference.py (core/src/test/resources/fixtures/net). */
final class NetFixtures {
    private NetFixtures() {}

    static Path dir() {
        String p = System.getProperty("frafer.fixtures", "src/test/resources/fixtures");
        return Path.of(p).resolve("net");
    }

    /** The seeded random tf_efficientnet_b0 (8 classes) weights, merged from their shards. */
    static Map<String, SafeTensors.Tensor> weights() {
        Map<String, SafeTensors.Tensor> all = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir())) {
            List<Path> shards =
                    files.filter(f -> f.getFileName().toString().startsWith("weights-"))
                            .sorted()
                            .toList();
            if (shards.isEmpty()) {
                throw new IllegalStateException(
                        "No weights-*.safetensors in " + dir() + " - run tools/timm_reference.py");
            }
            for (Path s : shards) {
                all.putAll(SafeTensors.read(s));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return all;
    }

    static Map<String, SafeTensors.Tensor> read(String name) {
        return SafeTensors.read(dir().resolve(name));
    }

    static NDArray array(NDManager m, SafeTensors.Tensor t) {
        return m.create(t.data(), new Shape(t.shape()));
    }

    static float maxAbsDiff(NDArray a, SafeTensors.Tensor expected) {
        if (!a.getShape().equals(new Shape(expected.shape()))) {
            throw new AssertionError(
                    "shape " + a.getShape() + " != expected " + expected.shapeString());
        }
        float[] x = a.toFloatArray();
        float[] y = expected.data();
        float max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    static float maxAbs(float[] y) {
        float max = 0;
        for (float v : y) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
