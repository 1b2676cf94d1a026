package org.frafer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Command line and sizing rules, without Spark running. */
class EmotionJobOptionsTest {

    private static JobSpec parse(String... args) {
        EmotionJob job = new EmotionJob();
        new CommandLine(job).parseArgs(args);
        return job.spec();
    }

    @Test
    void optionsBecomeTheSpec() {
        JobSpec s =
                parse(
                        "photos/",
                        "more/*.jpg",
                        "--out",
                        "faces",
                        "--batch-size",
                        "32",
                        "--descriptors",
                        "--overwrite");
        assertEquals(List.of("photos/", "more/*.jpg"), s.inputs());
        assertEquals("faces", s.out());
        assertEquals("parquet", s.format());
        assertTrue(s.overwrite());
        assertEquals(32, s.settings().batchSize());
        assertEquals("hse-faceres", s.settings().descriptorBackbone());
        assertNull(s.settings().model());
        assertNull(parse("x", "--out", "o").settings().descriptorBackbone());
    }

    @Test
    void inputsAreImagesOrATableNotBoth() {
        assertTrue(
                assertThrows(JobException.class, () -> parse("--out", "o"))
                        .getMessage()
                        .contains("--table"));
        assertTrue(
                assertThrows(JobException.class, () -> parse("a", "--table", "t.csv", "--out", "o"))
                        .getMessage()
                        .contains("not both"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> parse("a", "--out", "o", "--batch-size", "0"))
                        .getMessage()
                        .contains("--batch-size"));
    }

    @Test
    void partitionsKeepCoresBusyAndTasksBounded() {
        assertEquals(4, EmotionJob.defaultPartitions(300, 2)); // 2 per core
        assertEquals(3, EmotionJob.defaultPartitions(3, 2)); // never more than images
        assertEquals(1000, EmotionJob.defaultPartitions(1_000_000, 8)); // at most 1000 images each
        assertEquals(16, EmotionJob.defaultPartitions(5000, 8));
    }

    @Test
    void imageGlobCoversBothCasesAndScratchNamesKeepTheExtension() {
        assertTrue(
                EmotionJob.IMAGE_GLOB.contains(",jpg,") || EmotionJob.IMAGE_GLOB.contains("{jpg,"));
        assertTrue(EmotionJob.IMAGE_GLOB.contains("JPEG"));
        assertEquals(".JPG", PartitionPredictor.extension("hdfs://nn/a.b/photo.JPG"));
        assertEquals("", PartitionPredictor.extension("hdfs://nn/a.b/photo"));
        assertEquals(".png", PartitionPredictor.extension("file:/x/y.png"));
    }
}
