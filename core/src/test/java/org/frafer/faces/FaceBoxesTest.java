package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaceBoxesTest {
    static DetectedFace box(float x, float y, float side, float score) {
        return new DetectedFace(x, y, side, side, score, new float[0][]);
    }

    @Test
    void shiftedDuplicateOnACropIsMerged() {
        // fer0032250.png: the face at (11.4, 11.7) 26.5 px and a second box at (-3.2, 10.0) 24.6
        // px; IoU 0.21 < 0.3 so NMS kept both
        DetectedFace a = box(11.4f, 11.7f, 26.5f, 0.83f);
        DetectedFace b = box(-3.2f, 10.0f, 24.6f, 0.50f);
        assertEquals(
                0.21f,
                BlazeFaceDetector.iou(
                        new float[] {11.4f, 11.7f, 37.9f, 38.2f},
                        new float[] {-3.2f, 10f, 21.4f, 34.6f}),
                0.02f);
        List<DetectedFace> kept = FaceBoxes.clean(List.of(b, a), 48, 48);
        assertEquals(1, kept.size());
        assertSame(a, kept.get(0), "the higher score stays");
    }

    @Test
    void separateFacesStay() {
        List<DetectedFace> kept =
                FaceBoxes.clean(
                        List.of(
                                box(0, 0, 100, 0.9f),
                                box(90, 0, 100, 0.8f),
                                box(300, 300, 50, 0.7f)),
                        640,
                        480);
        assertEquals(3, kept.size(), "10 % overlap is two neighbours, not one face");
    }
}
