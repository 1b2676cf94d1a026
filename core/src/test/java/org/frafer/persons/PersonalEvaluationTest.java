package org.frafer.persons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.frafer.data.EmotionClasses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-person protocol on hand-made outputs whose answers are known, and the data-set readers on
 * tiny layouts.
 */
class PersonalEvaluationTest {
    static final List<String> C = EmotionClasses.EIGHT;

    @TempDir Path dir;

    static float[] out(float happiness, float neutral) {
        float[] z = new float[C.size()];
        java.util.Arrays.fill(z, -5);
        z[C.indexOf("Happiness")] = happiness;
        z[C.indexOf("Neutral")] = neutral;
        return z;
    }

    static PersonalEvaluation.Face face(
            String person, String file, String label, boolean enrol, float[] z, float[] id) {
        return new PersonalEvaluation.Face(
                new PersonalEvaluation.Item(Path.of(file), person, label, enrol), z, id);
    }

    @Test
    void aPersonWhoseRestingFaceLooksHappyIsCorrectedAndNothingScoredIsEnrolled() {
        // both people rest with a face the model reads as happy; their smiles are read happier
        // still
        List<PersonalEvaluation.Face> faces = new ArrayList<>();
        float[][] ids = {{1, 0, 0}, {0, 1, 0}};
        for (int p = 0; p < 2; p++) {
            String who = "p" + p;
            faces.add(face(who, who + ".normal", "Neutral", true, out(1, 0), ids[p]));
            faces.add(face(who, who + ".glasses", "Neutral", false, out(1.1f, 0), ids[p]));
            faces.add(face(who, who + ".happy", "Happiness", false, out(6, 0), ids[p]));
            faces.add(face(who, who + ".sleepy", null, false, out(1, 0), ids[p]));
        }
        float[] ref = out(-2, 2);
        Personalizer pz = new Personalizer(new NeutralReference(C, ref, 1, "test"));
        PersonalEvaluation.Result r = PersonalEvaluation.evaluate("toy", 8, 0, faces, pz, 0.9);
        assertEquals(2, r.people());
        assertEquals(
                4, r.scoredFaces(), "the enrolment photo and unlabelled photos are not scored");
        assertTrue(
                r.faces().stream()
                        .noneMatch(
                                f -> f.file().endsWith(".normal") || f.file().endsWith(".sleepy")));
        Map<String, PersonalEvaluation.ModeSummary> m = new java.util.HashMap<>();
        r.modes().forEach(s -> m.put(s.mode(), s));
        assertEquals(0.5, m.get("baseline").meanBalancedAccuracy(), 1e-9, "glasses read Happiness");
        assertEquals(1.0, m.get("neutral").meanBalancedAccuracy(), 1e-9);
        assertEquals(2, m.get("neutral").helped());
        assertEquals(4, m.get("neutral").matchedSelf());
        assertEquals(
                1.0,
                m.get("auto").meanBalancedAccuracy(),
                1e-9,
                "median of {1, 1.1, 6, 1} is a resting face");
        assertEquals(2, r.autoGroups());
        assertEquals(1.0, r.autoPurity(), 1e-9);
        // few-shot, leave one out: scoring 'happy' the person's profile holds normal + glasses only
        assertEquals(1.0, m.get("few-shot").pooledRecall().get("Neutral"), 1e-9);
    }

    @Test
    void readsYaleAndFacialExpressionsLayouts() throws Exception {
        Path yale = Files.createDirectories(dir.resolve("yale"));
        for (String c : List.of("normal", "happy", "wink", "glasses")) {
            Files.writeString(yale.resolve("subject01." + c), "x");
        }
        Files.writeString(yale.resolve("README.md"), "x");
        List<PersonalEvaluation.Item> y = PersonalEvaluation.yale(yale);
        assertEquals(4, y.size());
        Map<String, PersonalEvaluation.Item> byCond = new java.util.HashMap<>();
        y.forEach(i -> byCond.put(i.file().getFileName().toString(), i));
        assertEquals("Neutral", byCond.get("subject01.glasses").label());
        assertEquals(null, byCond.get("subject01.wink").label());
        assertTrue(byCond.get("subject01.normal").enrol());
        assertFalse(byCond.get("subject01.glasses").enrol());

        Path fe = Files.createDirectories(dir.resolve("fe/images"));
        List<String> legend = new ArrayList<>(List.of("user.id,image,emotion"));
        String[][] rows = {
            {"Ann_Lee_0002.jpg", "NEUTRAL"},
            {"Ann_Lee_0001.jpg", "happiness"},
            {"Ann_Lee_0003.jpg", "neutral"},
            {"Ann_Lee_0010.jpg", "sadness"},
            {"Ann_Lee_0004.jpg", "surprise"},
            {"Raju12.jpg", "neutral"},
            {"Raju13.jpg", "happiness"},
            {"Bo_Wu_0001.jpg", "happiness"},
            {"Bo_Wu_0002.jpg", "happiness"},
            {"Bo_Wu_0003.jpg", "happiness"},
            {"Bo_Wu_0004.jpg", "anger"},
            {"Bo_Wu_0005.jpg", "anger"}
        };
        for (String[] r : rows) {
            Files.writeString(fe.resolve(r[0]), "x");
            legend.add("1," + r[0] + "," + r[1]);
        }
        Files.write(dir.resolve("fe/legend.csv"), legend);
        List<PersonalEvaluation.Item> f =
                PersonalEvaluation.facialExpressions(dir.resolve("fe"), 5);
        assertEquals(5, f.size(), "Ann only: Raju has 2 photos, Bo no Neutral");
        assertTrue(f.stream().allMatch(i -> i.person().equals("Ann_Lee")));
        assertEquals(
                List.of("Ann_Lee_0002.jpg"),
                f.stream()
                        .filter(PersonalEvaluation.Item::enrol)
                        .map(i -> i.file().getFileName().toString())
                        .toList(),
                "the first Neutral photo in name order is the enrolment photo");
        assertEquals(
                2,
                PersonalEvaluation.facialExpressions(dir.resolve("fe"), 2).stream()
                        .filter(i -> i.person().equals("Raju"))
                        .count());
    }
}
