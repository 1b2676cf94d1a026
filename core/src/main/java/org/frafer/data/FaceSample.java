package org.frafer.data;

import java.nio.file.Path;

/**
 * One labelled face of a dataset.
 *
 * @param image the image file
 * @param box the face box to crop in pixels {x, y, w, h} (no margin), or null for the whole image
 * @param label class index in the dataset's class list, or -1 when unlabelled
 * @param softLabel per-class target distribution (e.g. FER+ votes), or null
 * @param subject subject/person id for per-subject reports, or null
 */
public record FaceSample(Path image, int[] box, int label, float[] softLabel, String subject) {}
