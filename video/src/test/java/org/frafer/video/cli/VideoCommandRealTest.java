package org.frafer.video.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.Assets;
import org.frafer.video.SyntheticClips;
import org.frafer.video.VideoFrame;
import org.frafer.video.VideoReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The video commands end to end on clips made from Yale faces: outputs of {@code video predict},
 * bad files among good ones, and the clip classifier trained and scored on a folder of clips.
 */
@Tag("slow")
@Tag("realdata")
class VideoCommandRealTest {
    @TempDir Path tmp;
    Path yale;

    @BeforeEach
    void data() {
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(
                data != null && Files.isDirectory(data.resolve("yalefaces")),
                "skipped: Yale faces absent; set FRAFER_DATA (or -Dfrafer.data) to the shared data root");
        Assumptions.assumeTrue(
                Assets.present("human-models/models/blazeface-back.json")
                        && Assets.present("human-models/models/faceres.json"),
                "skipped: BlazeFace / FaceRes models missing under "
                        + Assets.root()
                        + " (run bin/setup)");
        yale = data.resolve("yalefaces");
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code =
                    new CommandLine(new VideoCommand())
                            .setCaseInsensitiveEnumValuesAllowed(true)
                            .execute(args);
            return new Run(
                    code,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void predictWritesRowsSummariesTimelinesAndAnAnnotatedVideo() throws Exception {
        Path clip = tmp.resolve("two.mp4");
        SyntheticClips.twoPeople(yale, 3, 4, clip, 6);
        Path bad = Files.writeString(tmp.resolve("broken.avi"), "not a video at all");
        Path out = tmp.resolve("out");
        Path ann = tmp.resolve("ann");
        Run r =
                run(
                        "predict",
                        clip.toString(),
                        bad.toString(),
                        "--fps",
                        "5",
                        "--out",
                        out.toString(),
                        "--format",
                        "csv",
                        "--annotate",
                        ann.toString());
        assertEquals(1, r.code(), "a failed file makes the exit code 1; " + r.err());
        assertTrue(r.err().contains("error: " + bad + ": not a readable video"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
        // the good clip was analysed all the same: 24 frames at 10 frames/s = 2.4 s, 5 frames/s ->
        // 12 frames
        List<String> rows = Files.readAllLines(out.resolve("two.frames.csv"));
        assertTrue(
                rows.get(0)
                        .startsWith(
                                "time,frame,track,x,y,width,height,face_score,emotion,score,p_Anger"),
                rows.get(0));
        assertEquals(
                1 + 6 + 3 + 6 + 3,
                rows.size(),
                "one row per face: two faces in shots 1 and 3, one in shots 2 and 4");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("two.tracks.json").toFile());
        assertEquals(2, summary.get("tracks").size());
        assertEquals(12, summary.get("analysedFrames").asInt());
        assertTrue(
                Files.size(out.resolve("two.track-1.png")) > 1000
                        && Files.size(out.resolve("two.track-2.png")) > 1000);
        assertTrue(r.out().contains(clip + "\t1\t") && r.out().contains(clip + "\t2\t"), r.out());
        int frames = 0;
        try (VideoReader v =
                VideoReader.open(
                        ann.resolve("two.annotated.mp4"), VideoReader.Options.everyFrame())) {
            VideoFrame f;
            while ((f = v.next()) != null) {
                frames++;
                assertEquals(800, f.image().getWidth());
            }
        }
        assertEquals(12, frames, "the annotated video has the analysed frames");

        // Existing outputs are never overwritten.
        Run again = run("predict", clip.toString(), "--out", out.toString(), "--format", "csv");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("two.frames.csv: exists"), again.err());
    }

    @Test
    void clipClassifierTrainsAndScoresOnAFolderOfClips() throws Exception {
        Path afew = tmp.resolve("afew");
        SyntheticClips.afewLayout(
                yale, afew, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), List.of(11, 12, 13, 14, 15), 3);
        Path clf = tmp.resolve("clf");
        Run train = run("train", "--data", afew.toString(), "--out", clf.toString(), "--fps", "0");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("trained on 40 clips"), train.out() + train.err());
        assertTrue(Files.isRegularFile(clf.resolve("clip-classifier.liblinear")));
        Path report = tmp.resolve("report.json");
        Run eval =
                run(
                        "evaluate",
                        "--data",
                        afew.toString(),
                        "--classifier",
                        clf.toString(),
                        "--fps",
                        "0",
                        "--report",
                        report.toString());
        assertEquals(0, eval.code(), eval.err());
        JsonNode rep = new ObjectMapper().readTree(report.toFile());
        assertEquals(20, rep.get("clips").asInt());
        double acc = rep.get("accuracy").asDouble();
        // 4 classes (chance 25 %) on 5 people never seen in training.
        assertTrue(acc >= 0.5, "clip accuracy " + acc + ": " + eval.out());
        System.out.println(
                "clip classifier on Yale clips (train subjects 1-10, test 11-15): " + eval.out());

        Run predict =
                run(
                        "predict",
                        afew.resolve("Val/Happy/subject11_happy.avi").toString(),
                        "--clip",
                        "--classifier",
                        clf.toString(),
                        "--fps",
                        "0");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(
                predict.out().lines().anyMatch(l -> l.contains("subject11_happy.avi\t1\t")),
                predict.out());
        Run refused = run("train", "--data", afew.toString(), "--out", clf.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("already has a clip classifier"), refused.err());
    }
}
