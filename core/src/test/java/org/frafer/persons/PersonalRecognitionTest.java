package org.frafer.persons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.data.ImageReadException;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.ImageResult;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.PixelFr;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PersonalRecognition} on an {@link EmotionRecognizer} with test doubles: tiny network,
 * green-frame detector and an identity "network" that describes a face by its 4x4 colour layout
 * (same photo = same person).
 */
class PersonalRecognitionTest {
    static final List<String> CLASSES = EmotionClasses.EIGHT;
    static final int NEUTRAL = CLASSES.indexOf("Neutral");

    @TempDir Path dir;
    TinyEmotionNetwork net;
    EmotionRecognizer base;
    PersonalRecognition r;
    NeutralReference reference;

    @BeforeEach
    void setUp() {
        net = new TinyEmotionNetwork("fra", 64);
        float[] ref = new float[CLASSES.size()];
        java.util.Arrays.fill(ref, -4f);
        ref[NEUTRAL] = -0.1f;
        reference = new NeutralReference(CLASSES, ref, 1, "test");
        base =
                EmotionRecognizer.builder()
                        .network(TinyEmotionNetwork.sharing(net))
                        .detector(new MarkerDetector())
                        .build();
        r = persons(base, dir.resolve("store"));
    }

    PersonalRecognition persons(EmotionRecognizer rec, Path store) {
        return new PersonalRecognition(
                rec, store, null, reference, new IdentityEncoder(new PixelFr()), 0.95);
    }

    @AfterEach
    void tearDown() {
        r.close();
        base.close();
        net.close();
    }

    Path photo(String name, long seed, int[]... boxes) throws Exception {
        return TestImages.writePng(TestImages.withFaces(96, 96, seed, boxes), dir.resolve(name));
    }

    static final int[] BOX = {16, 16, 64, 64};

    @Test
    void enrolledPersonIsRecognisedAndTheirRestingFaceReadsNeutral() throws Exception {
        Path ann = photo("ann.png", 1, BOX);
        Path bob = photo("bob.png", 2, BOX);
        FaceEmotion before = r.predict(ann).get(0);
        assertNull(before.person());
        PersonProfile p = r.enrol("ann", List.of(ann));
        assertEquals(1, p.samples().size());
        assertEquals(List.of("ann"), r.persons());
        FaceEmotion after = r.predict(ann).get(0);
        assertEquals("ann", after.person());
        // her enrolled neutral face is moved exactly onto the reference
        float[] expected = Personalizer.softmax(reference.neutral());
        for (int c = 0; c < CLASSES.size(); c++) {
            assertEquals(expected[c], after.probabilities()[c], 1e-4);
        }
        assertEquals("Neutral", after.label());
        FaceEmotion stranger = r.predict(bob).get(0);
        assertNull(stranger.person(), "a face matching no profile is not personalised");
        // batched prediction carries the person too, and a second recognizer on the same store sees
        // her
        try (PersonalRecognition other = persons(base, dir.resolve("store"))) {
            List<ImageResult> res = other.predictAll(List.of(ann, bob));
            assertEquals("ann", res.get(0).faces().get(0).person());
            assertNull(res.get(1).faces().get(0).person());
        }
        assertTrue(r.forget("ann"));
        assertFalse(r.forget("ann"));
        assertNull(r.predict(ann).get(0).person());
    }

    @Test
    void fewShotEnrolmentStoresTheLabel() throws Exception {
        Path a = photo("a.png", 1, BOX);
        r.enrol("ann", List.of(a));
        PersonProfile p = r.enrol("ann", "happy", List.of(a));
        assertEquals(java.util.Map.of("Neutral", 1, "Happiness", 1), p.labelCounts());
        PersonsException e =
                assertThrows(PersonsException.class, () -> r.enrol("ann", "bored", List.of(a)));
        assertTrue(e.getMessage().contains("unknown emotion 'bored'"), e.getMessage());
    }

    @Test
    void badEnrolmentPhotosAreRefusedByNameAndNothingIsStored() throws Exception {
        Path good = photo("good.png", 1, BOX);
        Path none = photo("none.png", 3);
        Path two = photo("two.png", 4, new int[] {2, 2, 40, 40}, new int[] {50, 50, 40, 40});
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not a photo");
        PersonsException e =
                assertThrows(PersonsException.class, () -> r.enrol("ann", List.of(good, none)));
        assertTrue(
                e.getMessage().startsWith(none.toString()) && e.getMessage().contains("no face"),
                e.getMessage());
        e = assertThrows(PersonsException.class, () -> r.enrol("ann", List.of(two)));
        assertTrue(
                e.getMessage().startsWith(two.toString()) && e.getMessage().contains("2 faces"),
                e.getMessage());
        ImageReadException ie =
                assertThrows(ImageReadException.class, () -> r.enrol("ann", List.of(good, text)));
        assertTrue(ie.getMessage().contains(text.toString()), ie.getMessage());
        assertEquals(List.of(), r.persons(), "no photo of a failed enrolment is stored");
        assertFalse(Files.exists(dir.resolve("store").resolve("ann" + ProfileStore.SUFFIX)));
        e = assertThrows(PersonsException.class, () -> r.enrol("../evil", List.of(good)));
        assertTrue(e.getMessage().contains("invalid person name"));
    }

    @Test
    void withoutAStoreOrAReferenceTheErrorSaysWhatIsMissing() throws Exception {
        Path good = photo("good.png", 1, BOX);
        try (PersonalRecognition noStore =
                new PersonalRecognition(
                        base, null, null, reference, new IdentityEncoder(new PixelFr()), 0.95)) {
            PersonsException e =
                    assertThrows(PersonsException.class, () -> noStore.enrol("ann", List.of(good)));
            assertTrue(e.getMessage().contains("no person store"), e.getMessage());
            assertEquals(
                    1, noStore.predict(good).size(), "prediction without a store is unchanged");
        }
        try (PersonalRecognition noRef =
                new PersonalRecognition(
                        base,
                        dir.resolve("s2"),
                        dir.resolve("no-model"),
                        null,
                        new IdentityEncoder(new PixelFr()),
                        0.95)) {
            PersonsException e =
                    assertThrows(PersonsException.class, () -> noRef.enrol("ann", List.of(good)));
            assertTrue(e.getMessage().contains(NeutralReference.FILE), e.getMessage());
            assertFalse(Files.exists(dir.resolve("s2").resolve("ann" + ProfileStore.SUFFIX)));
        }
    }

    @Test
    void automaticModeGroupsFacesByIdentity() throws Exception {
        Path a1 = photo("a1.png", 1, BOX);
        Path a2 = Files.copy(a1, dir.resolve("a2.png"));
        Path a3 = Files.copy(a1, dir.resolve("a3.png"));
        Path b = photo("b.png", 2, BOX);
        Path broken = Files.writeString(dir.resolve("broken.png"), "x");
        List<ImageResult> res = r.predictAllAuto(List.of(a1, b, a2, broken, a3));
        assertEquals("group-1", res.get(0).faces().get(0).person());
        assertEquals("group-1", res.get(2).faces().get(0).person());
        assertNull(res.get(1).faces().get(0).person(), "a face alone is not re-centred");
        assertFalse(res.get(3).ok());
        assertTrue(res.get(3).error().contains("broken.png"));
        // three identical faces: their median is their own output, moved onto the reference
        assertEquals("Neutral", res.get(4).faces().get(0).label());
        assertNotEquals(
                base.predict(b).get(0).probabilities()[NEUTRAL],
                res.get(0).faces().get(0).probabilities()[NEUTRAL]);
    }
}
