package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.frafer.data.DatasetSpec.Format;
import org.frafer.data.DatasetSpec.LabelMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
public class DatasetsTest {
    @TempDir Path dir;

    static final List<String> E8 = EmotionClasses.EIGHT;
    static final List<String> E7 = EmotionClasses.SEVEN;

    public static Path png(Path file) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(
                    new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------ AffectNet

    static final String AFFECTNET_HEADER =
            "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal,subject";

    Path affectNet(String... rows) throws IOException {
        Path root = dir.resolve("affectnet");
        Path images = root.resolve("Manually_Annotated_Images");
        for (String n : List.of("1/a.png", "1/b.png", "2/c.png", "2/d.png", "3/e.png", "3/f.png")) {
            png(images.resolve(n));
        }
        Files.writeString(
                root.resolve("training.csv"),
                AFFECTNET_HEADER + "\n" + String.join("\n", rows) + "\n");
        return root;
    }

    @Test
    void affectNetLabelsBoxesAndSkippedExpressions() throws IOException {
        Path root =
                affectNet(
                        "1/a.png,1,2,5,6,\"1.5;2.5,3\",1,0.5,0.2,p1", // happiness (landmarks field
                        // quoted, with a comma)
                        "1/b.png,0,0,8,8,,6,0,0,p2", // anger
                        "2/c.png,0,0,8,8,,7,0,0,p1", // contempt
                        "2/d.png,0,0,8,8,,8,0,0,p3", // none
                        "3/e.png,0,0,8,8,,9,0,0,p3", // uncertain
                        "3/f.png,0,0,8,8,,10,0,0,p3"); // no-face
        LoadedDataset d =
                Datasets.open(DatasetSpec.of(Format.AFFECTNET, root).withSubjectColumn("subject"));
        assertEquals(E8, d.classes());
        assertEquals(3, d.samples().size());
        FaceSample a = d.samples().get(0);
        assertEquals(root.resolve("Manually_Annotated_Images/1/a.png"), a.image());
        assertArrayEquals(new int[] {1, 2, 5, 6}, a.box());
        assertEquals(E8.indexOf("Happiness"), a.label());
        assertEquals("p1", a.subject());
        assertEquals(E8.indexOf("Anger"), d.samples().get(1).label());
        assertEquals(E8.indexOf("Contempt"), d.samples().get(2).label());
        assertEquals(3, d.dropped().get("expression >= 8 (none/uncertain/no-face)"));

        LoadedDataset d7 = Datasets.open(DatasetSpec.of(Format.AFFECTNET, root).withClasses(7));
        assertEquals(E7, d7.classes());
        assertEquals(2, d7.samples().size());
        assertEquals(E7.indexOf("Happiness"), d7.samples().get(0).label());
        assertEquals(E7.indexOf("Anger"), d7.samples().get(1).label());
        assertEquals(1, d7.dropped().get("Contempt (not in 7-class mode)"));
        assertNull(d7.samples().get(0).subject());
    }

    @Test
    void affectNetEveryExpressionIdMapsToTheCanonicalClass() throws IOException {
        String[] names = {
            "Neutral", "Happiness", "Sadness", "Surprise", "Fear", "Disgust", "Anger", "Contempt"
        };
        StringBuilder rows = new StringBuilder();
        for (int id = 0; id < 8; id++) {
            rows.append(id == 0 ? "" : "\n")
                    .append("1/a.png,0,0,8,8,,")
                    .append(id)
                    .append(",0,0,x");
        }
        LoadedDataset d =
                Datasets.open(DatasetSpec.of(Format.AFFECTNET, affectNet(rows.toString())));
        for (int id = 0; id < 8; id++) {
            assertEquals(E8.indexOf(names[id]), d.samples().get(id).label(), "AffectNet id " + id);
        }
    }

    @Test
    void affectNetMalformedRowNamesFileAndLine() throws IOException {
        Path root =
                affectNet(
                        "1/a.png,0,0,8,8,,1,0,0,p",
                        "1/b.png,abc,0,8,8,,1,0,0,p",
                        "2/c.png,0,0,8,8,,1,0,0,p");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.AFFECTNET, root)));
        assertTrue(
                e.getMessage().contains("training.csv line 3")
                        && e.getMessage().contains("face_x 'abc'"),
                e.getMessage());
        LoadedDataset d =
                Datasets.open(DatasetSpec.of(Format.AFFECTNET, root).withSkipBadRows(true));
        assertEquals(2, d.samples().size());
        assertEquals(Map.of("malformed row", 1), d.dropped());

        Path short_ = affectNet("1/a.png,0,0,8,8");
        DatasetException e2 =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.AFFECTNET, short_)));
        assertTrue(
                e2.getMessage().contains("line 2")
                        && e2.getMessage().contains("5 fields, the header has 10"),
                e2.getMessage());
    }

    @Test
    void affectNetMissingImageNamesPathAndLine() throws IOException {
        Path root = affectNet("1/a.png,0,0,8,8,,1,0,0,p", "9/missing.jpg,0,0,8,8,,1,0,0,p");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.AFFECTNET, root)));
        assertTrue(
                e.getMessage().contains("line 3")
                        && e.getMessage().contains("missing.jpg")
                        && e.getMessage().contains("not found"),
                e.getMessage());
        LoadedDataset d =
                Datasets.open(DatasetSpec.of(Format.AFFECTNET, root).withSkipBadRows(true));
        assertEquals(1, d.samples().size());
        assertEquals(1, d.dropped().get("missing image file"));
    }

    @Test
    void affectNetMissingColumnAndMissingCsv() throws IOException {
        Path root = affectNet("1/a.png,0,0,8,8,,1,0,0,p");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.AFFECTNET, root)
                                                .withSubjectColumn("person")));
        assertTrue(e.getMessage().contains("no column 'person'"), e.getMessage());
        DatasetException e2 =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.AFFECTNET, root).withSplit("valid")));
        assertTrue(e2.getMessage().contains("validation.csv not found"), e2.getMessage());
    }

    // ------------------------------------------------------------ FER+ majority rule

    static int[] v(int... votes) {
        return votes;
    }

    @Test
    void ferPlusMajorityRule() {
        // clear majority
        assertEquals(0, FerPlusVotes.majority(v(6, 2, 0, 0, 0, 0, 0, 0, 2, 0)));
        // votes of 1 are dropped: 4 of 10 raw votes, but 4 of 4 after cleaning
        assertEquals(0, FerPlusVotes.majority(v(4, 1, 1, 1, 1, 1, 1, 0, 0, 0)));
        // votes of 1 only: nothing left -> excluded
        assertEquals(-1, FerPlusVotes.majority(v(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        // tie 5-5: neither has more than half
        assertEquals(-1, FerPlusVotes.majority(v(5, 5, 0, 0, 0, 0, 0, 0, 0, 0)));
        // exactly half is not more than half
        assertEquals(-1, FerPlusVotes.majority(v(4, 0, 2, 2, 0, 0, 0, 0, 0, 0)));
        // unknown / not-a-face winners are excluded
        assertEquals(-1, FerPlusVotes.majority(v(2, 0, 0, 0, 0, 0, 0, 0, 8, 0)));
        assertEquals(-1, FerPlusVotes.majority(v(0, 0, 0, 0, 0, 0, 0, 0, 0, 10)));
        // unknown votes still count in the total: 5 of 10 is not a majority
        assertEquals(-1, FerPlusVotes.majority(v(0, 5, 0, 0, 0, 0, 0, 0, 5, 0)));
        // contempt can win
        assertEquals(7, FerPlusVotes.majority(v(2, 0, 0, 0, 0, 0, 0, 7, 1, 0)));
        float[] d = FerPlusVotes.distribution(v(6, 3, 0, 1, 0, 0, 0, 0, 0, 0));
        assertArrayEquals(new float[] {6 / 9f, 3 / 9f, 0, 0, 0, 0, 0, 0}, d, 1e-6f);
    }

    Path ferPlus(String split, String... rows) throws IOException {
        Path root = dir.resolve("ferplus");
        Path folder = root.resolve(split);
        for (String row : rows) {
            String name = row.substring(0, row.indexOf(','));
            if (!name.isBlank() && !name.startsWith("gone")) {
                png(folder.resolve(name));
            }
        }
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("label.csv"), String.join("\n", rows) + "\n");
        return root;
    }

    @Test
    void ferPlusMajorityAndSoftLabels() throws IOException {
        Path root =
                ferPlus(
                        "FER2013Valid",
                        "fer0.png,\"(0, 0, 48, 48)\",6,3,0,1,0,0,0,0,0,0", // neutral; soft N 6/9, H
                        // 3/9
                        "fer1.png,\"(0, 0, 48, 48)\",5,5,0,0,0,0,0,0,0,0", // tie -> excluded
                        "fer2.png,\"(0, 0, 48, 48)\",0,0,0,0,0,0,0,0,9,1", // unknown -> excluded
                        "fer3.png,\"(0, 0, 48, 48)\",2,0,0,0,0,0,0,6,0,0", // contempt; soft N .25 C
                        // .75
                        "fer4.png,\"(1, 2, 40, 44)\",0,0,7,0,0,0,3,0,0,0"); // surprise; soft Su .7
        // F .3
        LoadedDataset d = Datasets.open(DatasetSpec.of(Format.FERPLUS, root).withSplit("valid"));
        assertEquals(3, d.samples().size());
        assertEquals(E8.indexOf("Neutral"), d.samples().get(0).label());
        assertEquals(E8.indexOf("Contempt"), d.samples().get(1).label());
        assertEquals(E8.indexOf("Surprise"), d.samples().get(2).label());
        assertArrayEquals(new int[] {1, 2, 40, 44}, d.samples().get(2).box());
        assertNull(d.samples().get(0).softLabel());
        assertEquals(2, d.dropped().get("no majority / unknown / not-a-face (FER+ majority rule)"));
        assertTrue(d.name().contains("FER2013Valid"), d.name());

        LoadedDataset soft =
                Datasets.open(
                        DatasetSpec.of(Format.FERPLUS, root)
                                .withSplit("valid")
                                .withLabelMode(LabelMode.SOFT));
        assertEquals(3, soft.samples().size());
        float[] s0 = new float[8];
        s0[E8.indexOf("Neutral")] = 6 / 9f;
        s0[E8.indexOf("Happiness")] = 3 / 9f;
        assertArrayEquals(s0, soft.samples().get(0).softLabel(), 1e-6f);
        float[] s1 = new float[8];
        s1[E8.indexOf("Neutral")] = 0.25f;
        s1[E8.indexOf("Contempt")] = 0.75f;
        assertArrayEquals(s1, soft.samples().get(1).softLabel(), 1e-6f);

        // 7 classes: the contempt image is dropped, contempt votes of others removed and
        // renormalised
        Path root7 =
                ferPlus(
                        "FER2013Test",
                        "fer0.png,\"(0, 0, 48, 48)\",6,0,0,0,0,0,0,2,0,0",
                        "fer3.png,\"(0, 0, 48, 48)\",2,0,0,0,0,0,0,6,0,0");
        LoadedDataset d7 =
                Datasets.open(
                        DatasetSpec.of(Format.FERPLUS, root7)
                                .withSplit("test")
                                .withClasses(7)
                                .withLabelMode(LabelMode.SOFT));
        assertEquals(1, d7.samples().size());
        assertEquals(E7.indexOf("Neutral"), d7.samples().get(0).label());
        float[] n7 = new float[7];
        n7[E7.indexOf("Neutral")] = 1f;
        assertArrayEquals(n7, d7.samples().get(0).softLabel(), 1e-6f);
        assertEquals(1, d7.dropped().get("Contempt (not in 7-class mode)"));
    }

    @Test
    void ferPlusBadRowsAndMissingImages() throws IOException {
        Path root =
                ferPlus(
                        "FER2013Train",
                        "fer0.png,\"(0, 0, 48, 48)\",6,3,0,1,0,0,0,0,0,0",
                        "fer1.png,\"(0, 0, 48, 48)\",6,3,0,1,0,0,0,0,0",
                        "fer2.png,\"0 0 48 48\",6,3,0,1,0,0,0,0,0,0",
                        "gone.png,\"(0, 0, 48, 48)\",6,3,0,1,0,0,0,0,0,0");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.FERPLUS, root)));
        assertTrue(
                e.getMessage().contains("label.csv line 2") && e.getMessage().contains("11 fields"),
                e.getMessage());
        LoadedDataset d = Datasets.open(DatasetSpec.of(Format.FERPLUS, root).withSkipBadRows(true));
        assertEquals(1, d.samples().size());
        assertEquals(2, d.dropped().get("malformed row"));
        assertEquals(1, d.dropped().get("missing image file"));
        Path only4 = ferPlus("FER2013Valid", "gone.png,\"(0, 0, 48, 48)\",6,3,0,1,0,0,0,0,0,0");
        DatasetException e2 =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.FERPLUS, only4).withSplit("valid")));
        assertTrue(
                e2.getMessage().contains("gone.png") && e2.getMessage().contains("line 1"),
                e2.getMessage());
        DatasetException e3 =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.FERPLUS, root).withSplit("holdout")));
        assertTrue(e3.getMessage().contains("train, valid or test"), e3.getMessage());
    }

    // ------------------------------------------------------------ class-per-folder

    @Test
    void folderClassNamesAreMappedToCanonicalOrder() throws IOException {
        Path root = dir.resolve("faces");
        png(root.resolve("Angry/s01_a.png"));
        png(root.resolve("happy/s02_b.png"));
        png(root.resolve("happy/sub/s01_c.jpg.png"));
        png(root.resolve("CONTEMPT/s03_d.png"));
        png(root.resolve("Surprised/s02_e.png"));
        Files.writeString(root.resolve("happy/readme.txt"), "not an image");
        Files.writeString(root.resolve("notes.txt"), "ignored");
        LoadedDataset d =
                Datasets.open(
                        DatasetSpec.of(Format.FOLDER, root).withSubjectPattern("(?:^|/)(s\\d+)_"));
        assertEquals(5, d.samples().size());
        int[] counts = d.classCounts();
        assertEquals(1, counts[E8.indexOf("Anger")]);
        assertEquals(2, counts[E8.indexOf("Happiness")]);
        assertEquals(1, counts[E8.indexOf("Contempt")]);
        assertEquals(1, counts[E8.indexOf("Surprise")]);
        for (FaceSample s : d.samples()) {
            String file = s.image().getFileName().toString();
            assertEquals(file.substring(0, 3), s.subject(), file);
            assertNull(s.box());
        }
        LoadedDataset d7 = Datasets.open(DatasetSpec.of(Format.FOLDER, root).withClasses(7));
        assertEquals(4, d7.samples().size());
        assertEquals(1, d7.dropped().get("Contempt (not in 7-class mode)"));
        assertEquals(2, d7.classCounts()[E7.indexOf("Happiness")]);
    }

    @Test
    void folderUnknownClassNamesAreListed() throws IOException {
        Path root = dir.resolve("faces");
        png(root.resolve("happy/a.png"));
        png(root.resolve("bored/b.png"));
        png(root.resolve("calm/c.png"));
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.FOLDER, root)));
        String m = e.getMessage();
        assertTrue(
                m.contains("[bored, calm]") && m.contains("happy") && m.contains("surprised"), m);
    }

    @Test
    void folderSplitAndSubjectPatternErrors() throws IOException {
        Path root = dir.resolve("faces");
        png(root.resolve("train/sad/s01_a.png"));
        png(root.resolve("train/sad/nosubject.png"));
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.FOLDER, root)
                                                .withSplit("train")
                                                .withSubjectPattern("^\\w+/(s\\d+)_")));
        assertTrue(
                e.getMessage().contains("nosubject.png")
                        && e.getMessage().contains("does not match"),
                e.getMessage());
        LoadedDataset d =
                Datasets.open(
                        DatasetSpec.of(Format.FOLDER, root)
                                .withSplit("train")
                                .withSubjectPattern("^\\w+/(s\\d+)_")
                                .withSkipBadRows(true));
        assertEquals(1, d.samples().size());
        assertEquals("s01", d.samples().get(0).subject());
        assertThrows(
                DatasetException.class,
                () -> Datasets.open(DatasetSpec.of(Format.FOLDER, root).withSplit("test")));
        assertThrows(
                IllegalArgumentException.class,
                () -> DatasetSpec.of(Format.FOLDER, root).withSubjectPattern("s\\d+"));
    }

    @Test
    void limitFirstOrRandomSubset() throws IOException {
        Path root = dir.resolve("faces");
        for (int i = 0; i < 20; i++) {
            png(root.resolve("neutral/" + String.format("%02d", i) + ".png"));
        }
        LoadedDataset first = Datasets.open(DatasetSpec.of(Format.FOLDER, root).withLimit(5));
        assertEquals(5, first.samples().size());
        assertEquals("04.png", first.samples().get(4).image().getFileName().toString());
        assertEquals(15, first.dropped().get("beyond limit 5"));
        List<FaceSample> r1 =
                Datasets.open(DatasetSpec.of(Format.FOLDER, root).withRandomSubset(5, 1)).samples();
        List<FaceSample> r1again =
                Datasets.open(DatasetSpec.of(Format.FOLDER, root).withRandomSubset(5, 1)).samples();
        List<FaceSample> r2 =
                Datasets.open(DatasetSpec.of(Format.FOLDER, root).withRandomSubset(5, 2)).samples();
        assertEquals(
                r1.stream().map(FaceSample::image).toList(),
                r1again.stream().map(FaceSample::image).toList());
        assertNotEquals(
                r1.stream().map(FaceSample::image).toList(),
                r2.stream().map(FaceSample::image).toList());
        for (int i = 1; i < r1.size(); i++) {
            assertTrue(
                    r1.get(i - 1).image().compareTo(r1.get(i).image()) < 0,
                    "subset keeps file order");
        }
    }

    @Test
    void specValidation() {
        assertThrows(
                IllegalArgumentException.class,
                () -> DatasetSpec.of(Format.FOLDER, dir).withClasses(6));
        assertThrows(
                IllegalArgumentException.class,
                () -> DatasetSpec.of(Format.FOLDER, dir).withLimit(-1));
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.FERPLUS, dir.resolve("nowhere"))));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertEquals(Format.FERPLUS, Format.parse("ferplus"));
        assertEquals(LabelMode.SOFT, LabelMode.parse("Soft"));
    }
}
