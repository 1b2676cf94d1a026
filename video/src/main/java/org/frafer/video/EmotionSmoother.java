package org.frafer.video;

import java.util.HashMap;
import java.util.Map;

/**
 * Temporal filter of a track's probabilities: an exponential moving average with time constant
 * {@code tau} seconds, {@code s += a (p - s)} with {@code a = 1 - exp(-dt / tau)}, so the weight of
 * a frame depends on the time since the last one and not on the sampling rate. A track unseen for
 * more than {@code resetSeconds} starts again from its frame. {@code tau = 0} turns it off.
 */
public final class EmotionSmoother {
    private final double tau;
    private final double resetSeconds;
    private final Map<Integer, float[]> state = new HashMap<>();
    private final Map<Integer, Double> lastTime = new HashMap<>();

    public EmotionSmoother(double tau, double resetSeconds) {
        if (!(tau >= 0)) {
            throw new IllegalArgumentException(
                    "smoothing time constant must be >= 0 seconds, got " + tau);
        }
        this.tau = tau;
        this.resetSeconds = resetSeconds;
    }

    public boolean enabled() {
        return tau > 0;
    }

    /** The smoothed probabilities of a track at a time (a new array). */
    public float[] update(int track, double time, float[] p) {
        if (tau <= 0) {
            return p.clone();
        }
        float[] s = state.get(track);
        Double last = lastTime.get(track);
        if (s == null || last == null || time - last > resetSeconds || time < last) {
            s = p.clone();
        } else {
            double a = 1 - Math.exp(-(time - last) / tau);
            for (int i = 0; i < s.length; i++) {
                s[i] += (float) (a * (p[i] - s[i]));
            }
        }
        state.put(track, s);
        lastTime.put(track, time);
        return s.clone();
    }

    /** Forgets tracks unseen since before a time (bounded memory on long videos). */
    public void forgetBefore(double time) {
        lastTime.entrySet()
                .removeIf(
                        e -> {
                            boolean old = e.getValue() < time;
                            if (old) {
                                state.remove(e.getKey());
                            }
                            return old;
                        });
    }
}
