package org.frafer.persons;

import org.frafer.faces.DetectedFace;

/**
 * One face of a photo with everything personalisation needs.
 *
 * @param face where it is
 * @param probabilities the emotion model's unpersonalised probabilities
 * @param identity unit-length FR descriptor
 */
public record AnalysedFace(DetectedFace face, float[] probabilities, float[] identity) {}
