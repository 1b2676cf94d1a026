package org.frafer.persons;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceCrops;
import org.frafer.faces.FaceDescriptors;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;

/**
 * Identity descriptors of detected faces: an eye-aligned square crop with a 10 % margin at the FR
 * backbone's input size (as {@code faces identify-eval --detect}), then the backbone's unit-length
 * descriptor. One call at a time (the backbone is not shared between threads).
 */
public final class IdentityEncoder implements AutoCloseable {
    /** The FR backbone profiles are made with. */
    public static final String DEFAULT_MODEL = "hse-faceres";

    static final float MARGIN = 0.1f;

    private final FrBackbone fr;

    public IdentityEncoder(FrBackbone fr) {
        this.fr = fr;
    }

    /** The default backbone (from the face-model assets). */
    public static IdentityEncoder createDefault() {
        return new IdentityEncoder(FaceModels.fr(DEFAULT_MODEL));
    }

    public String modelId() {
        return fr.id();
    }

    public synchronized float[][] describe(BufferedImage photo, List<DetectedFace> faces) {
        if (faces.isEmpty()) {
            return new float[0][];
        }
        List<BufferedImage> crops = new ArrayList<>(faces.size());
        for (DetectedFace f : faces) {
            crops.add(FaceCrops.crop(photo, f, fr.inputSize(), MARGIN, true));
        }
        return FaceDescriptors.of(fr, crops, 16);
    }

    @Override
    public synchronized void close() {
        fr.close();
    }
}
