/**
 * The public inference API: faces in, emotions out.
 *
 * <pre>{@code
 * try (EmotionRecognizer r = EmotionRecognizer.builder()
 *         .model(Path.of("models/my-model"))   // config.json + model.safetensors
 *         .detectorVariant("back")              // BlazeFace: back (group photos) or front (close-ups)
 *         .cropMargin(0.1f).batchSize(16)
 *         .build()) {
 *     List<FaceEmotion> faces = r.predict(Path.of("photo.jpg"));      // detect, crop, classify
 *     List<ImageResult> many = r.predictAll(paths);                   // faces of many photos batched
 *     List<FaceEmotion> crops = r.predictFaces(alreadyCroppedFaces);  // no detection
 *     float[] embedding = r.features(faceImage);                      // pooled FER embedding
 *     FaceExplanation e = r.explain(faceImage);                       // attention S, FER maps before/after
 *     BufferedImage panel = ExplanationPanel.render(e, "face", true);
 * }
 * }</pre>
 *
 * <p>{@link org.frafer.infer.EmotionRecognizer} is safe to share between threads (see its notes).
 * Outputs: {@link org.frafer.infer.FaceEmotion} (box, keypoints, class probabilities), {@link
 * org.frafer.infer.FaceExplanation} (arrays as {@link org.frafer.infer.FloatTensor}), {@link
 * org.frafer.infer.Annotator} and {@link org.frafer.infer.ExplanationPanel} (pictures), {@link
 * org.frafer.infer.Npy} (NumPy files). The command-line front ends are {@code fra-fer predict} and
 * {@code fra-fer explain}.
 */
package org.frafer.infer;
