package org.frafer.faces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.Assets;
import org.junit.jupiter.api.Assumptions;

/** The TF.js reference fixtures written by tools/tfjs-reference/make-fixtures.js. */
final class FaceFixtures {
    private FaceFixtures() {}

    static Path dir() {
        String p = System.getProperty("frafer.fixtures", "src/test/resources/fixtures");
        return Path.of(p).resolve("faces");
    }

    static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(dir().resolve("reference.json").toFile());
    }

    static float[] f32(String name) throws IOException {
        ByteBuffer b =
                ByteBuffer.wrap(Files.readAllBytes(dir().resolve(name)))
                        .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static float[] u8AsFloat(String name) throws IOException {
        byte[] raw = Files.readAllBytes(dir().resolve(name));
        float[] out = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] & 0xff;
        }
        return out;
    }

    /** Skips the test (with the reason) when the fetched face models are absent. */
    static void assumeModels() {
        Assumptions.assumeTrue(
                Assets.present("human-models/models/faceres.json"),
                "face models not fetched (run tools/fetch-assets.sh); assets root "
                        + Assets.root());
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double cosine(float[] a, int offA, float[] b, int offB, int n) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < n; i++) {
            dot += a[offA + i] * (double) b[offB + i];
            na += a[offA + i] * (double) a[offA + i];
            nb += b[offB + i] * (double) b[offB + i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
