package org.frafer.spark;

import java.io.Serializable;

/**
 * What every executor needs to build its recognizer and fill the rows; sent with each task, and the
 * key of the per-JVM model cache ({@link ExecutorModels}), so tasks with the same settings share
 * one model.
 *
 * @param model model folder (local path, a name shipped with {@code --files}/{@code --archives}, or
 *     a Hadoop URI such as {@code hdfs://...}); null = the default model (the jar's own)
 * @param assets folder of the face models ({@code assets/}, shipped or shared); null = the
 *     executor's {@code -Dfrafer.assets} / {@code FRAFER_ASSETS} / {@code ./assets}
 * @param detector BlazeFace variant ({@code back} or {@code front})
 * @param minFaceScore faces scoring lower are dropped
 * @param batchSize faces per network forward (faces of several images share a forward)
 * @param imagesPerChunk images handed to the recognizer at once inside a partition (their bytes are
 *     held in memory and on local disk meanwhile)
 * @param embeddings also write the FER embedding of each face (a second forward pass per face)
 * @param descriptorBackbone FR backbone id for the identity descriptor column, or null for none
 */
public record PredictSettings(
        String model,
        String assets,
        String detector,
        float minFaceScore,
        int batchSize,
        int imagesPerChunk,
        boolean embeddings,
        String descriptorBackbone)
        implements Serializable {

    public PredictSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (imagesPerChunk < 1) {
            throw new IllegalArgumentException(
                    "--images-per-chunk must be positive, got " + imagesPerChunk);
        }
    }

    /**
     * Default settings: the jar's model, BlazeFace back, score 0.5, batch 16, 32 images per chunk,
     * no extra columns.
     */
    public static PredictSettings defaults() {
        return new PredictSettings(null, null, "back", 0.5f, 16, 32, false, null);
    }

    public PredictSettings withModel(String m) {
        return new PredictSettings(
                m,
                assets,
                detector,
                minFaceScore,
                batchSize,
                imagesPerChunk,
                embeddings,
                descriptorBackbone);
    }

    public PredictSettings withExtras(boolean withEmbeddings, String backbone) {
        return new PredictSettings(
                model,
                assets,
                detector,
                minFaceScore,
                batchSize,
                imagesPerChunk,
                withEmbeddings,
                backbone);
    }
}
