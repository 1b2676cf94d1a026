package org.frafer.data;

import java.util.List;

/** A labelled face dataset read from disk (AffectNet CSV, FER+, class-per-folder, ...). */
public interface FaceDataset {
    /** Human-readable name, e.g. {@code ferplus/FER2013Test (majority)}. */
    String name();

    /** Class names in label-index order (canonical names, see {@link EmotionClasses}). */
    List<String> classes();

    List<FaceSample> samples();
}
