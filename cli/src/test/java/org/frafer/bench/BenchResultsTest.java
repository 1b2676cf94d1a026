package org.frafer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Parsing of the peers' JSON lines, per-round ratios and the printed table (no timing here). */
@Tag("unit")
class BenchResultsTest {
    /** A line as tools/bench/torch_bench.py prints it (trimmed of fields we ignore). */
    private static final String TORCH =
            "{\"framework\": \"pytorch-eager\", \"torch\": \"2.7.1+cu126\", \"threads\": 2, \"size\": 224, "
                    + "\"model\": \"fra-fer(tf_efficientnet_b0, FR stem)\", \"fra\": true, \"mode\": \"inference\", \"batch\": 32, \"callsPerRep\": 1, "
                    + "\"imagesPerSecond\": {\"min\": 80.5, \"median\": 90.25, \"max\": 95.0}, \"bestCallImagesPerSecond\": 95.0, "
                    + "\"secondsPerCall\": {\"min\": 0.33, \"median\": 0.35, \"max\": 0.39}, \"loadAverage1m\": 2.5}";

    /** A line as tools/bench/tfjs-pipeline/tfjs-pipeline.js prints it. */
    private static final String TFJS =
            "{\"framework\":\"tfjs-wasm\",\"images\":6,\"case\":\"decode+detect+emotion\",\"facesPerPass\":24,"
                    + "\"facesPerSecond\":{\"min\":5.07,\"median\":7.9,\"max\":8.62},\"imagesPerSecond\":{\"min\":1.27,\"median\":1.98,\"max\":2.15}}";

    @Test
    void parsesTorchResultLinesAndIgnoresOtherOutput() {
        BenchResults.Sample s = BenchResults.parseTorchLine(TORCH, 2).orElseThrow();
        assertEquals(BenchResults.TORCH, s.system());
        assertEquals("infer fra b32 @224", s.caseKey());
        assertEquals(2, s.round());
        assertEquals(80.5, s.min());
        assertEquals(90.25, s.median());
        assertEquals(95.0, s.max());
        String train =
                TORCH.replace("\"inference\"", "\"train\"")
                        .replace("\"fra\": true", "\"fra\": false")
                        .replace("\"batch\": 32", "\"batch\": 8");
        assertEquals(
                "train none b8 @224",
                BenchResults.parseTorchLine(train, 1).orElseThrow().caseKey());
        assertEquals(
                Optional.empty(),
                BenchResults.parseTorchLine(
                        "torch_bench: tf_efficientnet_b0 inference batch 1 ...", 1));
        assertEquals(Optional.empty(), BenchResults.parseTorchLine("", 1));
        assertEquals(Optional.empty(), BenchResults.parseTorchLine("{\"note\": \"no result\"}", 1));
    }

    @Test
    void rejectsBrokenPeerResults() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                BenchResults.parseTorchLine(
                                        "{\"mode\": \"inference\", \"imagesPerSecond\": {", 1));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                BenchResults.parseTorchLine(
                                        TORCH.replace("\"median\": 90.25", "\"median\": \"x\""),
                                        1));
        assertTrue(e.getMessage().contains("median"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                BenchResults.parseTorchLine(
                                        TORCH.replace("\"inference\"", "\"export\""), 1));
        assertTrue(e.getMessage().contains("unknown mode"), e.getMessage());
        // min > median is not a valid summary
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchResults.parseTfjsLine(TFJS.replace("\"min\":5.07", "\"min\":9.5"), 1));
    }

    @Test
    void parsesTfjsPipelineLines() {
        BenchResults.Sample s = BenchResults.parseTfjsLine(TFJS, 1).orElseThrow();
        assertEquals(BenchResults.TFJS, s.system());
        assertEquals(BenchResults.PIPELINE_DECODE, s.caseKey());
        assertEquals(7.9, s.median());
        assertEquals(
                BenchResults.PIPELINE_DECODED,
                BenchResults.parseTfjsLine(
                                TFJS.replace("decode+detect+emotion", "detect+emotion"), 1)
                        .orElseThrow()
                        .caseKey());
        assertEquals(
                Optional.empty(),
                BenchResults.parseTfjsLine("tfjs-pipeline: faces per image [...]", 1));
    }

    @Test
    void ratiosPairRoundsAndTakeTheMedian() {
        BenchResults r = new BenchResults();
        String c = BenchResults.modelCase("infer", false, 32, 224);
        // ours 100, 120, 90 img/s; torch 80, 100, 100 -> per-round ratios 1.25, 1.2, 0.9 -> median
        // 1.2
        double[] ours = {100, 120, 90};
        double[] torch = {80, 100, 100};
        for (int i = 0; i < 3; i++) {
            r.add(
                    BenchResults.fromRates(
                            BenchResults.OURS,
                            c,
                            i + 1,
                            new double[] {ours[i] - 5, ours[i], ours[i] + 5}));
            r.add(
                    new BenchResults.Sample(
                            BenchResults.TORCH, c, i + 1, torch[i] - 1, torch[i], torch[i] + 1));
        }
        // a peer round without our counterpart is not paired
        r.add(new BenchResults.Sample(BenchResults.TORCH, c, 9, 1, 1, 1));
        BenchResults.Ratio ratio =
                r.ratio(BenchResults.OURS, c, BenchResults.TORCH, c).orElseThrow();
        assertEquals(1.2, ratio.median(), 1e-9);
        assertEquals(0.9, ratio.min(), 1e-9);
        assertEquals(1.25, ratio.max(), 1e-9);
        assertEquals(3, ratio.rounds());
        BenchResults.Summary s = r.summary(BenchResults.OURS, c).orElseThrow();
        assertEquals(125, s.best(), 1e-9); // best repetition of any round
        assertEquals(100, s.median(), 1e-9); // median of the round medians
        assertEquals(
                Optional.empty(),
                r.ratio(BenchResults.OURS, "train none b8 @224", BenchResults.TORCH, c));
    }

    @Test
    void tableShowsBothSidesTheRatioAndMissingPeers() {
        BenchResults r = new BenchResults();
        String none = BenchResults.modelCase("infer", false, 32, 224);
        String fra = BenchResults.modelCase("infer", true, 32, 224);
        r.declareCase(none, "img/s");
        r.declareCase(fra, "img/s");
        r.declareCase(BenchResults.PIPELINE_DECODE, "faces/s");
        r.add(BenchResults.fromRates(BenchResults.OURS, none, 1, new double[] {98, 100, 102}));
        r.add(BenchResults.fromRates(BenchResults.OURS, fra, 1, new double[] {94, 96, 97}));
        r.add(new BenchResults.Sample(BenchResults.TORCH, none, 1, 70, 80, 85));
        r.add(
                BenchResults.fromRates(
                        BenchResults.OURS,
                        BenchResults.PIPELINE_DECODE,
                        1,
                        new double[] {30, 31, 33}));
        String t = r.table();
        assertTrue(
                t.contains(
                        "| infer none b32 @224 | img/s | 102 | 100 | pytorch eager | 85.0 | 80.0 | **1.25x** | 1.25-1.25 | 1 |"),
                t);
        assertTrue(
                t.contains("| infer fra b32 @224 | img/s | 97.0 | 96.0 | - | - | - | - | - | 1 |"),
                t);
        assertTrue(t.contains("| photos: decode+detect+classify | faces/s | 33.0 | 31.0 | - |"), t);
        String o = r.overheadTable();
        assertTrue(o.contains("| fra-fer (DJL) | infer b32 @224 | +4.0% |"), o);
    }
}
