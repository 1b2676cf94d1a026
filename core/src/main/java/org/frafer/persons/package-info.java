/**
 * Personalized recognition: person profiles, identity matching and the three ways of reading a
 * face's emotion relative to its owner. {@link org.frafer.persons.PersonalRecognition} puts them on
 * top of an {@code infer.EmotionRecognizer} (enrol, forget, persons, predict with {@code
 * FaceEmotion.person()}).
 *
 * <ul>
 *   <li>{@link org.frafer.persons.ProfileStore}: one owner-only JSON file per person in a folder,
 *       written atomically under a lock file (two processes enrolling at once never lose a
 *       profile), versioned.
 *   <li>{@link org.frafer.persons.IdentityMatcher}: which enrolled person a face is, by cosine
 *       similarity of FR descriptors against a threshold chosen on ORL and Yale ({@link
 *       org.frafer.persons.IdentityMatcher#DEFAULT_THRESHOLD}).
 *   <li>{@link org.frafer.persons.Personalizer}: the modes. All work on the FER model's centred
 *       log-probabilities; the default heads are linear, so re-centring log-probabilities is the
 *       same as re-centring the pooled FER embedding and passing it through the head (softmax
 *       ignores constants). <i>Neutral baseline</i>: the person's mean neutral output is moved onto
 *       the model's population neutral reference ({@link org.frafer.persons.NeutralReference}).
 *       <i>Few-shot</i>: as neutral baseline, plus a per-person bias on the classes the person was
 *       enrolled with, fitted on the labelled samples. <i>Automatic</i>: faces of a collection are
 *       grouped by identity ({@link org.frafer.persons.IdentityClusters}) and each group's median
 *       output is taken as its neutral.
 * </ul>
 *
 * <p>Layer: above {@code infer} (it uses the recognizer; the recognizer knows nothing of persons).
 * {@link org.frafer.persons.PersonalEvaluation} is the per-person evaluation of issue 16.
 */
package org.frafer.persons;
