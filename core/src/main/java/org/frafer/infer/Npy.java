package org.frafer.infer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.frafer.io.AtomicFiles;

/**
 * Writes NumPy {@code .npy} files (format 1.0, little-endian float32), byte-identical to {@code
 * numpy.save}.
 */
public final class Npy {
    private Npy() {}

    public static byte[] bytes(FloatTensor t) {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) {
            shape.append(t.dim(i));
            if (t.rank() == 1 || i < t.rank() - 1) {
                shape.append(",");
            }
            if (i < t.rank() - 1) {
                shape.append(" ");
            }
        }
        shape.append(")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        // magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64 in
        // total
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer b =
                ByteBuffer.allocate(10 + header.length() + 4 * t.data().length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : t.data()) {
            b.putFloat(v);
        }
        return b.array();
    }

    /**
     * Writes to a temporary file beside {@code file} and renames it, so a crash never leaves half a
     * file.
     */
    public static void write(Path file, FloatTensor t) throws IOException {
        AtomicFiles.write(file, out -> out.write(bytes(t)));
    }
}
