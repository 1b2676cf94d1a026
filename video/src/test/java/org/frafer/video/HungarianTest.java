package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HungarianTest {

    /** Exhaustive search over all assignments: the independent reference. */
    private static double bruteForce(double[][] c, int row, boolean[] used) {
        if (row == c.length) {
            return 0;
        }
        int cols = c[0].length;
        int freeCols = 0;
        for (boolean u : used) {
            freeCols += u ? 0 : 1;
        }
        double best = Double.POSITIVE_INFINITY;
        // a row may stay unassigned only when there are more rows left than free columns
        if (c.length - row > freeCols) {
            best = bruteForce(c, row + 1, used);
        }
        for (int j = 0; j < cols; j++) {
            if (!used[j]) {
                used[j] = true;
                best = Math.min(best, c[row][j] + bruteForce(c, row + 1, used));
                used[j] = false;
            }
        }
        return best;
    }

    @Test
    void matchesExhaustiveSearchOnRandomMatrices() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(5);
            int m = 1 + rnd.nextInt(5);
            double[][] c = new double[n][m];
            for (double[] row : c) {
                for (int j = 0; j < m; j++) {
                    row[j] = rnd.nextInt(4) == 0 ? 1e9 : rnd.nextDouble() * 10 - 5;
                }
            }
            int[] a = Hungarian.solve(c);
            assertEquals(n, a.length);
            Set<Integer> cols = new HashSet<>();
            double total = 0;
            int assigned = 0;
            for (int i = 0; i < n; i++) {
                if (a[i] >= 0) {
                    assertTrue(cols.add(a[i]), "column used twice");
                    total += c[i][a[i]];
                    assigned++;
                }
            }
            assertEquals(Math.min(n, m), assigned, "every row or every column is assigned");
            assertEquals(
                    bruteForce(c, 0, new boolean[m]), total, 1e-6, "optimal cost, trial " + trial);
        }
    }
}
