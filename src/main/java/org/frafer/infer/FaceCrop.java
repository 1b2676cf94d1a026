package org.frafer.infer;

import java.awt.image.BufferedImage;
import org.frafer.faces.DetectedFace;

/**
 * A detected face and the network's view of it.
 *
 * @param face the detection in original image coordinates
 * @param image the face cut out (margin and alignment applied) and resized to the model's square
 *     input size, RGB
 */
public record FaceCrop(DetectedFace face, BufferedImage image) {}
