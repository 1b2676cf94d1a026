package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.frafer.Assets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer faces detect} on a folder mixing a real photo with bad inputs: each bad file is
 * reported, the rest go on.
 */
@Tag("unit")
class FacesCommandTest {

    @TempDir Path tmp;

    @Test
    void badInputsAreReportedPerFileAndDoNotStopTheOthers() throws Exception {
        Assumptions.assumeTrue(
                Assets.present("human-models/models/blazeface-back.json")
                        && Assets.present("samples/sample1.jpg"),
                "face models / sample photos not fetched (tools/fetch-assets.sh)");
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(Assets.require("samples/sample1.jpg"), in.resolve("a_group.jpg"));
        BufferedImage grey = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grey.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, 320, 240);
        g.dispose();
        ImageIO.write(grey, "png", in.resolve("b_noface.png").toFile());
        Files.writeString(in.resolve("c_broken.jpg"), "this is not a JPEG");
        Files.write(in.resolve("d_empty.jpg"), new byte[0]);
        Files.write(
                in.resolve("e_huge.png"),
                org.frafer.testing.TestFiles.pngHeaderOnly(20_000, 20_000));
        Path out = tmp.resolve("out");

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            code =
                    Main.commandLine()
                            .execute(
                                    "faces",
                                    "detect",
                                    in.toString(),
                                    tmp.resolve("missing.jpg").toString(),
                                    "--out",
                                    out.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String o = stdout.toString(StandardCharsets.UTF_8);
        String e = stderr.toString(StandardCharsets.UTF_8);
        System.out.println(o + e);
        assertEquals(1, code, "non-zero exit when an input failed");
        assertTrue(
                e.contains("c_broken.jpg") && e.contains("not an image in a supported format"), e);
        assertTrue(e.contains("d_empty.jpg") && e.contains("empty file (0 bytes)"), e);
        assertTrue(
                e.contains("e_huge.png")
                        && e.contains("20000x20000")
                        && e.contains("more than the cap"),
                e);
        assertTrue(o.contains("b_noface.png") && o.contains("no face found"), o);
        assertTrue(e.contains("missing.jpg: no such file or folder"), e);
        assertTrue(o.contains("2 image(s) processed") && o.contains("4 failed"), o);

        ObjectMapper json = new ObjectMapper();
        JsonNode group = json.readTree(out.resolve("a_group.json").toFile());
        assertEquals(1920, group.path("width").asInt());
        assertEquals(3, group.path("faces").size());
        JsonNode face = group.path("faces").get(0);
        assertTrue(face.path("score").asDouble() > 0.5);
        assertEquals(2, face.path("keypoints").path("rightEye").size());
        assertTrue(face.path("box").path("width").asDouble() > 50);
        assertEquals(0, json.readTree(out.resolve("b_noface.json").toFile()).path("faces").size());
        BufferedImage annotated = ImageIO.read(out.resolve("a_group.jpg").toFile());
        assertEquals(1280, annotated.getHeight());
        assertTrue(Files.notExists(out.resolve("c_broken.json")));
        try (var files = Files.list(out)) {
            assertTrue(
                    files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "no temp files left");
        }
    }

    @Test
    void maxPixelsIsConfigurable() throws Exception {
        Assumptions.assumeTrue(
                Assets.present("human-models/models/blazeface-front.json"),
                "face models not fetched");
        Path img = tmp.resolve("small.png");
        ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), "png", img.toFile());
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        int code;
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            System.setOut(
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            code =
                    Main.commandLine()
                            .execute(
                                    "faces",
                                    "detect",
                                    img.toString(),
                                    "--out",
                                    tmp.resolve("o").toString(),
                                    "--model",
                                    "front",
                                    "--max-pixels",
                                    "5000");
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        assertEquals(1, code);
        assertTrue(
                stderr.toString(StandardCharsets.UTF_8)
                        .contains("more than the cap of 5,000 pixels"),
                stderr.toString(StandardCharsets.UTF_8));
    }
}
