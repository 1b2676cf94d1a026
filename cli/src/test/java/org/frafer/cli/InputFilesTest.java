package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder, glob and missing-path expansion shared by predict, explain and faces detect. */
@Tag("unit")
class InputFilesTest {
    @TempDir Path dir;

    private Path touch(String relative) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[] {1});
    }

    @Test
    void foldersAreRecursiveInNaturalOrderAndProblemsAreReported() throws IOException {
        touch("s10/1.pgm");
        touch("s2/10.pgm");
        touch("s2/9.PGM");
        touch("s2/.hidden.jpg");
        touch("s2/notes.txt");
        Files.createDirectories(dir.resolve("empty"));
        InputFiles in =
                InputFiles.expand(
                        List.of(
                                dir.toString(),
                                dir.resolve("missing.jpg").toString(),
                                dir.resolve("empty").toString(),
                                dir + "/s2/*.nothing"));
        assertEquals(
                List.of(
                        dir.resolve("s2/9.PGM"),
                        dir.resolve("s2/10.pgm"),
                        dir.resolve("s10/1.pgm")),
                in.paths());
        assertEquals(
                List.of("s2_9", "s2_10", "s10_1"),
                in.files().stream().map(InputFiles.Input::outputName).toList());
        StringWriter text = new StringWriter();
        assertEquals(3, in.report(new PrintWriter(text)));
        String r = text.toString();
        assertTrue(
                r.contains("note: " + dir + ": skipped 1 file(s) without an image extension"), r);
        assertTrue(
                r.contains("error: " + dir.resolve("missing.jpg") + ": no such file or folder"), r);
        assertTrue(r.contains("error: " + dir.resolve("empty") + ": no image files"), r);
        assertTrue(r.contains("*.nothing: no file matches"), r);
    }

    @Test
    void globsAreNaturallyOrderedAndFilesAreTakenAsGiven() throws IOException {
        touch("shots/img10.jpg");
        touch("shots/img2.jpg");
        Path odd = touch("odd.data");
        InputFiles in =
                InputFiles.expand(List.of(dir + "/shots/img*.jpg", odd.toString(), odd.toString()));
        assertEquals(
                List.of(dir.resolve("shots/img2.jpg"), dir.resolve("shots/img10.jpg"), odd),
                in.paths());
        assertTrue(in.errors().isEmpty(), in.errors().toString());
    }
}
