package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.frafer.data.DatasetSpec.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teacher soft targets (tools/teacher/opencv_fer.py soft-labels) read and mixed into a dataset's
 * targets.
 */
public class TeacherLabelsTest {
    @TempDir Path dir;

    public static final String HEADER =
            "image,Anger,Contempt,Disgust,Fear,Happiness,Neutral,Sadness,Surprise";

    public static Path folderDataset(Path dir) {
        DatasetsTest.png(dir.resolve("data/happy/a.png"));
        DatasetsTest.png(dir.resolve("data/sad/b.png"));
        DatasetsTest.png(dir.resolve("data/sad/c.png"));
        return dir.resolve("data");
    }

    @Test
    void mixesTeacherAndOwnTargetsMatchedByPathSuffix() throws IOException {
        Path root = folderDataset(dir);
        Path csv = dir.resolve("teacher.csv");
        // the zoo model has no contempt: its column is 0
        Files.writeString(
                csv,
                HEADER
                        + "\n"
                        + "happy/a.png,0.1,0,0,0,0.6,0.3,0,0\n"
                        + "./sad/b.png,0,0,0,0.2,0,0.4,0.4,0\n");
        TeacherLabels t = TeacherLabels.read(csv);
        assertEquals(2, t.size());
        LoadedDataset ds = Datasets.open(DatasetSpec.of(Format.FOLDER, root));
        LoadedDataset mixed = t.apply(ds, 0.5f);
        Map<String, float[]> targets = new java.util.HashMap<>();
        mixed.samples()
                .forEach(s -> targets.put(s.image().getFileName().toString(), s.softLabel()));
        // a: happiness (index 4) one-hot mixed half and half with the teacher
        assertArrayEquals(
                new float[] {0.05f, 0, 0, 0, 0.8f, 0.15f, 0, 0}, targets.get("a.png"), 1e-6f);
        assertArrayEquals(
                new float[] {0, 0, 0, 0.1f, 0, 0.2f, 0.7f, 0}, targets.get("b.png"), 1e-6f);
        assertNull(targets.get("c.png"), "no teacher row: the sample keeps its own (hard) target");
        assertEquals(1, mixed.dropped().get("no teacher label (own target kept)"));
        assertEquals(ds.samples().size(), mixed.samples().size());
        // labels are untouched (balanced sampling and metrics still use them)
        for (int i = 0; i < ds.samples().size(); i++) {
            assertEquals(ds.samples().get(i).label(), mixed.samples().get(i).label());
        }
    }

    @Test
    void sevenClassDatasetsDropContemptAndRenormaliseTheTeacher() throws IOException {
        Path root = folderDataset(dir);
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "image,neutral,CONTEMPT,happy\nhappy/a.png,0.25,0.5,0.25\n");
        LoadedDataset ds = Datasets.open(DatasetSpec.of(Format.FOLDER, root).withClasses(7));
        FaceSample a =
                TeacherLabels.read(csv).apply(ds, 1f).samples().stream()
                        .filter(s -> s.image().endsWith("a.png"))
                        .findFirst()
                        .orElseThrow();
        float[] expected = new float[7];
        expected[EmotionClasses.SEVEN.indexOf("Neutral")] = 0.5f;
        expected[EmotionClasses.SEVEN.indexOf("Happiness")] = 0.5f;
        assertArrayEquals(expected, a.softLabel(), 1e-6f);
    }

    @Test
    void badFilesNameTheFileAndLine() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, HEADER + "\nx.png,0.5,0,0,0,0.6,0,0,0\n");
        DatasetException e = assertThrows(DatasetException.class, () -> TeacherLabels.read(csv));
        assertTrue(e.getMessage().contains("bad.csv line 2: probabilities sum to"), e.getMessage());
        Files.writeString(csv, "file,Anger,Happy\nx.png,0.5,0.5\n");
        e = assertThrows(DatasetException.class, () -> TeacherLabels.read(csv));
        assertTrue(
                e.getMessage().contains("bad.csv line 1: expected the header image,"),
                e.getMessage());
        Files.writeString(csv, "image,Anger,Bored\nx.png,0.5,0.5\n");
        e = assertThrows(DatasetException.class, () -> TeacherLabels.read(csv));
        assertTrue(e.getMessage().contains("column 'Bored' is not a class name"), e.getMessage());
        Files.writeString(csv, "image,Anger,Happy\nx.png,0.5,0.5\nx.png,0.5,0.5\n");
        e = assertThrows(DatasetException.class, () -> TeacherLabels.read(csv));
        assertTrue(e.getMessage().contains("line 3: image x.png is listed twice"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> TeacherLabels.read(dir.resolve("none.csv")));
        assertTrue(e.getMessage().contains("teacher labels file not found"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        TeacherLabels.read(csvOk())
                                .apply(
                                        Datasets.open(
                                                DatasetSpec.of(Format.FOLDER, folderDataset(dir))),
                                        1.5f));
    }

    private Path csvOk() throws IOException {
        Path csv = dir.resolve("ok.csv");
        Files.writeString(csv, "image,Anger,Happy\nx.png,0.5,0.5\n");
        return csv;
    }
}
