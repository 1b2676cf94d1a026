package org.frafer.cli;

import static org.frafer.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.data.DatasetsTest;
import org.frafer.testing.CliRun.Run;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer data}: the dataset options reach Datasets.open, and --decode reports unreadable
 * files.
 */
@Tag("unit")
class DataCommandTest {
    @TempDir Path dir;

    @Test
    void summaryAndDecodeReport() throws IOException {
        DatasetsTest.png(dir.resolve("train/happy/s1_a.png"));
        DatasetsTest.png(dir.resolve("train/happy/s2_b.png"));
        DatasetsTest.png(dir.resolve("train/Contempt/s1_c.png"));
        Run r =
                run(
                        "data",
                        "--format",
                        "folder",
                        "--root",
                        dir.toString(),
                        "--split",
                        "train",
                        "--classes",
                        "7");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("2 samples")
                        && r.out().contains("Happiness 2")
                        && r.out().contains("Contempt (not in 7-class mode): 1"),
                r.out());

        Files.writeString(dir.resolve("train/happy/s2_b.png"), "broken");
        Run d =
                run(
                        "data",
                        "--format",
                        "folder",
                        "--root",
                        dir.resolve("train").toString(),
                        "--decode",
                        "--size",
                        "16");
        assertEquals(1, d.code(), d.out() + d.err());
        assertTrue(
                d.out().contains("decoded 2 of 3 images")
                        && d.out().contains("unreadable: ")
                        && d.out().contains("s2_b.png"),
                d.out());

        Run bad = run("data", "--format", "ferplus", "--root", dir.resolve("none").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("dataset root not found"), bad.err());
    }
}
