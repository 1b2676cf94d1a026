package org.frafer.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TF.js reader and interpreter on small hand-made graph models with hand-computed results. */
@Tag("unit")
class TfjsGraphBlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /**
     * Builds model.json + shards: nodes and weights are added in order; weights are split over two
     * shard files.
     */
    private final class ModelBuilder {
        final ObjectNode root = JSON.createObjectNode();
        final ArrayNode nodes;
        final ArrayNode weights;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        ModelBuilder() {
            root.put("format", "graph-model");
            nodes = root.putObject("modelTopology").putArray("node");
            ObjectNode group = root.putArray("weightsManifest").addObject();
            group.putArray("paths").add("m.bin.1").add("m.bin.2");
            weights = group.putArray("weights");
        }

        ObjectNode node(String name, String op, String... inputs) {
            ObjectNode n = nodes.addObject();
            n.put("name", name).put("op", op);
            ArrayNode in = n.putArray("input");
            for (String i : inputs) {
                in.add(i);
            }
            n.putObject("attr");
            return n;
        }

        ModelBuilder placeholder(String name, long... shape) {
            ArrayNode dims =
                    ((ObjectNode) node(name, "Placeholder").get("attr"))
                            .putObject("shape")
                            .putObject("shape")
                            .putArray("dim");
            for (long d : shape) {
                dims.addObject().put("size", String.valueOf(d));
            }
            return this;
        }

        ObjectNode weight(String name, String dtype, long... shape) {
            node(name, "Const");
            ObjectNode w = weights.addObject();
            w.put("name", name).put("dtype", dtype);
            ArrayNode s = w.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            return w;
        }

        ModelBuilder f32(String name, long[] shape, float... values) {
            weight(name, "float32", shape);
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putFloat(v);
            }
            data.writeBytes(b.array());
            return this;
        }

        ModelBuilder i32(String name, long[] shape, int... values) {
            weight(name, "int32", shape);
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) {
                b.putInt(v);
            }
            data.writeBytes(b.array());
            return this;
        }

        ObjectNode op(String name, String op, String... inputs) {
            return node(name, op, inputs);
        }

        Path write() throws Exception {
            byte[] all = data.toByteArray();
            int half = all.length / 2;
            Files.write(dir.resolve("m.bin.1"), java.util.Arrays.copyOfRange(all, 0, half));
            Files.write(
                    dir.resolve("m.bin.2"), java.util.Arrays.copyOfRange(all, half, all.length));
            Path json = dir.resolve("model.json");
            JSON.writeValue(json.toFile(), root);
            return json;
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void attrs(ObjectNode node, String padding, int stride) {
        ObjectNode a = (ObjectNode) node.get("attr");
        a.putObject("padding").put("s", b64(padding));
        ArrayNode st = a.putObject("strides").putObject("list").putArray("i");
        for (int v : new int[] {1, stride, stride, 1}) {
            st.add(String.valueOf(v));
        }
    }

    @Test
    void dequantisesEveryDtypeAcrossShards() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", -1, 2);
        m.f32("w32", new long[] {2}, 1.5f, -2f);
        // float16: 0x3C00 = 1.0, 0xC100 = -2.5
        m.weight("w16", "float32", 2).putObject("quantization").put("dtype", "float16");
        m.data.writeBytes(new byte[] {0x00, 0x3C, 0x00, (byte) 0xC1});
        // uint8 affine: min -1, scale 0.5 -> q = {0, 6} -> {-1, 2}
        m.weight("wu8", "float32", 2)
                .putObject("quantization")
                .put("dtype", "uint8")
                .put("min", -1.0)
                .put("scale", 0.5);
        m.data.writeBytes(new byte[] {0, 6});
        // uint16 affine: min 10, scale 0.25 -> q = {4, 1000} -> {11, 260}
        m.weight("wu16", "float32", 2)
                .putObject("quantization")
                .put("dtype", "uint16")
                .put("min", 10.0)
                .put("scale", 0.25);
        m.data.writeBytes(new byte[] {4, 0, (byte) 0xE8, 0x03});
        m.i32("shape", new long[] {2}, 4, -1);
        m.op("a", "Mul", "x", "w32");
        m.op("b", "Add", "a", "w16");
        m.op("c", "Sub", "b", "wu8");
        m.op("d", "Maximum", "c", "wu16:0");
        m.op("r", "Reshape", "d", "shape");
        Path json = m.write();

        TfjsModelFile file = TfjsModelFile.read(json);
        assertArrayEquals(new float[] {1f, -2.5f}, file.weights().get("w16").floats());
        assertArrayEquals(new float[] {-1f, 2f}, file.weights().get("wu8").floats());
        assertArrayEquals(new float[] {11f, 260f}, file.weights().get("wu16").floats());
        assertArrayEquals(new int[] {4, -1}, file.weights().get("shape").ints());

        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json)) {
            NDArray x = nd.create(new float[] {10, 10, 100, -100}, new Shape(2, 2));
            Map<String, NDArray> out = h.block.run(x, List.of("c", "r"));
            // c = x * w32 + w16 - wu8
            assertArrayEquals(
                    new float[] {10 * 1.5f + 1 + 1, -20 - 2.5f - 2, 150 + 1 + 1, 200 - 2.5f - 2},
                    out.get("c").toFloatArray(),
                    1e-5f);
            assertEquals(new Shape(4, 1), out.get("r").getShape());
            assertArrayEquals(new float[] {17, 260, 152, 260}, out.get("r").toFloatArray(), 1e-5f);
            // As a DJL block: forward() returns the graph's sinks (here only "r").
            assertEquals(List.of("r"), h.block.outputNodes());
            ai.djl.ndarray.NDList sinks =
                    h.block.forward(
                            new ParameterStore(nd, false), new ai.djl.ndarray.NDList(x), false);
            assertArrayEquals(
                    new float[] {17, 260, 152, 260},
                    sinks.singletonOrThrow().toFloatArray(),
                    1e-5f);
            // Weights are DJL parameters named by node, frozen by default.
            Map<String, Parameter> params = h.block.weightParameters();
            assertEquals(
                    List.of("w16", "w32", "wu16", "wu8"),
                    params.keySet().stream().sorted().toList());
            assertFalse(params.get("w32").requiresGradient());
        }
    }

    @Test
    void unfrozenWeightsTrainThroughTheGraph() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", -1, 2);
        m.f32("w", new long[] {2}, 3f, 4f);
        m.op("y", "Mul", "x", "w");
        Path json = m.write();
        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json)) {
            h.block.freezeParameters(false);
            Parameter w = h.block.weightParameters().get("w");
            assertTrue(w.requiresGradient());
            NDArray x = nd.create(new float[] {2, 5}, new Shape(1, 2));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y =
                        h.block
                                .run(
                                        new ParameterStore(nd, false),
                                        Map.of("x", x),
                                        List.of("y"),
                                        true)
                                .get("y");
                gc.backward(y.sum());
            }
            assertArrayEquals(
                    new float[] {2, 5},
                    w.getArray().getGradient().toFloatArray(),
                    1e-6f); // d(sum x*w)/dw = x
        }
    }

    /**
     * Depthwise SAME convs whose padding is (lo, lo + 1) run as a widened kernel: values, inference
     * (cached kernel) and the kernel's gradient must equal a direct evaluation of TF's definition,
     * for 3x3 and 5x5 kernels on even (asymmetric) and odd (symmetric) sizes, including a
     * non-square map with one axis of each kind.
     */
    @Test
    void depthwiseSamePaddingMatchesTheDefinitionOnEveryShape() throws Exception {
        int[][] cases = {{6, 6, 3, 2}, {6, 7, 3, 2}, {8, 8, 5, 2}, {7, 7, 3, 2}, {8, 6, 5, 2}};
        for (int[] c : cases) {
            int h = c[0], w = c[1], k = c[2], stride = c[3], ch = 2;
            float[] kernel = new float[k * k * ch];
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = (float) Math.sin(1.3 * i + 0.2);
            }
            ModelBuilder m = new ModelBuilder().placeholder("x", 1, h, w, ch);
            m.f32("dk", new long[] {k, k, ch, 1}, kernel);
            attrs(m.op("dw", "DepthwiseConv2dNative", "x", "dk"), "SAME", stride);
            Path json = m.write();
            float[] x = new float[h * w * ch];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.cos(0.7 * i) * (1 + i % 5);
            }
            // TF SAME: out = ceil(in / s), total pad = max((out - 1) * s + k - in, 0), the smaller
            // half before
            int oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
            int top = Math.max((oh - 1) * stride + k - h, 0) / 2,
                    left = Math.max((ow - 1) * stride + k - w, 0) / 2;
            float[] expected = new float[oh * ow * ch];
            float[] expectedGrad = new float[k * k * ch];
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int q = 0; q < ch; q++) {
                        double sum = 0;
                        for (int a = 0; a < k; a++) {
                            for (int b = 0; b < k; b++) {
                                int r = i * stride - top + a, col = j * stride - left + b;
                                if (r >= 0 && r < h && col >= 0 && col < w) {
                                    float xv = x[(r * w + col) * ch + q];
                                    sum += xv * kernel[(a * k + b) * ch + q];
                                    expectedGrad[(a * k + b) * ch + q] += xv;
                                }
                            }
                        }
                        expected[(i * ow + j) * ch + q] = (float) sum;
                    }
                }
            }
            String name = java.util.Arrays.toString(c);
            try (NDManager nd = NDManager.newBaseManager();
                    TfjsGraphBlockHandle g = new TfjsGraphBlockHandle(json)) {
                NDArray in = nd.create(x, new Shape(1, h, w, ch));
                for (int rep = 0;
                        rep < 2;
                        rep++) { // the second run uses the cached inference kernel
                    NDArray y =
                            g.block
                                    .run(
                                            new ParameterStore(nd, false),
                                            Map.of("x", in),
                                            List.of("dw"),
                                            false)
                                    .get("dw");
                    assertEquals(new Shape(1, oh, ow, ch), y.getShape(), name);
                    assertArrayEquals(expected, y.toFloatArray(), 1e-4f, name + " values");
                }
                g.block.freezeParameters(false);
                Parameter dk = g.block.weightParameters().get("dk");
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y =
                            g.block
                                    .run(
                                            new ParameterStore(nd, false),
                                            Map.of("x", in),
                                            List.of("dw"),
                                            true)
                                    .get("dw");
                    assertArrayEquals(expected, y.toFloatArray(), 1e-4f, name + " training values");
                    gc.backward(y.sum());
                }
                assertArrayEquals(
                        expectedGrad,
                        dk.getArray().getGradient().toFloatArray(),
                        1e-4f,
                        name + " kernel gradient");
            }
        }
    }

    @Test
    void convUsesTensorFlowAsymmetricSamePadding() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", 1, 4, 4, 1);
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1f);
        m.f32("k", new long[] {3, 3, 1, 1}, ones);
        attrs(m.op("conv", "Conv2D", "x", "k"), "SAME", 2);
        // depthwise, multiplier 2: output channel c*2+m = x_c * k[c][m]
        m.f32("dk", new long[] {1, 1, 2, 2}, 1f, 10f, 100f, 1000f);
        attrs(m.op("dw", "DepthwiseConv2dNative", "x2", "dk"), "VALID", 1);
        m.placeholder("x2", 1, 1, 1, 2);
        attrs(m.op("pool", "MaxPool", "x3"), "SAME", 2);
        ((ObjectNode) m.nodes.get(m.nodes.size() - 1).get("attr"))
                .putObject("ksize")
                .putObject("list")
                .putArray("i")
                .add("1")
                .add("2")
                .add("2")
                .add("1");
        m.placeholder("x3", 1, 3, 3, 1);
        Path json = m.write();
        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json)) {
            NDArray x = nd.arange(1f, 17f).reshape(1, 4, 4, 1);
            NDArray x2 = nd.create(new float[] {2, 3}, new Shape(1, 1, 1, 2));
            NDArray x3 = nd.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, -9}, new Shape(1, 3, 3, 1));
            Map<String, NDArray> out =
                    h.block.run(
                            new ParameterStore(nd, false),
                            Map.of("x", x, "x2", x2, "x3", x3),
                            List.of("conv", "dw", "pool"),
                            false);
            // SAME, stride 2 on 4: one padding row/column, at the bottom/right (symmetric padding
            // would give 14 at [0,0]).
            assertArrayEquals(new float[] {54, 45, 72, 54}, out.get("conv").toFloatArray());
            assertArrayEquals(new float[] {2, 20, 300, 3000}, out.get("dw").toFloatArray());
            // MaxPool SAME on 3x3: the last window sees only x[2][2] = -9 (padding is -inf, not 0).
            assertArrayEquals(new float[] {5, 6, 8, -9}, out.get("pool").toFloatArray());
        }
    }

    /**
     * conv -> Mul(scale) -> Add(bias) -> Relu -> Minimum(6) -> Maximum(0), and a depthwise conv ->
     * Mul -> Add -> Relu6.
     */
    private Path chainModel() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", 1, 3, 3, 2);
        float[] k = new float[2 * 2 * 2 * 3];
        for (int i = 0; i < k.length; i++) {
            k[i] = (i % 5 - 2) * 0.5f + 0.1f * i;
        }
        m.f32("k", new long[] {2, 2, 2, 3}, k);
        attrs(m.op("conv", "Conv2D", "x", "k"), "SAME", 1);
        m.f32("scale", new long[] {3}, 2f, -1f, 0.5f);
        m.op("mul", "Mul", "conv", "scale");
        m.f32("bias", new long[] {3}, 1f, 0.5f, -2f);
        m.op("add", "Add", "mul", "bias");
        m.op("relu", "Relu", "add");
        m.f32("six", new long[] {}, 6f);
        m.op("min", "Minimum", "relu", "six");
        m.f32("zero", new long[] {}, 0f);
        m.op("y", "Maximum", "min", "zero");
        m.f32(
                "dk",
                new long[] {3, 3, 2, 2},
                k[0],
                k[1],
                k[2],
                k[3],
                k[4],
                k[5],
                k[6],
                k[7],
                k[8],
                k[9],
                k[10],
                k[11],
                k[12],
                k[13],
                k[14],
                k[15],
                k[16],
                k[17],
                k[18],
                k[19],
                k[20],
                k[21],
                k[22],
                k[23],
                1f,
                -1f,
                2f,
                -2f,
                3f,
                -3f,
                0.5f,
                -0.5f,
                1.5f,
                -1.5f,
                2.5f,
                -2.5f);
        attrs(m.op("dw", "DepthwiseConv2dNative", "x", "dk"), "SAME", 2);
        m.f32("dscale", new long[] {1, 1, 1, 4}, 1f, 2f, 3f, -4f);
        m.op("dmul", "Mul", "dscale", "dw"); // constant first: the chain must not care
        m.f32("dbias", new long[] {4}, 0.5f, -0.5f, 1f, 3f);
        m.op("dadd", "BiasAdd", "dmul", "dbias");
        m.op("z", "Relu6", "dadd");
        return m.write();
    }

    @Test
    void inferenceRunsConvChainsAsOneConvWithTheSameResult() throws Exception {
        Path json = chainModel();
        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json)) {
            assertEquals(
                    List.of("conv,mul,add,relu,min,y", "dw,dmul,dadd,z"),
                    h.block.inferenceChains(List.of("y", "z")));
            // a wanted intermediate stops the chain there
            assertEquals(
                    List.of("conv,mul"),
                    h.block.inferenceChains(List.of("mul", "y")).subList(0, 1));
            NDArray x = nd.arange(-9f, 9f).mul(0.7f).reshape(1, 3, 3, 2);
            ParameterStore ps = new ParameterStore(nd, false);
            // training mode evaluates node by node with the TF-layout kernels: the reference
            Map<String, NDArray> ref =
                    h.block.run(ps, Map.of("x", x), List.of("y", "z", "add"), true);
            for (int pass = 0; pass < 2; pass++) { // the second pass uses the cached kernels
                Map<String, NDArray> fast =
                        h.block.run(ps, Map.of("x", x), List.of("y", "z"), false);
                assertArrayEquals(ref.get("y").toFloatArray(), fast.get("y").toFloatArray(), 1e-5f);
                assertArrayEquals(ref.get("z").toFloatArray(), fast.get("z").toFloatArray(), 1e-5f);
            }
            float[] y = ref.get("y").toFloatArray();
            float[] add = ref.get("add").toFloatArray();
            boolean clipped = false;
            for (int i = 0; i < y.length; i++) {
                assertEquals(Math.min(Math.max(add[i], 0f), 6f), y[i], 1e-6f);
                clipped |= add[i] > 6f || add[i] < 0f;
            }
            assertTrue(clipped, "the test input must exercise the clip");

            // Replacing a weight (as loading does) is seen by the cached kernels.
            Parameter scale = h.block.weightParameters().get("scale");
            scale.getArray().intern(nd.create(new float[] {-1f, 1f, 3f}));
            Map<String, NDArray> ref2 = h.block.run(ps, Map.of("x", x), List.of("y"), true);
            Map<String, NDArray> fast2 = h.block.run(ps, Map.of("x", x), List.of("y"), false);
            assertArrayEquals(ref2.get("y").toFloatArray(), fast2.get("y").toFloatArray(), 1e-5f);
            assertFalse(
                    java.util.Arrays.equals(
                            ref.get("y").toFloatArray(), fast2.get("y").toFloatArray()));
        }
    }

    @Test
    void trainableKernelsAreCachedOnlyUnderAnInferenceSnapshot() throws Exception {
        Path json = chainModel();
        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json)) {
            h.block.freezeParameters(false);
            NDArray x = nd.arange(-9f, 9f).mul(0.7f).reshape(1, 3, 3, 2);
            ParameterStore ps = new ParameterStore(nd, false);
            h.block.snapshotForInference();
            float[] before =
                    h.block.run(ps, Map.of("x", x), List.of("y"), false).get("y").toFloatArray();
            // a training run drops the snapshot; an in-place update (as an optimizer does) is then
            // seen
            h.block.run(ps, Map.of("x", x), List.of("y"), true);
            h.block.weightParameters().get("k").getArray().muli(2f);
            float[] after =
                    h.block.run(ps, Map.of("x", x), List.of("y"), false).get("y").toFloatArray();
            float[] ref =
                    h.block.run(ps, Map.of("x", x), List.of("y"), true).get("y").toFloatArray();
            assertArrayEquals(ref, after, 1e-5f);
            assertFalse(java.util.Arrays.equals(before, after));
        }
    }

    @Test
    void rejectsUnsupportedOpsNamingOpAndNode() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", -1, 2);
        m.op("weird", "Erf", "x");
        m.op("odd", "Cumsum", "weird");
        Path json = m.write();
        TfjsModelException e =
                assertThrows(TfjsModelException.class, () -> new TfjsGraphBlockHandle(json));
        assertTrue(e.getMessage().contains("Erf (nodes weird)"), e.getMessage());
        assertTrue(e.getMessage().contains("Cumsum (nodes odd)"), e.getMessage());
    }

    @Test
    void rejectsTruncatedShardNamingFileAndBytes() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", -1, 2);
        m.f32("w", new long[] {4}, 1, 2, 3, 4);
        m.op("y", "Mul", "x", "w");
        Path json = m.write();
        Files.write(dir.resolve("m.bin.2"), new byte[3]); // 8 + 3 of 16 bytes
        TfjsModelException e =
                assertThrows(TfjsModelException.class, () -> TfjsModelFile.read(json));
        assertTrue(
                e.getMessage().contains("m.bin.2")
                        && e.getMessage().contains("11 bytes")
                        && e.getMessage().contains("needs 16 bytes"),
                e.getMessage());
    }

    @Test
    void rejectsShapeMismatches() throws Exception {
        ModelBuilder m = new ModelBuilder().placeholder("x", -1, 2);
        m.f32("w", new long[] {2}, 1, 2);
        ((ObjectNode) m.nodes.get(1).get("attr"))
                .putObject("value")
                .putObject("tensor")
                .putObject("tensorShape")
                .putArray("dim")
                .addObject()
                .put("size", "3");
        m.op("y", "Mul", "x", "w");
        Path json = m.write();
        TfjsModelException e =
                assertThrows(TfjsModelException.class, () -> new TfjsGraphBlockHandle(json));
        assertTrue(
                e.getMessage().contains("shape mismatch for constant 'w'")
                        && e.getMessage().contains("[3]"),
                e.getMessage());

        ModelBuilder ok = new ModelBuilder().placeholder("x", -1, 2);
        ok.f32("w", new long[] {2}, 1, 2);
        ok.op("y", "Mul", "x", "w");
        dir.resolve("model.json").toFile().delete();
        Path json2 = ok.write();
        try (NDManager nd = NDManager.newBaseManager();
                TfjsGraphBlockHandle h = new TfjsGraphBlockHandle(json2)) {
            TfjsModelException bad =
                    assertThrows(
                            TfjsModelException.class,
                            () -> h.block.run(nd.zeros(new Shape(1, 3)), List.of("y")));
            assertTrue(
                    bad.getMessage().contains("shape mismatch for input 'x'")
                            && bad.getMessage().contains("[1, 3]"),
                    bad.getMessage());
        }
    }

    @Test
    void bilinearMatchesTensorFlowLegacyResize() {
        // TF resizeBilinear(align_corners=false, half_pixel_centers=false), 4 -> 3: src = dst * 4/3
        float[] r = Bilinear.matrix(4, 3, false, false);
        assertArrayEquals(
                new float[] {1, 0, 0, 0, 0, 2 / 3f, 1 / 3f, 0, 0, 0, 1 / 3f, 2 / 3f}, r, 1e-6f);
        // upsampling 2 -> 4: src = {0, .5, 1, 1.5}; the last clamps to the edge
        assertArrayEquals(
                new float[] {1, 0, .5f, .5f, 0, 1, 0, 1},
                Bilinear.matrix(2, 4, false, false),
                1e-6f);
    }

    /** Keeps the block's weight manager with it. */
    private static final class TfjsGraphBlockHandle implements AutoCloseable {
        final NDManager weights = NDManager.newBaseManager();
        final TfjsGraphBlock block;

        TfjsGraphBlockHandle(Path json) {
            try {
                block = TfjsGraphBlock.load(json, weights);
            } catch (RuntimeException e) {
                weights.close();
                throw e;
            }
        }

        @Override
        public void close() {
            weights.close();
        }
    }
}
