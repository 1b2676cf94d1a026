package org.frafer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.data.FaceBatch;
import org.frafer.data.FaceSample;
import org.frafer.model.ModelConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class SevenFromEightTest {
    static final List<String> EIGHT =
            EmotionClasses
                    .EIGHT; // Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise

    static float[] logits(int best, int second) {
        float[] z = new float[8];
        z[best] = 5;
        z[second] = 3;
        return z;
    }

    static FaceBatch batch(int[] labels, String... subjects) {
        List<FaceSample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            samples.add(
                    new FaceSample(
                            Path.of("img" + i + ".jpg"),
                            null,
                            labels[i],
                            null,
                            subjects.length == 0 ? null : subjects[i]));
        }
        return new FaceBatch(new float[0], 1, labels, null, 8, samples);
    }

    @Test
    void contemptOutputDroppedAndContemptSamplesExcluded() {
        ClassMap map = ClassMap.of(EIGHT, EIGHT, true);
        assertEquals(EmotionClasses.SEVEN, map.evalClasses());
        // sample 0: Anger, logits favour Contempt then Anger -> predicted Anger (correct only
        // without Contempt)
        // sample 1: Contempt -> excluded
        // sample 2: Happiness, logits favour Happiness -> correct
        // sample 3: Surprise, logits favour Contempt then Fear -> predicted Fear (wrong)
        int[] labels = {0, 1, 4, 7};
        float[] z = new float[32];
        System.arraycopy(logits(1, 0), 0, z, 0, 8);
        System.arraycopy(logits(1, 4), 0, z, 8, 8);
        System.arraycopy(logits(4, 1), 0, z, 16, 8);
        System.arraycopy(logits(1, 3), 0, z, 24, 8);
        Evaluation ev = new Evaluation(map.evalClasses());
        ev.addBatch(batch(labels, "s1", "s1", "s2", "s2"), z, 8, map);
        assertEquals(4, ev.samplesSeen);
        assertEquals(3, ev.confusion.total());
        assertEquals(Long.valueOf(1), ev.excluded.get("Contempt"));
        long[][] c = ev.confusion.counts();
        int anger = 0;
        int fear = 2;
        int happiness = 3;
        int surprise = 6;
        assertEquals(1, c[anger][anger]);
        assertEquals(1, c[happiness][happiness]);
        assertEquals(1, c[surprise][fear]);
        assertEquals(2.0 / 3, ev.confusion.accuracy(), 1e-12);
        // per subject: s1 has 1 scored sample (correct), s2 has 2 (1 correct)
        assertEquals(1, ev.perSubject.get("s1")[0]);
        assertEquals(1, ev.perSubject.get("s1")[1]);
        assertEquals(2, ev.perSubject.get("s2")[0]);
        assertEquals(1, ev.perSubject.get("s2")[1]);

        // Without --seven the same logits predict Contempt for samples 0 and 3.
        ClassMap eight = ClassMap.of(EIGHT, EIGHT, false);
        Evaluation ev8 = new Evaluation(eight.evalClasses());
        ev8.addBatch(batch(labels), z, 8, eight);
        assertEquals(4, ev8.confusion.total());
        assertEquals(
                2.0 / 4,
                ev8.confusion.accuracy(),
                1e-12); // Contempt (sample 1) and Happiness right
    }

    @Test
    void sevenClassDatasetMapsByName() {
        ClassMap map = ClassMap.of(EIGHT, EmotionClasses.SEVEN, true);
        assertEquals(0, map.evalLabel(0)); // Anger
        assertEquals(1, map.evalLabel(1)); // SEVEN[1] = Disgust -> eval index 1
        assertEquals(6, map.evalLabel(6)); // Surprise
        assertEquals(-1, map.evalLabel(-1)); // unlabelled
    }

    @Test
    void sevenNeedsAContemptOutput() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ClassMap.of(EmotionClasses.SEVEN, EmotionClasses.SEVEN, true));
        assertTrue(e.getMessage().contains("Contempt"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClassMap.of(EIGHT, List.of("cat", "dog"), false));
    }

    @Test
    void reportJsonCsvAndPng(@TempDir Path dir) throws Exception {
        ClassMap map = ClassMap.of(EIGHT, EIGHT, true);
        Evaluation ev = new Evaluation(map.evalClasses());
        float[] z = new float[16];
        System.arraycopy(logits(4, 1), 0, z, 0, 8);
        System.arraycopy(logits(1, 5), 0, z, 8, 8);
        ev.addBatch(batch(new int[] {4, 1}), z, 8, map);
        ModelConfig mc = new ModelConfig();
        EvalReport r =
                EvalReport.from(ev, "demo", "test", "m1", mc, true, List.of("bad.jpg: truncated"));
        Path json = dir.resolve("report.json");
        r.write(json);
        assertTrue(Files.size(dir.resolve("report-confusion.png")) > 1000);
        assertEquals(
                8,
                Files.readAllLines(dir.resolve("report-confusion.csv")).size()); // header + 7 rows
        JsonNode n = EvalReport.JSON.readTree(json.toFile());
        assertEquals("demo", n.get("dataset").asText());
        assertEquals(1.0, n.get("accuracy").asDouble(), 1e-12);
        assertEquals(1, n.get("excluded").get("Contempt").asInt());
        assertEquals("bad.jpg: truncated", n.get("skippedFiles").get(0).asText());
        assertEquals("fra", n.get("modelConfig").get("fusion").asText());
        assertTrue(
                n.get("perClass").get(0).get("recall").isNull()
                        || !n.get("perClass").get(0).has("recall"),
                "Anger has no samples: recall undefined");
        EvalReport back = EvalReport.read(json);
        assertEquals(r.samplesEvaluated, back.samplesEvaluated);
        assertNull(back.perClass.get(0).recall);
        assertEquals(1.0, back.perClass.get(3).recall, 1e-12);
    }
}
