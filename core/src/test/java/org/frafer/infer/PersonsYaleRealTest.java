package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.Assets;
import org.frafer.persons.NeutralReference;
import org.frafer.persons.PersonalRecognition;
import org.frafer.persons.Personalizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment and matching with the default model, BlazeFace and HSE FaceRes on real Yale faces
 * (FRAFER_DATA).
 */
class PersonsYaleRealTest {

    @Test
    void enrolledYalePeopleAreRecognisedAcrossExpressionsAndOthersAreNot(@TempDir Path tmp)
            throws Exception {
        Path model = DefaultModelRealTest.defaultDir();
        Assumptions.assumeTrue(RealModels.missingAssets() == null, RealModels.missingAssets());
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(
                data != null && Files.isDirectory(data.resolve("yalefaces")),
                "Yale faces not available (set FRAFER_DATA)");
        Path yale = data.resolve("yalefaces");
        Path orl = data.resolve("orl_faces");
        NeutralReference ref = NeutralReference.read(model.resolve(NeutralReference.FILE));
        try (EmotionRecognizer base = EmotionRecognizer.builder().model(model).build();
                PersonalRecognition r =
                        PersonalRecognition.open(base, model, tmp.resolve("store"))) {
            r.enrol("subject01", List.of(yale.resolve("subject01.normal")));
            r.enrol("subject02", List.of(yale.resolve("subject02.normal")));
            r.enrol("subject02", "happy", List.of(yale.resolve("subject02.happy")));
            assertEquals(List.of("subject01", "subject02"), r.persons());

            // the enrolment photo itself reads as the population's neutral face
            FaceEmotion self = r.predict(yale.resolve("subject01.normal")).get(0);
            assertEquals("subject01", self.person());
            float[] expected = Personalizer.softmax(ref.neutral());
            for (int c = 0; c < expected.length; c++) {
                assertEquals(
                        expected[c],
                        self.probabilities()[c],
                        1e-4,
                        "class " + base.classes().get(c));
            }
            // the same people with other expressions and light; someone not enrolled gets no name
            for (String cond : List.of("happy", "surprised", "glasses", "leftlight")) {
                assertEquals(
                        "subject01",
                        r.predict(yale.resolve("subject01." + cond)).get(0).person(),
                        cond);
                assertEquals(
                        "subject02",
                        r.predict(yale.resolve("subject02." + cond)).get(0).person(),
                        cond);
            }
            for (String other :
                    List.of("subject03.normal", "subject07.happy", "subject11.glasses")) {
                FaceEmotion f = r.predict(yale.resolve(other)).get(0);
                assertNull(f.person(), other);
            }
            if (Files.isDirectory(orl)) {
                // people of another database are strangers
                for (Path p : List.of(orl.resolve("s1/1.pgm"), orl.resolve("s2/1.pgm"))) {
                    assertNull(
                            r.predict(p).stream()
                                    .map(FaceEmotion::person)
                                    .filter(x -> x != null)
                                    .findFirst()
                                    .orElse(null),
                            p.toString());
                }
            }
        }
    }
}
