package org.frafer.tfjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.io.HalfFloat;

/**
 * Reads a TF.js graph model from disk: {@code model.json} (format "graph-model": {@code
 * modelTopology.node} with op/input/attr, plus {@code weightsManifest}) and its binary weight
 * shards, which are concatenated per manifest group. Weight dtypes: float32, int32 and the
 * quantised forms written by the TF.js converter ({@code quantization.dtype} uint8/uint16 with
 * affine {@code min + q * scale}, or float16). Floating tensors are returned as float32, integer
 * tensors as int32.
 */
public final class TfjsModelFile {

    /**
     * A weight tensor of the manifest, dequantised. Exactly one of {@code floats}/{@code ints} is
     * set.
     */
    public record Weight(String name, long[] shape, float[] floats, int[] ints) {
        public boolean isFloat() {
            return floats != null;
        }
    }

    private final Path file;
    private final List<TfjsNode> nodes;
    private final Map<String, Weight> weights;

    private TfjsModelFile(Path file, List<TfjsNode> nodes, Map<String, Weight> weights) {
        this.file = file;
        this.nodes = nodes;
        this.weights = weights;
    }

    public Path file() {
        return file;
    }

    public List<TfjsNode> nodes() {
        return nodes;
    }

    public Map<String, Weight> weights() {
        return weights;
    }

    public static TfjsModelFile read(Path modelJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(modelJson.toFile());
        } catch (IOException e) {
            throw new TfjsModelException(
                    "cannot read TF.js model " + modelJson + ": " + e.getMessage(), e);
        }
        String format = root.path("format").asText("graph-model");
        if (!"graph-model".equals(format)) {
            throw new TfjsModelException(
                    modelJson + ": format '" + format + "' is not a TF.js graph model");
        }
        JsonNode nodeList = root.path("modelTopology").path("node");
        if (!nodeList.isArray() || nodeList.isEmpty()) {
            throw new TfjsModelException(
                    modelJson + ": no modelTopology.node list (not a graph model?)");
        }
        List<TfjsNode> nodes = new ArrayList<>();
        for (JsonNode n : nodeList) {
            nodes.add(TfjsNode.parse(n));
        }
        Map<String, Weight> weights = new LinkedHashMap<>();
        Path dir = modelJson.toAbsolutePath().getParent();
        for (JsonNode group : root.path("weightsManifest")) {
            readGroup(modelJson, dir, group, weights);
        }
        return new TfjsModelFile(modelJson, List.copyOf(nodes), weights);
    }

    private static void readGroup(
            Path modelJson, Path dir, JsonNode group, Map<String, Weight> out) {
        List<Path> shards = new ArrayList<>();
        for (JsonNode p : group.path("paths")) {
            shards.add(dir.resolve(p.asText()));
        }
        long needed = 0;
        for (JsonNode w : group.path("weights")) {
            needed += numel(shape(w)) * bytesPerElement(modelJson, w);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path shard : shards) {
            try {
                all.write(Files.readAllBytes(shard));
            } catch (IOException e) {
                throw new TfjsModelException(
                        modelJson + ": cannot read weight shard " + shard + ": " + e, e);
            }
        }
        if (all.size() < needed) {
            throw new TfjsModelException(
                    "weight shard(s) "
                            + shards
                            + " of "
                            + modelJson
                            + " hold "
                            + all.size()
                            + " bytes but the manifest needs "
                            + needed
                            + " bytes: the file is truncated or not the right one");
        }
        ByteBuffer buf = ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode w : group.path("weights")) {
            String name = w.path("name").asText();
            long[] shape = shape(w);
            int n = Math.toIntExact(numel(shape));
            String dtype = w.path("dtype").asText();
            JsonNode q = w.path("quantization");
            String storage = q.isMissingNode() ? dtype : q.path("dtype").asText();
            float[] floats = null;
            int[] ints = null;
            switch (storage) {
                case "float32" -> {
                    floats = new float[n];
                    buf.asFloatBuffer().get(floats);
                    buf.position(buf.position() + 4 * n);
                }
                case "int32" -> {
                    ints = new int[n];
                    buf.asIntBuffer().get(ints);
                    buf.position(buf.position() + 4 * n);
                }
                case "float16" -> {
                    floats = new float[n];
                    for (int i = 0; i < n; i++) {
                        floats[i] = HalfFloat.halfToFloat(buf.getShort());
                    }
                }
                case "uint8", "uint16" -> {
                    double scale = q.path("scale").asDouble();
                    double min = q.path("min").asDouble();
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) {
                        int v =
                                "uint8".equals(storage)
                                        ? Byte.toUnsignedInt(buf.get())
                                        : Short.toUnsignedInt(buf.getShort());
                        f[i] = (float) (v * scale + min);
                    }
                    if ("int32".equals(dtype)) {
                        ints = new int[n];
                        for (int i = 0; i < n; i++) {
                            ints[i] = Math.round(f[i]);
                        }
                    } else {
                        floats = f;
                    }
                }
                default ->
                        throw new TfjsModelException(
                                modelJson
                                        + ": weight '"
                                        + name
                                        + "' has unsupported dtype "
                                        + storage);
            }
            if (floats != null && !"float32".equals(dtype)) {
                throw new TfjsModelException(
                        modelJson
                                + ": weight '"
                                + name
                                + "' dtype "
                                + dtype
                                + " stored as "
                                + storage
                                + " is not supported");
            }
            out.put(name, new Weight(name, shape, floats, ints));
        }
    }

    private static long[] shape(JsonNode w) {
        JsonNode s = w.path("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static int bytesPerElement(Path modelJson, JsonNode w) {
        JsonNode q = w.path("quantization");
        String storage = q.isMissingNode() ? w.path("dtype").asText() : q.path("dtype").asText();
        return switch (storage) {
            case "float32", "int32" -> 4;
            case "float16", "uint16" -> 2;
            case "uint8" -> 1;
            default ->
                    throw new TfjsModelException(
                            modelJson
                                    + ": weight '"
                                    + w.path("name").asText()
                                    + "' has unsupported dtype "
                                    + storage
                                    + " (supported: float32, int32, float16, uint8, uint16)");
        };
    }

    @Override
    public String toString() {
        return "TfjsModelFile["
                + file
                + ", "
                + nodes.size()
                + " nodes, "
                + weights.size()
                + " weights]";
    }
}
