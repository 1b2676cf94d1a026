package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.frafer.io.HalfFloat;
import org.frafer.io.SafeTensors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("parity")
class ModelFilesTest {
    @TempDir Path tmp;

    static ModelConfig config(String fusion) {
        ModelConfig c = FraFerNetworkTest.config(fusion, 1, 1);
        return c;
    }

    @Test
    void saveAndLoadGiveBitEqualOutputs() throws IOException {
        Path dir = tmp.resolve("model");
        float[] before;
        try (EmotionNetwork net = Networks.create(config("fra"));
                NDManager m = NDManager.newBaseManager()) {
            before = net.predict(FraFerNetworkTest.images(m, 2)).logits().toFloatArray();
            net.save(dir);
        }
        assertTrue(Files.isRegularFile(dir.resolve("config.json")));
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        assertTrue(
                Files.isRegularFile(dir.resolve("fr.safetensors")),
                "random FR stand-in saved with the model");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(3, s.count(), "no temp files left behind");
        }
        try (EmotionNetwork net = Networks.load(dir);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals("fra", net.config().fusion);
            assertEquals("fr.safetensors", net.config().frWeights);
            float[] after = net.predict(FraFerNetworkTest.images(m, 2)).logits().toFloatArray();
            assertArrayEquals(before, after, 0f);
            // saving again into the same folder (FR weights file is its own source) still
            // round-trips
            net.save(dir);
        }
        try (EmotionNetwork net = Networks.load(dir);
                NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(
                    before,
                    net.predict(FraFerNetworkTest.images(m, 2)).logits().toFloatArray(),
                    0f);
        }
    }

    @Test
    void float16FilesAreHalfTheSizeAndClose() {
        Path d32 = tmp.resolve("f32");
        Path d16 = tmp.resolve("f16");
        float[] ref;
        try (FraFerNetwork net = Networks.create(config("sse"));
                NDManager m = NDManager.newBaseManager()) {
            ref = net.predict(FraFerNetworkTest.images(m, 2)).logits().toFloatArray();
            net.save(d32, SafeTensors.DType.F32);
            net.save(d16, SafeTensors.DType.F16);
        }
        long s32 = d32.resolve("model.safetensors").toFile().length();
        long s16 = d16.resolve("model.safetensors").toFile().length();
        assertTrue(s16 < s32 * 0.51 && s16 > s32 * 0.49, s16 + " vs " + s32);
        try (FraFerNetwork net = Networks.load(d16);
                NDManager m = NDManager.newBaseManager()) {
            float[] got = net.predict(FraFerNetworkTest.images(m, 2)).logits().toFloatArray();
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], got[i], 0.05f + 0.02f * Math.abs(ref[i]));
            }
        }
    }

    @Test
    void missingFolderConfigAndWeightsAreNamed() throws IOException {
        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> Networks.load(tmp.resolve("nope")));
        assertTrue(
                e.getMessage().contains("Model folder not found")
                        && e.getMessage().contains("nope"),
                e.getMessage());
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        ModelFiles.writeConfig(config("none"), dir.resolve("config.json"));
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(
                e.getMessage().contains("not found")
                        && e.getMessage().contains("model.safetensors"),
                e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"fusion\": \"fra\", \"q\": ");
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("Bad model config"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"fusion\": \"film\"}");
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("fusion 'film'"), e.getMessage());
    }

    @Test
    void truncatedAndGarbageFilesAreRejected() throws IOException {
        Path dir = tmp.resolve("m");
        try (EmotionNetwork net = Networks.create(config("none"))) {
            net.save(dir);
        }
        Path w = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(all, all.length / 2));
        var e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(
                e.getMessage().contains("truncated")
                        && e.getMessage().contains("model.safetensors"),
                e.getMessage());
        Files.write(w, Arrays.copyOf(all, 5));
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Files.write(w, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
        byte[] badJson = Arrays.copyOf(all, all.length);
        badJson[8] = 'x'; // header JSON starts at byte 8
        Files.write(w, badJson);
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(e.getMessage().contains("Bad safetensors header JSON"), e.getMessage());
    }

    @Test
    void mismatchedAndMissingTensorsNameTheTensorAndShapes() throws IOException {
        Path dir = tmp.resolve("m");
        try (EmotionNetwork net = Networks.create(config("none"))) {
            net.save(dir);
        }
        Path w = dir.resolve("model.safetensors");
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(SafeTensors.read(w));
        t.put(
                "classifier.weight",
                new SafeTensors.Tensor("F32", new long[] {7, 1280}, new float[7 * 1280]));
        SafeTensors.write(w, t, SafeTensors.DType.F32, null);
        var e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(
                e.getMessage().contains("'classifier.weight'")
                        && e.getMessage().contains("[7, 1280]")
                        && e.getMessage().contains("[8, 1280]"),
                e.getMessage());
        t.remove("classifier.weight");
        SafeTensors.write(w, t, SafeTensors.DType.F32, null);
        e = assertThrows(IllegalArgumentException.class, () -> Networks.load(dir));
        assertTrue(
                e.getMessage().contains("Missing") && e.getMessage().contains("classifier.weight"),
                e.getMessage());
    }

    @Test
    void loadFerWeightsReportsMissingUnexpectedAndMismatched() {
        Map<String, SafeTensors.Tensor> w = new LinkedHashMap<>(NetFixtures.weights());
        w.put(
                "blocks.0.0.bn1.num_batches_tracked",
                new SafeTensors.Tensor("I64", new long[0], null));
        w.put("head.extra", new SafeTensors.Tensor("F32", new long[] {2}, new float[] {1, 2}));
        Path file = tmp.resolve("fer.safetensors");
        // I64 tensors cannot be written by us; write the float ones and check num_batches_tracked
        // via the reader elsewhere
        w.remove("blocks.0.0.bn1.num_batches_tracked");
        SafeTensors.write(file, w, SafeTensors.DType.F16, null);
        try (FraFerNetwork net = Networks.create(config("fra"));
                NDManager m = NDManager.newBaseManager()) {
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Networks.loadFerWeights(net, file, true));
            assertTrue(e.getMessage().contains("head.extra"), e.getMessage());
            String report = Networks.loadFerWeights(net, file, false);
            assertTrue(report.startsWith("Loaded 311 tensors"), report);
            assertTrue(report.contains("unexpected (ignored) 1: [head.extra]"), report);
            NDArray stem = net.namedParameters().get("conv_stem.weight").getArray();
            assertArrayEquals(w.get("conv_stem.weight").data(), stem.toFloatArray(), 0f);
        }
        ModelConfig seven = config("fra");
        seven.classes = org.frafer.data.EmotionClasses.SEVEN;
        try (EmotionNetwork net = Networks.create(seven)) {
            String report = Networks.loadFerWeights(net, file, false);
            assertTrue(
                    report.contains("shape mismatch (skipped) 2")
                            && report.contains("classifier.weight [8, 1280] vs [7, 1280]"),
                    report);
        }
    }

    @Test
    void numBatchesTrackedIsIgnoredOnLoad() {
        Map<String, SafeTensors.Tensor> w = new LinkedHashMap<>(NetFixtures.weights());
        w.put("bn1.num_batches_tracked", new SafeTensors.Tensor("I64", new long[0], null));
        w.put(
                "blocks.0.0.bn1.num_batches_tracked",
                new SafeTensors.Tensor("I64", new long[0], null));
        EfficientNet net = new EfficientNet(EfficientNet.Variant.TF_EFFICIENTNET_B0, 8, 0, 0.2f);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            var report = org.frafer.io.Weights.load(net.namedParameters(), w, true, "mem");
            assertTrue(report.clean(), report.toString());
            assertEquals(311, report.loaded().size());
        }
    }

    @Test
    void safetensorsReaderKeepsIntegerTensorsAsShapesAndReadsBf16() throws IOException {
        // hand-built file: {"a": BF16 [2], "n": I64 []} + __metadata__
        String header =
                "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                        + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        var buf =
                java.nio.ByteBuffer.allocate(8 + h.length + 12)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putShort((short) 0x3f80).putShort((short) 0xc040).putLong(5);
        Path f = tmp.resolve("x.safetensors");
        Files.write(f, buf.array());
        SafeTensors.Contents c = SafeTensors.readWithMetadata(f);
        assertArrayEquals(new float[] {1f, -3f}, c.tensors().get("a").data(), 0f);
        assertEquals("I64", c.tensors().get("n").dtype());
        assertEquals(null, c.tensors().get("n").data());
        assertEquals("v", c.metadata().get("k"));
    }

    @Test
    void halfFloatConversionRoundsToNearestEven() {
        assertEquals((short) 0x3c00, HalfFloat.floatToHalf(1f));
        assertEquals((short) 0xc000, HalfFloat.floatToHalf(-2f));
        assertEquals((short) 0x7bff, HalfFloat.floatToHalf(65504f));
        assertEquals((short) 0x7c00, HalfFloat.floatToHalf(65520f)); // rounds up to inf
        assertEquals((short) 0x0001, HalfFloat.floatToHalf(0x1p-24f)); // smallest subnormal
        assertEquals((short) 0x0000, HalfFloat.floatToHalf(0x1p-25f)); // tie -> even (0)
        assertEquals((short) 0x0001, HalfFloat.floatToHalf(0x1.8p-25f));
        assertEquals((short) 0x3c00, HalfFloat.floatToHalf(1f + 0x1p-11f)); // tie -> even
        assertEquals((short) 0x3c02, HalfFloat.floatToHalf(1f + 3 * 0x1p-11f)); // tie -> even (up)
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloat.halfToFloat(h);
            if (!Float.isNaN(f)) {
                assertEquals(
                        h,
                        HalfFloat.floatToHalf(f),
                        "round trip of 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void halfPrecisionDecoding() {
        assertEquals(1f, HalfFloat.halfToFloat((short) 0x3C00));
        assertEquals(-2f, HalfFloat.halfToFloat((short) 0xC000));
        assertEquals(65504f, HalfFloat.halfToFloat((short) 0x7BFF));
        assertEquals(5.9604645e-8f, HalfFloat.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloat.halfToFloat((short) 0x7C00));
    }
}
