package org.frafer.cli;

import static org.frafer.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.frafer.testing.CliRun.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --recipe distill} end to end on a tiny folder dataset (teacher: a random-weight
 * tf_efficientnet_b0, which needs no assets), {@code train --resume} reusing the teacher cache, and
 * {@code faces identify-eval} reading the student.
 */
class DistillCliTest {
    private static void images(Path dir, int n, int seed) throws Exception {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            BufferedImage im = new BufferedImage(36, 36, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 36; y++) {
                for (int x = 0; x < 36; x++) {
                    im.setRGB(x, y, r.nextInt(0x1000000) & (seed * 0x3f3f3f));
                }
            }
            ImageIO.write(im, "png", dir.resolve((i + 1) + ".png").toFile());
        }
    }

    @Test
    void distillResumeAndIdentifyEval(@TempDir Path tmp) throws Exception {
        images(tmp.resolve("data/train/neutral"), 3, 1);
        images(tmp.resolve("data/train/happiness"), 3, 2);
        images(tmp.resolve("faces/s1"), 2, 3);
        images(tmp.resolve("faces/s2"), 2, 4);
        String out = tmp.resolve("run").toString();
        Run r =
                run(
                        "train",
                        "--recipe",
                        "distill",
                        "--teacher",
                        "tf_efficientnet_b0",
                        "--data",
                        tmp.resolve("data").toString(),
                        "--format",
                        "folder",
                        "--no-val",
                        "--faces",
                        tmp.resolve("faces").toString(),
                        "--input-size",
                        "32",
                        "--batch",
                        "5",
                        "--epochs",
                        "1",
                        "--out",
                        out,
                        "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("on 10 face images"), r.err());
        assertTrue(
                r.err().contains("10 embeddings (1280-d) of tf_efficientnet_b0 computed"), r.err());
        assertTrue(r.err().contains("done: 2 steps"), r.err());
        Path student = tmp.resolve("run/model/student.safetensors");
        assertTrue(Files.isRegularFile(student));

        Run again = run("train", "--resume", out);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("reusing 10 embeddings"), again.err());
        assertTrue(again.err().contains("nothing left to train"), again.err());

        Run id =
                run(
                        "faces",
                        "identify-eval",
                        tmp.resolve("faces").toString(),
                        "--model",
                        "tf_efficientnet_b0",
                        "--weights",
                        student.toString(),
                        "--gallery",
                        "1");
        assertEquals(0, id.code(), id.err());
        assertTrue(
                id.out()
                                .contains(
                                        "2 identities, 2 gallery / 2 probe images, model tf_efficientnet_b0")
                        && id.out().contains("rank-1 = "),
                id.out());
        Run noWeights =
                run(
                        "faces",
                        "identify-eval",
                        tmp.resolve("faces").toString(),
                        "--model",
                        "tf_efficientnet_b0");
        assertEquals(2, noWeights.code());
        assertTrue(noWeights.err().contains("needs --weights FILE"), noWeights.err());
        Run noTeacher =
                run(
                        "train",
                        "--recipe",
                        "distill",
                        "--teacher",
                        "nobody",
                        "--data",
                        tmp.resolve("data").toString(),
                        "--format",
                        "folder",
                        "--no-val",
                        "--out",
                        tmp.resolve("run2").toString());
        assertEquals(
                ExitCodes.USAGE,
                noTeacher.code(),
                noTeacher.err()); // a configuration error (README: exit codes)
        assertTrue(noTeacher.err().contains("unknown --teacher 'nobody'"), noTeacher.err());
    }
}
