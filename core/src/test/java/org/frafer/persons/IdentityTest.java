package org.frafer.persons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.frafer.data.EmotionClasses;
import org.junit.jupiter.api.Test;

/**
 * Identity matching, grouping and verification rates on synthetic descriptors with known answers.
 */
class IdentityTest {
    static float[] unit(float... v) {
        double n = 0;
        for (float f : v) {
            n += f * f;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }

    static PersonProfile person(String id, float[]... ids) {
        List<PersonProfile.Sample> s =
                java.util.Arrays.stream(ids)
                        .map(
                                d ->
                                        new PersonProfile.Sample(
                                                "Neutral",
                                                "",
                                                d,
                                                new float[EmotionClasses.EIGHT.size()]))
                        .toList();
        return new PersonProfile(id, "m", "fr", EmotionClasses.EIGHT, s, null, null);
    }

    @Test
    void matchesTheMostSimilarEnrolledFaceAboveTheThreshold() {
        IdentityMatcher m =
                new IdentityMatcher(
                        List.of(
                                person("ann", unit(1, 0, 0), unit(1, 1, 0)),
                                person("bob", unit(0, 0, 1))),
                        0.8);
        assertEquals("ann", m.match(unit(1, 0.1f, 0)).orElseThrow().person());
        assertEquals(
                Math.cos(Math.atan(0.1)),
                m.match(unit(1, 0.1f, 0)).orElseThrow().similarity(),
                1e-6);
        assertEquals("bob", m.match(unit(0, 0.2f, 1)).orElseThrow().person());
        assertTrue(m.match(unit(1, 0, 1)).isEmpty(), "cos 0.707 to both: nobody");
        assertTrue(new IdentityMatcher(List.of(), 0.5).match(unit(1, 0, 0)).isEmpty());
        PersonsException e = assertThrows(PersonsException.class, () -> m.match(unit(1, 0)));
        assertTrue(e.getMessage().contains("'ann'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IdentityMatcher(List.of(), 1.5));
    }

    @Test
    void groupsAreConnectedComponentsOfSimilarPairs() {
        float[][] d = {
            unit(1, 0, 0), unit(0, 1, 0), unit(1, 0.1f, 0), unit(0, 1, 0.1f), unit(0, 0, 1)
        };
        assertArrayEquals(new int[] {0, 1, 0, 1, 2}, IdentityClusters.of(d, 0.9));
        // a chain: a~b and b~c link a and c although a and c are far apart
        float[][] chain = {unit(1, 0, 0), unit(1, 0.5f, 0), unit(1, 1.2f, 0)};
        assertArrayEquals(new int[] {0, 0, 0}, IdentityClusters.of(chain, 0.88));
        assertArrayEquals(new int[] {0, 1, 2}, IdentityClusters.of(chain, 0.99));
    }

    @Test
    void verificationRatesCountPairsAndTheThresholdMeetsTheTargetFar() {
        float[][] d = {unit(1, 0), unit(1, 0.1f), unit(0, 1), unit(0.2f, 1)};
        VerificationRates v = new VerificationRates(d, new int[] {0, 0, 1, 1});
        assertEquals(2, v.genuinePairs());
        assertEquals(4, v.impostorPairs());
        assertEquals(0, v.falseAccept(0.5));
        assertEquals(0, v.falseReject(0.5));
        assertEquals(0.5, v.falseReject(0.995), "pair (2,3) has cos 0.981, pair (0,1) 0.995");
        Random r = new Random(1);
        int n = 200;
        float[][] x = new float[n][];
        int[] who = new int[n];
        for (int i = 0; i < n; i++) {
            who[i] = i % 20;
            float[] base = new float[16];
            base[who[i] % 16] = 2;
            for (int j = 0; j < 16; j++) {
                base[j] += (float) r.nextGaussian();
            }
            x[i] = unit(base);
        }
        VerificationRates vr = new VerificationRates(x, who);
        double t = vr.thresholdForFar(0.01);
        assertTrue(vr.falseAccept(t) <= 0.01);
        assertTrue(
                vr.falseAccept(Math.nextDown(Math.nextDown(t)) - 1e-9)
                        > 0.01 - 1.0 / vr.impostorPairs(),
                "the lowest such threshold");
        assertEquals(vr.genuinePairs() + vr.impostorPairs(), n * (n - 1) / 2);
    }
}
