package org.frafer.train;

import java.util.List;
import org.frafer.data.BatchSource;

/**
 * What the trainer trains on.
 *
 * @param train training batches (shuffled/augmented per (seed, epoch) by the source)
 * @param validation validation batches (no augmentation), or null for none
 * @param classes dataset class names in label order (must match the model's classes)
 * @param classCounts training samples per class (soft labels summed), for class weights; may be
 *     null when unused
 * @param name dataset name for the run summary
 */
public record TrainData(
        BatchSource train,
        BatchSource validation,
        List<String> classes,
        double[] classCounts,
        String name) {}
