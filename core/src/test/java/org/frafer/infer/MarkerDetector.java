package org.frafer.infer;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceDetector;

/**
 * Test double of a face detector: every connected region of pure green pixels (a frame painted by
 * {@link TestImages}) is a face, its bounding box the box, with made-up eye keypoints.
 */
public final class MarkerDetector implements FaceDetector {
    volatile boolean closed;
    volatile int calls;

    static boolean isMarker(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return g > 220 && r < 40 && b < 40;
    }

    @Override
    public List<DetectedFace> detect(BufferedImage image) {
        calls++;
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = image.getRGB(0, 0, w, h, null, 0, w);
        boolean[] seen = new boolean[w * h];
        List<DetectedFace> faces = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        for (int start = 0; start < px.length; start++) {
            if (seen[start] || !isMarker(px[start])) {
                continue;
            }
            int x0 = w;
            int y0 = h;
            int x1 = -1;
            int y1 = -1;
            seen[start] = true;
            todo.add(start);
            while (!todo.isEmpty()) {
                int i = todo.poll();
                int x = i % w;
                int y = i / w;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x);
                y1 = Math.max(y1, y);
                int[] next = {
                    x > 0 ? i - 1 : -1,
                    x < w - 1 ? i + 1 : -1,
                    y > 0 ? i - w : -1,
                    y < h - 1 ? i + w : -1
                };
                for (int j : next) {
                    if (j >= 0 && !seen[j] && isMarker(px[j])) {
                        seen[j] = true;
                        todo.add(j);
                    }
                }
            }
            float bw = x1 - x0 + 1;
            float bh = y1 - y0 + 1;
            float[][] kp = {{x0 + 0.3f * bw, y0 + 0.35f * bh}, {x0 + 0.7f * bw, y0 + 0.35f * bh}};
            faces.add(new DetectedFace(x0, y0, bw, bh, 0.9f, kp));
        }
        return faces;
    }

    @Override
    public void close() {
        closed = true;
    }
}
