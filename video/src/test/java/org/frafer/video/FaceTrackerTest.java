package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.frafer.faces.DetectedFace;
import org.junit.jupiter.api.Test;

class FaceTrackerTest {
    private static DetectedFace box(float x, float y) {
        return new DetectedFace(x, y, 100, 100, 0.9f, new float[0][]);
    }

    /**
     * Unit descriptor along axis k, tilted a little towards axis k+1 (different expression, same
     * person).
     */
    private static float[] id(int k, double tilt) {
        float[] d = new float[8];
        d[k] = (float) Math.cos(tilt);
        d[(k + 1) % 8] = (float) Math.sin(tilt);
        return d;
    }

    @Test
    void crossingPeopleKeepTheirIdsByIdentity() {
        FaceTracker t = new FaceTracker();
        // A moves right, B moves left; they cross at frame 5 where the boxes overlap the wrong
        // track better.
        int a = -1;
        int b = -1;
        for (int f = 0; f <= 10; f++) {
            float xa = 100 + 40 * f;
            float xb = 500 - 40 * f;
            int[] ids =
                    t.assign(
                            f * 0.1,
                            List.of(box(xa, 100), box(xb, 104)),
                            new float[][] {id(0, 0.1 * f), id(3, 0.05 * f)});
            if (f == 0) {
                a = ids[0];
                b = ids[1];
                assertNotEquals(a, b);
            }
            assertArrayEquals(new int[] {a, b}, ids, "frame " + f);
        }
    }

    @Test
    void cutAndOcclusionReFindThePersonByDescriptor() {
        FaceTracker t = new FaceTracker();
        int a = t.assign(0, List.of(box(100, 100)), new float[][] {id(0, 0)})[0];
        int b = t.assign(0.1, List.of(box(400, 100)), new float[][] {id(2, 0)})[0];
        assertNotEquals(a, b, "a different person at another place is a new track");
        // 5 s later (cut, occlusion) A appears where B was: identity wins over position.
        assertEquals(a, t.assign(5, List.of(box(400, 100)), new float[][] {id(0, 0.2)})[0]);
        assertEquals(b, t.assign(5.1, List.of(box(100, 100)), new float[][] {id(2, 0.3)})[0]);
        // A stranger is not given either id.
        int c = t.assign(5.2, List.of(box(100, 100)), new float[][] {id(5, 0)})[0];
        assertNotEquals(a, c);
        assertNotEquals(b, c);
    }

    @Test
    void withoutDescriptorsTracksFollowOverlapAndACutGivesNewIds() {
        FaceTracker t = new FaceTracker();
        int a = t.assign(0, List.of(box(100, 100)), null)[0];
        assertEquals(a, t.assign(0.1, List.of(box(110, 105)), null)[0], "small move: same track");
        assertNotEquals(a, t.assign(0.2, List.of(box(400, 100)), null)[0], "jump (cut): new track");
        assertNotEquals(
                a,
                t.assign(3, List.of(box(110, 105)), null)[0],
                "after the occlusion window the box alone is not trusted");
    }

    @Test
    void forgetsTracksAfterTheMemoryWindow() {
        FaceTracker t = new FaceTracker(new FaceTracker.Options(0.3, 0.6, 0.3, 1.0, 10));
        int a = t.assign(0, List.of(box(0, 0)), new float[][] {id(0, 0)})[0];
        t.assign(5, List.of(box(300, 0)), new float[][] {id(4, 0)});
        assertEquals(2, t.activeTracks());
        int later = t.assign(20, List.of(box(0, 0)), new float[][] {id(0, 0)})[0];
        assertNotEquals(a, later, "unseen for longer than the memory: a new id");
        assertEquals(1, t.activeTracks(), "the old tracks were dropped");
    }

    @Test
    void iouOfKnownBoxes() {
        assertEquals(1.0, FaceTracker.iou(box(0, 0), box(0, 0)), 1e-9);
        assertEquals(0.0, FaceTracker.iou(box(0, 0), box(200, 0)), 1e-9);
        // half overlap: inter 5000, union 15000
        assertEquals(1 / 3.0, FaceTracker.iou(box(0, 0), box(50, 0)), 1e-9);
    }
}
