package org.frafer.train.distill;

import java.nio.file.Path;

/**
 * One training face for distillation: an image file and the face box in it ({x, y, w, h}, null =
 * the whole image).
 */
public record DistillImage(Path path, int[] box) {}
