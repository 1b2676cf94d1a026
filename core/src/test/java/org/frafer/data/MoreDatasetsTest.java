package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.frafer.Assets;
import org.frafer.data.DatasetSpec.Format;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facial-expressions and SFEW readers, their person/movie-disjoint splits, and the real counts
 * when the data is there.
 */
public class MoreDatasetsTest {
    @TempDir Path dir;

    public static Path facialExpressions(Path dir, String... rows) throws IOException {
        Path root = dir.resolve("fe");
        for (String n :
                List.of(
                        "George_W_Bush_0001.jpg",
                        "George_W_Bush_0002.jpg",
                        "Colin_Powell_0001.jpg",
                        "HrithikRoshan_12.jpg",
                        "HrithikRoshan_7.jpg",
                        "facial-expressions_2868588k.jpg")) {
            DatasetsTest.png(root.resolve("images").resolve(n));
        }
        Files.writeString(
                root.resolve("legend.csv"),
                "user.id,image,emotion\n" + String.join("\n", rows) + "\n");
        return root;
    }

    @Test
    void facialExpressionsCaseFoldsLabelsAndTakesThePersonFromTheFileName() throws IOException {
        Path root =
                facialExpressions(
                        dir,
                        "628,George_W_Bush_0001.jpg,HAPPINESS",
                        "628,George_W_Bush_0002.jpg,neutral",
                        "1,Colin_Powell_0001.jpg,Anger",
                        "2,Colin_Powell_0001.jpg,anger", // same label twice: read once
                        "3,HrithikRoshan_12.jpg,SURPRISE",
                        "4,HrithikRoshan_12.jpg,sadness", // conflicting: both left out
                        "5,HrithikRoshan_7.jpg,contempt",
                        "6,facial-expressions_2868588k.jpg,fear");
        LoadedDataset ds = Datasets.open(DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root));
        assertEquals(5, ds.samples().size(), ds.summary());
        assertArrayEquals(new int[] {1, 1, 0, 1, 1, 1, 0, 0}, ds.classCounts(), ds.summary());
        assertEquals(
                Map.of(
                        "listed twice with the same label (kept once)",
                        1,
                        "listed twice with different labels",
                        2),
                ds.dropped());
        Map<String, String> subjects = new LinkedHashMap<>();
        ds.samples().forEach(s -> subjects.put(s.image().getFileName().toString(), s.subject()));
        assertEquals("George_W_Bush", subjects.get("George_W_Bush_0001.jpg"));
        assertEquals("HrithikRoshan", subjects.get("HrithikRoshan_7.jpg"));
        assertEquals(
                "facial-expressions_2868588k", subjects.get("facial-expressions_2868588k.jpg"));

        LoadedDataset seven =
                Datasets.open(DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root).withClasses(7));
        assertEquals(4, seven.samples().size());
        assertEquals(1, seven.dropped().get("Contempt (not in 7-class mode)"));
    }

    @Test
    void facialExpressionsBadRowsNameTheFileAndLine() throws IOException {
        Path root =
                facialExpressions(
                        dir,
                        "1,George_W_Bush_0001.jpg,happy",
                        "2,George_W_Bush_0002.jpg,bored",
                        "3,Nobody_0001.jpg,neutral");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Datasets.open(DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root)));
        assertTrue(
                e.getMessage().contains("legend.csv line 3: unknown emotion 'bored'"),
                e.getMessage());
        LoadedDataset ds =
                Datasets.open(
                        DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root).withSkipBadRows(true));
        assertEquals(1, ds.samples().size());
        assertEquals(Map.of("malformed row", 1, "missing image file", 1), ds.dropped());
        DatasetException split =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Datasets.open(
                                        DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root)
                                                .withSplit("dev")));
        assertTrue(
                split.getMessage().contains("split must be train, valid, test or all"),
                split.getMessage());
    }

    @Test
    void sfewSubjectIsTheMovieAndSeriesCountAsOne() {
        assertEquals("AlexEmma", Sfew.movie("AlexEmma_000225840_00000024.png"));
        assertEquals("Oceans", Sfew.movie("OceansThirteen-010619400_00000087.png"));
        assertEquals("IAmSam", Sfew.movie("IAmSam_013827920__00000055.png"));
        assertEquals("50_50", Sfew.movie("50_50_001805320_00000009.png"));
        assertEquals(
                "HarryPotter", Sfew.movie("HarryPotter_Deathly_Hallows_1_000046280_00000017.png"));
        assertEquals(
                "HarryPotter", Sfew.movie("HarryPotterAndOrderOPhoenix_015256413_00000011.png"));
        assertEquals("odd", Sfew.movie("odd.png"));
    }

    @Test
    void sfewSplitsNeverShareAMovie() {
        Path root = dir.resolve("sfew");
        String[] classes = {"Angry", "Happy", "Sad", "Neutral"};
        int n = 0;
        for (int movie = 0; movie < 40; movie++) {
            for (int clip = 0; clip <= movie % 4; clip++) {
                DatasetsTest.png(
                        root.resolve("Train")
                                .resolve(classes[n++ % 4])
                                .resolve(
                                        "Movie"
                                                + movie
                                                + "_00012"
                                                + clip
                                                + "_0000000"
                                                + clip
                                                + ".png"));
            }
        }
        LoadedDataset all = Datasets.open(DatasetSpec.of(Format.SFEW, root));
        assertEquals(n, all.samples().size());
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (String split : List.of("train", "valid", "test")) {
            LoadedDataset part =
                    Datasets.open(
                            DatasetSpec.of(Format.SFEW, root.resolve("Train")).withSplit(split));
            Set<String> movies = new HashSet<>();
            part.samples().forEach(s -> movies.add(s.subject()));
            for (String m : movies) {
                assertTrue(seen.add(m), "movie " + m + " in two splits");
            }
            total += part.samples().size();
            if (!split.equals("train")) {
                // at least 10 % of the faces, overshooting by less than one movie (at most 4 faces)
                assertTrue(
                        part.samples().size() >= 0.1 * n && part.samples().size() < 0.1 * n + 4,
                        split + " " + part.samples().size());
            }
        }
        assertEquals(n, total);
        assertEquals(40, seen.size());
    }

    @Test
    void assignmentIsStableAndPutsEachSubjectInOneSplit() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            sizes.put("person" + i, 1 + i % 7);
        }
        Map<String, String> a = SubjectSplit.assign(sizes);
        Map<String, Integer> reversed = new LinkedHashMap<>();
        List<String> keys = List.copyOf(sizes.keySet());
        for (int i = keys.size() - 1; i >= 0; i--) {
            reversed.put(keys.get(i), sizes.get(keys.get(i)));
        }
        assertEquals(
                a,
                SubjectSplit.assign(reversed),
                "the split must not depend on the order subjects are read");
        long total = sizes.values().stream().mapToLong(Integer::longValue).sum();
        Map<String, Long> per = new LinkedHashMap<>();
        a.forEach((s, split) -> per.merge(split, (long) sizes.get(s), Long::sum));
        assertTrue(
                per.get("test") >= 0.1 * total && per.get("test") < 0.1 * total + 7,
                per.toString());
        assertTrue(
                per.get("valid") >= 0.1 * total && per.get("valid") < 0.1 * total + 7,
                per.toString());
        // the first 8 bytes of SHA-256("person0"), big-endian, from Python's hashlib: the split
        // must never change silently
        assertEquals(-4640373349004193770L, SubjectSplit.hash("person0"));
    }

    // ------------------------------------------------------------ real data (FRAFER_DATA)

    static Path shared(String sub) {
        Path root = Assets.dataRoot();
        Assumptions.assumeTrue(
                root != null && Files.isDirectory(root.resolve(sub)),
                sub
                        + " not available: set FRAFER_DATA (or -Dfrafer.data) to the shared data folder");
        return root.resolve(sub);
    }

    @Test
    void realFacialExpressionsCounts() {
        Path root = shared("facial_expressions");
        LoadedDataset all = Datasets.open(DatasetSpec.of(Format.FACIAL_EXPRESSIONS, root));
        // README counts (13,690 rows) less 7 duplicate rows and the 2 rows of one image with two
        // labels
        assertEquals(13681, all.samples().size(), all.summary());
        assertArrayEquals(
                new int[] {252, 9, 208, 21, 5693, 6864, 267, 367},
                all.classCounts(),
                all.summary());
        checkDisjointSplits(Format.FACIAL_EXPRESSIONS, root, all.samples().size());
    }

    @Test
    void realSfewCounts() {
        Path root = shared("sfew");
        LoadedDataset all = Datasets.open(DatasetSpec.of(Format.SFEW, root));
        assertArrayEquals(
                new int[] {172, 0, 49, 76, 176, 142, 151, 93}, all.classCounts(), all.summary());
        checkDisjointSplits(Format.SFEW, root, 859);
    }

    private static void checkDisjointSplits(Format format, Path root, int total) {
        Map<String, String> subjectSplit = new LinkedHashMap<>();
        int sum = 0;
        for (String split : List.of("train", "valid", "test")) {
            LoadedDataset part = Datasets.open(DatasetSpec.of(format, root).withSplit(split));
            for (FaceSample s : part.samples()) {
                String before = subjectSplit.putIfAbsent(s.subject(), split);
                assertTrue(
                        before == null || before.equals(split),
                        s.subject() + " in " + before + " and " + split);
            }
            if (!split.equals("train")) {
                assertTrue(part.samples().size() >= 0.1 * total, split + ": " + part.summary());
            }
            sum += part.samples().size();
        }
        assertEquals(total, sum);
    }
}
