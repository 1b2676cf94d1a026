package org.frafer.faces;

/**
 * One detected face in original image coordinates (pixels, origin top-left).
 *
 * @param keypoints BlazeFace's 6 keypoints as {x, y} pairs: right eye, left eye, nose tip, mouth
 *     centre, right ear tragion, left ear tragion (the subject's left/right); may be empty
 */
public record DetectedFace(
        float x, float y, float width, float height, float score, float[][] keypoints) {}
