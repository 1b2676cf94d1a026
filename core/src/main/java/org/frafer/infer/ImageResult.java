package org.frafer.infer;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link EmotionRecognizer#predictAll} found in one file.
 *
 * @param path the file
 * @param width decoded width (EXIF orientation applied), 0 when the file could not be read
 * @param height decoded height, 0 when the file could not be read
 * @param faces the faces found (empty when there is none or on error)
 * @param error why the file could not be used (names the file), or null
 */
public record ImageResult(Path path, int width, int height, List<FaceEmotion> faces, String error) {
    public ImageResult {
        faces = List.copyOf(faces);
    }

    public boolean ok() {
        return error == null;
    }

    public static ImageResult failed(Path path, String error) {
        return new ImageResult(path, 0, 0, List.of(), error);
    }
}
