package org.frafer.cli;

import static org.frafer.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.data.MoreDatasetsTest;
import org.frafer.data.TeacherLabelsTest;
import org.frafer.testing.CliRun.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer data}: the facial-expressions format name and --teacher-labels reach the readers.
 */
class DatasetFormatsCliTest {
    @TempDir Path dir;

    @Test
    void cliAcceptsTheNewFormatNames() throws IOException {
        Path root =
                MoreDatasetsTest.facialExpressions(
                        dir, "1,George_W_Bush_0001.jpg,happy", "2,Colin_Powell_0001.jpg,SADNESS");
        Run r = run("data", "--format", "facial-expressions", "--root", root.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().startsWith("facial-expressions/all (8 classes): 2 samples")
                        && r.out().contains("Sadness 1"),
                r.out());
        Run bad = run("data", "--format", "facial_expression", "--root", root.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown format 'facial_expression'"), bad.err());
    }

    @Test
    void dataCommandReadsTeacherLabels() throws IOException {
        Path root = TeacherLabelsTest.folderDataset(dir);
        Path csv = dir.resolve("teacher.csv");
        Files.writeString(csv, TeacherLabelsTest.HEADER + "\nhappy/a.png,0.1,0,0,0,0.6,0.3,0,0\n");
        Run r =
                run(
                        "data",
                        "--format",
                        "folder",
                        "--root",
                        root.toString(),
                        "--teacher-labels",
                        csv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("+ teacher teacher.csv (weight 1.0)")
                        && r.out().contains("no teacher label (own target kept): 2"),
                r.out());
    }
}
