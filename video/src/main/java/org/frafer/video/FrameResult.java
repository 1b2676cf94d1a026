package org.frafer.video;

import java.util.List;

/** The faces of one sampled frame. */
public record FrameResult(
        int frame, double timeSeconds, int width, int height, List<TrackedFace> faces) {}
