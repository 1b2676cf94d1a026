package org.frafer.persons;

import java.util.List;
import java.util.Optional;
import org.frafer.faces.FaceDescriptors;

/**
 * Which enrolled person a face is: the profile holding the enrolled descriptor most similar
 * (cosine) to the face's, if that similarity reaches the threshold; otherwise nobody, and the face
 * gets the unpersonalised answer.
 */
public final class IdentityMatcher {
    /**
     * Cosine threshold for hse-faceres descriptors of detected, aligned face crops, chosen on all
     * genuine and impostor pairs of ORL and Yale: the lowest value with a false-accept rate at most
     * 1 % on both (Yale needs 0.603, ORL 0.580), rounded up. Rates at this threshold:
     * docs/experiments/persons.md.
     */
    public static final double DEFAULT_THRESHOLD = 0.61;

    private final List<PersonProfile> profiles;
    private final double threshold;

    public record Match(String person, double similarity) {}

    public IdentityMatcher(List<PersonProfile> profiles, double threshold) {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "identity threshold must be a cosine in [-1, 1], got " + threshold);
        }
        this.profiles = List.copyOf(profiles);
        this.threshold = threshold;
    }

    public double threshold() {
        return threshold;
    }

    /** The best-matching person at or above the threshold, if any. */
    public Optional<Match> match(float[] descriptor) {
        String best = null;
        double bestSim = Double.NEGATIVE_INFINITY;
        for (PersonProfile p : profiles) {
            for (PersonProfile.Sample s : p.samples()) {
                if (s.identity().length != descriptor.length) {
                    throw new PersonsException(
                            "profile '"
                                    + p.id()
                                    + "' has "
                                    + s.identity().length
                                    + "-d identity descriptors, the face has "
                                    + descriptor.length
                                    + "-d (enrolled with another face-recognition model?)");
                }
                double sim = FaceDescriptors.cosine(descriptor, s.identity());
                if (sim > bestSim) {
                    bestSim = sim;
                    best = p.id();
                }
            }
        }
        return best != null && bestSim >= threshold
                ? Optional.of(new Match(best, bestSim))
                : Optional.empty();
    }
}
