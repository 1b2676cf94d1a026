package org.frafer.data;

/**
 * Decoded batches for one epoch at a time. Epoch order (shuffle, augmentation) depends only on the
 * seed and the epoch number, so a resumed run sees exactly the batches an uninterrupted one would.
 */
public interface BatchSource {
    /**
     * Batches of the given epoch (0-based); {@code skipBatches} lets a resumed run start mid-epoch.
     */
    Iterable<FaceBatch> epoch(int epoch, int skipBatches);

    /** Batches per epoch. */
    int batchesPerEpoch();

    /** Number of samples per epoch. */
    int size();

    int numClasses();

    /** Files that could not be decoded so far (each reported once with its path and reason). */
    default java.util.List<String> skippedFiles() {
        return java.util.List.of();
    }
}
