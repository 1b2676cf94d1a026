package org.frafer.spark;

import java.util.List;

/**
 * One run of the job.
 *
 * @param inputs folders, files or globs of images (any Hadoop path: local, {@code file:}, {@code
 *     hdfs://}, {@code s3a://}...), read with Spark's {@code binaryFile} source; empty when {@code
 *     table} is given
 * @param table a Parquet or CSV table (with a header) whose {@code pathColumn} names the images, or
 *     null
 * @param tableFormat {@code parquet} or {@code csv}; null = from the table's extension
 * @param pathColumn the table's column of image paths
 * @param out output folder
 * @param format {@code parquet} or {@code json} (JSON lines)
 * @param overwrite replace an existing output (else the job stops before any work)
 * @param partitions partitions to run with; null = {@link EmotionJob#defaultPartitions}
 * @param settings what the executors run
 * @param passes whole-table passes between prediction and writing (see {@link FaceTablePass})
 */
public record JobSpec(
        List<String> inputs,
        String table,
        String tableFormat,
        String pathColumn,
        String out,
        String format,
        boolean overwrite,
        Integer partitions,
        PredictSettings settings,
        List<FaceTablePass> passes) {

    public JobSpec {
        inputs = List.copyOf(inputs);
        passes = List.copyOf(passes);
    }

    /** Images from folders/globs to a Parquet output, default settings. */
    public static JobSpec images(List<String> inputs, String out) {
        return new JobSpec(
                inputs,
                null,
                null,
                "path",
                out,
                "parquet",
                false,
                null,
                PredictSettings.defaults(),
                List.of());
    }

    public JobSpec withOverwrite(boolean o) {
        return new JobSpec(
                inputs,
                table,
                tableFormat,
                pathColumn,
                out,
                format,
                o,
                partitions,
                settings,
                passes);
    }

    public JobSpec withSettings(PredictSettings s) {
        return new JobSpec(
                inputs,
                table,
                tableFormat,
                pathColumn,
                out,
                format,
                overwrite,
                partitions,
                s,
                passes);
    }

    public JobSpec withFormat(String f) {
        return new JobSpec(
                inputs,
                table,
                tableFormat,
                pathColumn,
                out,
                f,
                overwrite,
                partitions,
                settings,
                passes);
    }

    /** Paths from a table's column instead of images from folders. */
    public static JobSpec table(String table, String pathColumn, String out) {
        return new JobSpec(
                List.of(),
                table,
                null,
                pathColumn,
                out,
                "parquet",
                false,
                null,
                PredictSettings.defaults(),
                List.of());
    }
}
