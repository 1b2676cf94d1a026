package org.frafer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Metrics against values computed by hand (the arithmetic is in the comments). */
@Tag("unit")
class ConfusionMatrixTest {
    /*
     * Classes A, B, C, D (D has no samples and is never predicted... except where stated).
     *          pred A  B  C  D
     * true A        3  1  0  0   support 4
     * true B        2  2  0  1   support 5
     * true C        0  0  0  0   support 0 (but predicted once? no: see column C)
     * true D        0  0  0  0
     * Column sums: A 5, B 3, C 0, D 1 -> C never predicted, C and D no support.
     */
    static ConfusionMatrix sample() {
        return ConfusionMatrix.of(
                List.of("A", "B", "C", "D"),
                new long[][] {
                    {3, 1, 0, 0},
                    {2, 2, 0, 1},
                    {0, 0, 0, 0},
                    {0, 0, 0, 0}
                });
    }

    @Test
    void handComputedMetrics() {
        ConfusionMatrix cm = sample();
        assertEquals(9, cm.total());
        assertEquals(5.0 / 9, cm.accuracy(), 1e-12); // (3 + 2) / 9
        assertEquals(3.0 / 5, cm.precision(0), 1e-12); // 3 / column A (5)
        assertEquals(2.0 / 3, cm.precision(1), 1e-12); // 2 / column B (3)
        assertTrue(Double.isNaN(cm.precision(2))); // never predicted
        assertEquals(0.0, cm.precision(3), 1e-12); // predicted once, never right
        assertEquals(3.0 / 4, cm.recall(0), 1e-12);
        assertEquals(2.0 / 5, cm.recall(1), 1e-12);
        assertTrue(Double.isNaN(cm.recall(2)));
        assertTrue(Double.isNaN(cm.recall(3)));
        // balanced accuracy: mean recall over classes with support (A, B) = (0.75 + 0.4) / 2
        assertEquals(0.575, cm.balancedAccuracy(), 1e-12);
        // F1 A = 2 * 0.6 * 0.75 / 1.35 = 2/3; F1 B = 2 * (2/3) * 0.4 / (2/3 + 0.4) = 0.5; F1 D = 0
        // (P = 0, R undefined -> 0)
        assertEquals(2.0 / 3, cm.f1(0), 1e-12);
        assertEquals(0.5, cm.f1(1), 1e-12);
        assertEquals(0.0, cm.f1(3), 1e-12);
        // macro-F1 over the classes present in the data (A, B; not C, not the predicted-only D) =
        // (2/3 + 1/2) / 2,
        // (the definition of sklearn.metrics.f1_score(y_true, y_pred, average="macro", labels=["A",
        // "B"]))
        assertEquals((2.0 / 3 + 0.5) / 2, cm.macroF1(), 1e-12);
    }

    @Test
    void perfectAndEmpty() {
        ConfusionMatrix perfect =
                ConfusionMatrix.of(List.of("x", "y"), new long[][] {{4, 0}, {0, 1}});
        assertEquals(1.0, perfect.accuracy());
        assertEquals(1.0, perfect.balancedAccuracy());
        assertEquals(1.0, perfect.macroF1());
        ConfusionMatrix empty = new ConfusionMatrix(List.of("x", "y"));
        assertTrue(Double.isNaN(empty.accuracy()));
        assertTrue(Double.isNaN(empty.balancedAccuracy()));
        assertTrue(Double.isNaN(empty.macroF1()));
    }

    @Test
    void csvHasHeaderAndRows() {
        String csv = sample().toCsv();
        String[] lines = csv.split("\n");
        assertEquals("true\\predicted,A,B,C,D", lines[0]);
        assertEquals("B,2,2,0,1", lines[2]);
        assertEquals(5, lines.length);
    }
}
