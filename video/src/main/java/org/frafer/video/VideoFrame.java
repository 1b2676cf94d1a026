package org.frafer.video;

import java.awt.image.BufferedImage;

/**
 * One decoded frame that the sampler kept.
 *
 * @param index the frame's position among all decoded video frames of the file (0-based, counted
 *     from the start of the file, also when --start skips some)
 * @param timeSeconds presentation time from the container's timestamps (correct for variable frame
 *     rates)
 * @param image the picture (a copy owned by the caller)
 */
public record VideoFrame(int index, double timeSeconds, BufferedImage image) {}
