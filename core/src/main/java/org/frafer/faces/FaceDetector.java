package org.frafer.faces;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Finds faces in a photo of any size and aspect ratio; an empty list when there is none.
 * Thread-safety: see implementations.
 */
public interface FaceDetector extends AutoCloseable {
    List<DetectedFace> detect(BufferedImage image);

    @Override
    void close();
}
