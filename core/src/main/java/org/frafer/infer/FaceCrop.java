package org.frafer.infer;

import java.awt.image.BufferedImage;
import org.frafer.faces.DetectedFace;

/**
 * A detected face and the network's view of it.
 *
 * @param face the detection in original image coordinates
 * @param image the network input as a picture (model input size, RGB, rounded to 8 bits): for
 *     display
 * @param input the network input: CHW float32 RGB in [0, 1] at the model's input size, made exactly
 *     as training makes its inputs ({@link org.frafer.data.FacePreprocess}); null = computed from
 *     {@code image}
 */
public record FaceCrop(DetectedFace face, BufferedImage image, float[] input) {}
