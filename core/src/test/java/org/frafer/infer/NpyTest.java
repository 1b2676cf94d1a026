package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .npy writer against files written by numpy.save (tools/infer/make_npy_fixture.py), byte for
 * byte.
 */
@Tag("parity")
class NpyTest {
    static Path fixture(String name) {
        return Path.of(
                System.getProperty("frafer.fixtures", "src/test/resources/fixtures"),
                "infer",
                name);
    }

    @Test
    void matrixMatchesNumpy() throws Exception {
        float[] d = new float[6];
        for (int i = 0; i < 6; i++) {
            d[i] = i * 0.5f - 1;
        }
        assertArrayEquals(
                Files.readAllBytes(fixture("arange_2x3.npy")),
                Npy.bytes(new FloatTensor(new long[] {2, 3}, d)));
    }

    @Test
    void vectorMatchesNumpy() throws Exception {
        float[] d = {1.5f, -2f, 3.25f, 0f, 1e-3f};
        assertArrayEquals(
                Files.readAllBytes(fixture("vector_5.npy")),
                Npy.bytes(new FloatTensor(new long[] {5}, d)));
    }

    @Test
    void rank4MatchesNumpy(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        float[] d = new float[24];
        for (int i = 0; i < 24; i++) {
            d[i] = (float) (i / 23.0);
        }
        Path f = dir.resolve("m.npy");
        Npy.write(f, new FloatTensor(new long[] {1, 4, 3, 2}, d));
        assertArrayEquals(Files.readAllBytes(fixture("map_1x4x3x2.npy")), Files.readAllBytes(f));
    }
}
