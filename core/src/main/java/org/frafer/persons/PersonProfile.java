package org.frafer.persons;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What is kept about one enrolled person: no photos, only numbers computed from them.
 *
 * @param id the person's name (also the file name in a {@link ProfileStore})
 * @param model fingerprint of the emotion model the outputs were computed with
 * @param identityModel id of the FR backbone the descriptors come from
 * @param classes the emotion model's class names, in output order
 * @param samples one entry per enrolled face
 * @param created when the profile was first written (ISO-8601)
 * @param updated when it was last written (ISO-8601)
 */
public record PersonProfile(
        String id,
        String model,
        String identityModel,
        List<String> classes,
        List<Sample> samples,
        String created,
        String updated) {

    /**
     * One enrolled face.
     *
     * @param label the emotion shown (a class name; {@code Neutral} for neutral-baseline enrolment)
     * @param source the photo's file name (no folder), for the person's own records
     * @param identity unit-length FR descriptor (biometric)
     * @param logProbs the emotion model's log-probabilities, in class order
     */
    public record Sample(String label, String source, float[] identity, float[] logProbs) {
        public Sample {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(logProbs, "logProbs");
        }
    }

    public PersonProfile {
        Objects.requireNonNull(id, "id");
        classes = List.copyOf(classes);
        samples = List.copyOf(samples);
    }

    /** This profile with more samples. */
    public PersonProfile plus(List<Sample> more, String now) {
        List<Sample> all = new ArrayList<>(samples);
        all.addAll(more);
        return new PersonProfile(
                id, model, identityModel, classes, all, created == null ? now : created, now);
    }

    /** Number of samples per label, e.g. {Neutral=3, Happiness=1}. */
    public java.util.Map<String, Integer> labelCounts() {
        java.util.Map<String, Integer> m = new java.util.TreeMap<>();
        for (Sample s : samples) {
            m.merge(s.label(), 1, Integer::sum);
        }
        return m;
    }
}
