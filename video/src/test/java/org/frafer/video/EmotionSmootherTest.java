package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EmotionSmootherTest {
    @Test
    void offReturnsTheFrameItself() {
        EmotionSmoother s = new EmotionSmoother(0, 1);
        assertArrayEquals(new float[] {0.2f, 0.8f}, s.update(1, 0, new float[] {0.2f, 0.8f}));
        assertArrayEquals(new float[] {0.9f, 0.1f}, s.update(1, 0.1, new float[] {0.9f, 0.1f}));
    }

    @Test
    void stepResponseFollowsTheExponentialWhateverTheSamplingRate() {
        double tau = 0.5;
        for (double dt : new double[] {0.04, 0.1, 0.25}) {
            EmotionSmoother s = new EmotionSmoother(tau, 10);
            s.update(7, 0, new float[] {1, 0});
            float[] last = null;
            int steps = (int) Math.round(1.0 / dt);
            for (int i = 1; i <= steps; i++) {
                last = s.update(7, i * dt, new float[] {0, 1});
            }
            // After a step at t = 0, the new class has weight 1 - exp(-t / tau) at t = 1 s.
            assertEquals(1 - Math.exp(-1.0 / tau), last[1], 1e-5, "dt " + dt);
            assertEquals(Math.exp(-1.0 / tau), last[0], 1e-5, "dt " + dt);
        }
    }

    @Test
    void tracksAreIndependentAndAGapRestarts() {
        EmotionSmoother s = new EmotionSmoother(1, 0.5);
        s.update(1, 0, new float[] {1, 0});
        assertArrayEquals(
                new float[] {0, 1},
                s.update(2, 0.1, new float[] {0, 1}),
                "another track starts from its own frame");
        assertArrayEquals(
                new float[] {0, 1},
                s.update(1, 2.0, new float[] {0, 1}),
                "unseen longer than the reset: no memory");
    }
}
