package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipClassifierTest {
    @TempDir Path tmp;

    /**
     * Three classes around different centres in 20 dimensions, with a large constant offset and a
     * constant dimension.
     */
    private static void data(Random rnd, int perClass, List<double[]> x, List<String> y) {
        String[] names = {"Angry", "Happy", "Sad"};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < perClass; i++) {
                double[] v = new double[20];
                for (int k = 0; k < v.length; k++) {
                    v[k] = 1000 + rnd.nextGaussian() + (k % 3 == c ? 2.5 : 0);
                }
                v[19] = 42; // constant: must not break the standardisation
                x.add(v);
                y.add(names[c]);
            }
        }
    }

    @Test
    void learnsSavesLoadsAndPredictsTheSame() throws IOException {
        Random rnd = new Random(11);
        List<double[]> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        data(rnd, 40, x, y);
        ClipClassifier cc = ClipClassifier.train(x, y, ClipClassifier.DEFAULT_C, "test-model", 3);
        assertEquals(List.of("Angry", "Happy", "Sad"), cc.classes());
        List<double[]> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        data(rnd, 30, tx, ty);
        int right = 0;
        for (int i = 0; i < tx.size(); i++) {
            right += cc.predict(tx.get(i)).label().equals(ty.get(i)) ? 1 : 0;
        }
        assertTrue(right >= 0.9 * tx.size(), "held-out accuracy " + right + "/" + tx.size());

        Path dir = tmp.resolve("clf");
        cc.save(dir);
        ClipClassifier back = ClipClassifier.load(dir);
        assertEquals(1.1, back.meta().c());
        for (double[] v : tx) {
            ClipClassifier.Prediction a = cc.predict(v);
            ClipClassifier.Prediction b = back.predict(v);
            assertEquals(a.label(), b.label());
            for (String k : a.scores().keySet()) {
                assertEquals(a.scores().get(k), b.scores().get(k), 1e-6);
            }
            // the label is the class with the highest decision value
            String best =
                    a.scores().entrySet().stream()
                            .max(java.util.Map.Entry.comparingByValue())
                            .orElseThrow()
                            .getKey();
            assertEquals(best, a.label());
        }
        IOException again = assertThrows(IOException.class, () -> cc.save(dir));
        assertTrue(again.getMessage().contains("exists"), again.getMessage());
        IllegalArgumentException wrong =
                assertThrows(IllegalArgumentException.class, () -> back.predict(new double[5]));
        assertTrue(wrong.getMessage().contains("5 dimensions"), wrong.getMessage());
    }

    @Test
    void clearErrorsForBadFolders() throws IOException {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClipClassifier.load(tmp));
        assertTrue(e.getMessage().contains("no clip classifier"), e.getMessage());
        Files.writeString(tmp.resolve(ClipClassifier.META), "{not json");
        Files.writeString(tmp.resolve(ClipClassifier.WEIGHTS), "garbage");
        e = assertThrows(IllegalArgumentException.class, () -> ClipClassifier.load(tmp));
        assertTrue(e.getMessage().startsWith(tmp + ": unreadable clip classifier"), e.getMessage());
    }
}
