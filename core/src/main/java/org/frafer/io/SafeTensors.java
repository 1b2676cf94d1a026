package org.frafer.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader and writer of the safetensors format (8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}}, then the raw little-endian data), so model files are
 * exchanged with Python (timm / safetensors) without any Python at run time.
 *
 * <p>Reads F32, F16 and BF16 (as float32) and records other dtypes (e.g. I64 num_batches_tracked)
 * without data; writes F32 or F16.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Refuses absurd headers before allocating (the format's own reference limit is 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Element type of a written file. */
    public enum DType {
        F32(4),
        F16(2);
        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /**
     * One tensor: float data (null when the stored dtype is not a float type we read).
     *
     * @param dtype the stored dtype name, e.g. F16
     */
    public record Tensor(String dtype, long[] shape, float[] data) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public boolean isFloat() {
            return data != null;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** Contents of a file: tensors in header order plus the optional {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Map<String, Tensor> read(Path file) {
        return readWithMetadata(file).tensors();
    }

    public static Contents readWithMetadata(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Weights file not found: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Cannot read weights file " + file + ": " + e.getMessage(), e);
        }
        if (all.length < 8) {
            throw new IllegalArgumentException(
                    "Not a safetensors file (" + all.length + " bytes, truncated?): " + file);
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > all.length - 8L) {
            throw new IllegalArgumentException(
                    "Bad safetensors header length "
                            + headerLen
                            + " in "
                            + file
                            + " (file has "
                            + all.length
                            + " bytes): truncated or not a safetensors file");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Bad safetensors header JSON in " + file + ": " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new IllegalArgumentException(
                    "Bad safetensors header in " + file + ": not a JSON object");
        }
        int dataStart = 8 + (int) headerLen;
        long dataLen = all.length - (long) dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode info = e.getValue();
            if ("__metadata__".equals(name)) {
                info.fields()
                        .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = "tensor '" + name + "' in " + file;
            if (!info.hasNonNull("dtype")
                    || !info.has("shape")
                    || !info.has("data_offsets")
                    || info.get("data_offsets").size() != 2) {
                throw new IllegalArgumentException(
                        "Bad safetensors header entry for "
                                + where
                                + ": needs dtype, shape, data_offsets");
            }
            String dtype = info.get("dtype").asText();
            long[] shape = new long[info.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.get("shape").get(i).asLong();
                if (shape[i] < 0) {
                    throw new IllegalArgumentException("Negative dimension in " + where);
                }
            }
            long begin = info.get("data_offsets").get(0).asLong();
            long end = info.get("data_offsets").get(1).asLong();
            if (begin < 0 || end < begin || end > dataLen) {
                throw new IllegalArgumentException(
                        "Data of "
                                + where
                                + " lies outside the file (offsets "
                                + begin
                                + ".."
                                + end
                                + ", data section has "
                                + dataLen
                                + " bytes): truncated file?");
            }
            long numel = 1;
            for (long d : shape) {
                numel *= d;
            }
            int elemBytes =
                    switch (dtype) {
                        case "F64", "I64", "U64" -> 8;
                        case "F32", "I32", "U32" -> 4;
                        case "F16", "BF16", "I16", "U16" -> 2;
                        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
                        default ->
                                throw new IllegalArgumentException(
                                        "Unknown dtype " + dtype + " of " + where);
                    };
            if (numel * elemBytes != end - begin) {
                throw new IllegalArgumentException(
                        "Size mismatch for "
                                + where
                                + ": shape "
                                + Arrays.toString(shape)
                                + " x "
                                + dtype
                                + " needs "
                                + numel * elemBytes
                                + " bytes, offsets give "
                                + (end - begin));
            }
            if (numel > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Tensor too large: " + where);
            }
            ByteBuffer slice =
                    ByteBuffer.wrap(all, dataStart + (int) begin, (int) (end - begin))
                            .slice()
                            .order(ByteOrder.LITTLE_ENDIAN);
            float[] data = null;
            int n = (int) numel;
            switch (dtype) {
                case "F32" -> {
                    data = new float[n];
                    slice.asFloatBuffer().get(data);
                }
                case "F16" -> {
                    data = new float[n];
                    for (int i = 0; i < n; i++) {
                        data[i] = HalfFloat.halfToFloat(slice.getShort(2 * i));
                    }
                }
                case "BF16" -> {
                    data = new float[n];
                    for (int i = 0; i < n; i++) {
                        data[i] = HalfFloat.bf16ToFloat(slice.getShort(2 * i));
                    }
                }
                case "F64" -> {
                    data = new float[n];
                    for (int i = 0; i < n; i++) {
                        data[i] = (float) slice.getDouble(8 * i);
                    }
                }
                default -> {} // integer tensors (e.g. num_batches_tracked): shape only
            }
            tensors.put(name, new Tensor(dtype, shape, data));
        }
        return new Contents(tensors, metadata);
    }

    /**
     * Writes tensors atomically: a temp file in the same folder, then a rename over {@code file},
     * so a crash never leaves a half-written file in place of a good one.
     */
    public static void write(
            Path file, Map<String, Tensor> tensors, DType dtype, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.data() == null) {
                throw new IllegalArgumentException(
                        "Tensor '" + e.getKey() + "' has no float data to write");
            }
            if (t.numel() != t.data().length) {
                throw new IllegalArgumentException(
                        "Tensor '"
                                + e.getKey()
                                + "': shape "
                                + t.shapeString()
                                + " does not match "
                                + t.data().length
                                + " values");
            }
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", dtype.name());
            var shape = info.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long len = (long) t.data().length * dtype.bytes;
            info.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] headerBytes;
        try {
            headerBytes = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded =
                (headerBytes.length + 7)
                        / 8
                        * 8; // data aligned to 8 bytes, padded with spaces as the spec allows
        byte[] head = Arrays.copyOf(headerBytes, padded);
        Arrays.fill(head, headerBytes.length, padded, (byte) ' ');
        Path tmp = null;
        try {
            tmp = org.frafer.io.AtomicFiles.tempFor(file);
            try (FileChannel ch =
                    FileChannel.open(
                            tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len =
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                len.flip();
                ch.write(len);
                ch.write(ByteBuffer.wrap(head));
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (float v : t.data()) {
                        if (chunk.remaining() < 4) {
                            chunk.flip();
                            while (chunk.hasRemaining()) {
                                ch.write(chunk);
                            }
                            chunk.clear();
                        }
                        if (dtype == DType.F32) {
                            chunk.putFloat(v);
                        } else {
                            chunk.putShort(HalfFloat.floatToHalf(v));
                        }
                    }
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
                ch.force(true);
            }
            moveAtomically(tmp, file);
            tmp = null;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file is hidden and named after the target
                }
            }
        }
    }

    /** Rename into place, atomically where the file system allows it. */
    public static void moveAtomically(Path tmp, Path target) throws IOException {
        org.frafer.io.AtomicFiles.commit(tmp, target);
    }

    /** Writes bytes atomically (temp file + rename). */
    public static void writeBytesAtomically(Path target, byte[] bytes) {
        Path tmp = null;
        try {
            tmp = org.frafer.io.AtomicFiles.tempFor(target);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            moveAtomically(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
