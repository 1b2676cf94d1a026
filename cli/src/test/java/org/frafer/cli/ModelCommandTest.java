package org.frafer.cli;

import static org.frafer.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.frafer.testing.CliRun.Run;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class ModelCommandTest {

    @Test
    void summaryShowsShapesAtPAndQAndParameterCounts() {
        Run r =
                run(
                        "model",
                        "summary",
                        "--fusion",
                        "fra",
                        "--classes",
                        "8",
                        "--p",
                        "2",
                        "--q",
                        "3",
                        "--input-size",
                        "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("H_FR_p  (FR layer 2)    (16, 112, 112)"), r.out());
        assertTrue(r.out().contains("H_FER_q (FER layer 3)   (24, 16, 16)"), r.out());
        assertTrue(r.out().contains("attention S             (1, 16, 16)"), r.out());
        assertTrue(
                r.out().contains("trainable     4,017,813  (FER 4,017,796 + fusion 17)"), r.out());
        assertTrue(r.out().contains("frozen FR     4,007,548"), r.out());
    }

    @Test
    void summaryShowsThePreActivationTap() {
        Run r = run("model", "summary", "--fusion", "fra", "--tap", "pre", "--input-size", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("q=1, tap=pre"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "<- q: fra fusion (tap pre: conv_stem output (before bn1+SiLU, signed))"),
                r.out());
        Run post = run("model", "summary", "--fusion", "fra-residual", "--input-size", "64");
        assertEquals(0, post.code(), post.err());
        assertTrue(
                post.out().contains("<- q: fra-residual fusion (tap post: the layer's output)"),
                post.out());
        assertTrue(post.out().contains("H_FR_p  (FR layer 1)"), post.out());
        Run bad = run("model", "summary", "--fusion", "none", "--tap", "pre", "--input-size", "64");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("tap 'pre' needs a feature-map fusion"), bad.err());
    }

    @Test
    void summaryCountsTheTfjsFrBackbone() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                org.frafer.Assets.present("human-models/models/faceres.json"),
                "face models not fetched (tools/fetch-assets.sh)");
        long count;
        try (var fr = org.frafer.faces.FaceModels.fr("hse-faceres")) {
            count = fr.parameterCount(); // = the float weights of faceres.json
            // (FrBackboneContractTest)
        }
        Run r =
                run(
                        "model",
                        "summary",
                        "--fusion",
                        "fra",
                        "--fr",
                        "hse-faceres",
                        "--p",
                        "1",
                        "--q",
                        "1",
                        "--input-size",
                        "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                count > 1_000_000
                        && r.out()
                                .contains(
                                        String.format(
                                                java.util.Locale.ROOT,
                                                "frozen FR  %12s  (hse-faceres, all layers; forward runs to layer 1 only)",
                                                ModelCommand.fmt(count))),
                r.out());
    }

    @Test
    void summaryOfTheFacePretrainedBackbone() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                org.frafer.Assets.present("human-models/models/faceres.json"),
                "face models not fetched (run tools/fetch-assets.sh)");
        Run r =
                run(
                        "model",
                        "summary",
                        "--arch",
                        "hse-faceres",
                        "--fusion",
                        "fra",
                        "--fr",
                        "hse-faceres",
                        "--input-size",
                        "112");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .contains(
                                " 1  stem (conv1 s2 + ReLU6)        (32, 56, 56)  <- q: fra fusion"),
                r.out());
        assertTrue(r.out().contains("14  block 13 (dw3x3 + pw1x1, ReLU6) (1024, 4, 4)"), r.out());
        assertTrue(
                r.out().contains("(1024 -> 8)")
                        && r.out().contains("attention S             (1, 56, 56)"),
                r.out());
        // MobileNet-v1 conv weights (3.2 M) + 1024x8 classifier + 8 biases + 1x1 attention conv (32
        // + 1)
        assertTrue(r.out().contains("+ fusion 33)"), r.out());
    }

    @Test
    void summaryOfASavedModelFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        org.frafer.model.ModelConfig c = new org.frafer.model.ModelConfig();
        c.fusion = "cse";
        c.q = 4;
        c.inputSize = 64;
        try (var net = org.frafer.model.Networks.create(c)) {
            net.save(tmp);
        }
        Run r = run("model", "summary", "--model", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("fusion cse")
                        && r.out().contains("H_FER_q (FER layer 4)   (40, 8, 8)"),
                r.out());
        assertTrue(r.out().contains("FR branch: none"), r.out());
    }

    @Test
    void convertWritesAHalfSizeFloat16ModelThatLoads(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        org.frafer.model.ModelConfig c = new org.frafer.model.ModelConfig();
        c.fusion = "none";
        c.inputSize = 64;
        try (var net = org.frafer.model.Networks.create(c)) {
            net.save(tmp.resolve("f32"));
        }
        Run r =
                run(
                        "model",
                        "convert",
                        "--model",
                        tmp.resolve("f32").toString(),
                        "--out",
                        tmp.resolve("f16").toString());
        assertEquals(0, r.code(), r.err());
        long big = java.nio.file.Files.size(tmp.resolve("f32/model.safetensors"));
        long small = java.nio.file.Files.size(tmp.resolve("f16/model.safetensors"));
        assertTrue(small < 0.52 * big && small > 0.45 * big, big + " -> " + small);
        try (var net = org.frafer.model.Networks.load(tmp.resolve("f16"))) {
            assertEquals("none", net.config().fusion);
        }
        r =
                run(
                        "model",
                        "convert",
                        "--model",
                        tmp.resolve("f32").toString(),
                        "--out",
                        tmp.resolve("x").toString(),
                        "--dtype",
                        "bf16");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("f16 or f32"), r.err());
    }

    @Test
    void badOptionsGiveAMessageAndExitCode2() {
        Run r = run("model", "summary", "--fusion", "film");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("fusion 'film'"), r.err());
        r = run("model", "summary", "--fr", "nobody");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown FR backbone 'nobody'"), r.err());
    }
}
