package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.data.EmotionClasses;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.PixelFr;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.frafer.persons.IdentityEncoder;
import org.frafer.persons.NeutralReference;
import org.frafer.persons.PersonalRecognition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer person enrol|list|forget} and {@code predict --persons / --personalize auto} with
 * the test doubles.
 */
class PersonCommandTest {
    static TinyEmotionNetwork weights;

    @TempDir Path dir;

    @BeforeAll
    static void setUp() {
        weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        float[] ref = new float[EmotionClasses.EIGHT.size()];
        ref[EmotionClasses.EIGHT.indexOf("Neutral")] = 4;
        NeutralReference reference = new NeutralReference(EmotionClasses.EIGHT, ref, 1, "test");
        RecognizerOptions.builderForTests =
                o ->
                        EmotionRecognizer.builder()
                                .network(TinyEmotionNetwork.sharing(weights))
                                .detector(new MarkerDetector());
        PersonCommand.personsForTests =
                (r, store) ->
                        new PersonalRecognition(
                                r,
                                store,
                                null,
                                reference,
                                new IdentityEncoder(new PixelFr()),
                                0.95);
    }

    @AfterAll
    static void tearDown() {
        CliTestSupport.reset();
        PersonCommand.personsForTests = null;
        weights.close();
    }

    Path photo(String name, long seed, int[]... boxes) throws Exception {
        return TestImages.writePng(TestImages.withFaces(96, 96, seed, boxes), dir.resolve(name));
    }

    @Test
    void enrolListPredictForget() throws Exception {
        Path ann = photo("ann.png", 1, new int[] {16, 16, 64, 64});
        Path bob = photo("bob.png", 2, new int[] {16, 16, 64, 64});
        Path empty = photo("empty.png", 3);
        String store = dir.resolve("store").toString();

        CliTestSupport.Run run =
                CliTestSupport.run(
                        "person", "enrol", "--store", store, "--name", "Ann", ann.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("enrolled 1 photo(s) of 'Ann'"), run.out());
        run =
                CliTestSupport.run(
                        "person",
                        "enrol",
                        "--store",
                        store,
                        "--name",
                        "Ann",
                        "--label",
                        "surprised",
                        ann.toString());
        assertEquals(0, run.exitCode(), run.err());

        run =
                CliTestSupport.run(
                        "person", "enrol", "--store", store, "--name", "Bob", empty.toString());
        assertEquals(1, run.exitCode());
        assertEquals(
                "error: " + empty + ": no face found; enrol photos showing the person's face",
                run.err().strip());
        run =
                CliTestSupport.run(
                        "person",
                        "enrol",
                        "--store",
                        store,
                        "--name",
                        "Bob",
                        dir.resolve("missing.jpg").toString());
        assertEquals(1, run.exitCode());
        assertTrue(
                run.err().startsWith("error: ")
                        && run.err().contains("missing.jpg")
                        && !run.err().contains("\tat "),
                run.err());

        run = CliTestSupport.run("person", "list", "--store", store);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out().startsWith("Ann")
                        && run.out().contains("2 photo(s) {Neutral=1, Surprise=1}"),
                run.out());
        assertFalse(run.out().contains("Bob"));

        run =
                CliTestSupport.run(
                        "predict",
                        "--persons",
                        store,
                        "--format",
                        "jsonl",
                        ann.toString(),
                        bob.toString());
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().strip().split("\n");
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(lines[0]).get("faces").get(0);
        assertEquals("Ann", a.get("person").asText());
        assertFalse(json.readTree(lines[1]).get("faces").get(0).has("person"));

        run = CliTestSupport.run("person", "forget", "--store", store, "Ann", "Zed");
        assertEquals(1, run.exitCode());
        assertTrue(run.out().contains("forgot 'Ann'"), run.out());
        assertTrue(run.err().contains("'Zed' is not enrolled"), run.err());
        run = CliTestSupport.run("person", "list", "--store", store);
        assertTrue(run.out().contains("no one is enrolled"), run.out());
    }

    @Test
    void aDamagedStoreFileIsNamedAndPredictStops() throws Exception {
        Path ann = photo("ann.png", 1, new int[] {16, 16, 64, 64});
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.writeString(store.resolve("Eve.profile.json"), "{ not json");
        CliTestSupport.Run run = CliTestSupport.run("person", "list", "--store", store.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("Eve.profile.json: damaged profile"), run.err());
        run = CliTestSupport.run("predict", "--persons", store.toString(), ann.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Eve.profile.json: damaged profile"), run.err());
        run =
                CliTestSupport.run(
                        "person",
                        "enrol",
                        "--store",
                        store.toString(),
                        "--name",
                        "Eve",
                        ann.toString());
        assertEquals(1, run.exitCode());
        assertEquals(
                "{ not json",
                Files.readString(store.resolve("Eve.profile.json")),
                "a damaged file is never overwritten");
    }

    @Test
    void predictPersonalizeAutoGroupsFacesOfTheInputs() throws Exception {
        Path a1 = photo("a1.png", 1, new int[] {16, 16, 64, 64});
        Files.copy(a1, dir.resolve("a2.png"));
        Files.copy(a1, dir.resolve("a3.png"));
        photo("b.png", 2, new int[] {16, 16, 64, 64});
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "predict", "--personalize", "auto", "--format", "jsonl", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        ObjectMapper json = new ObjectMapper();
        int grouped = 0;
        for (String line : run.out().strip().split("\n")) {
            JsonNode f = json.readTree(line).get("faces").get(0);
            if (f.has("person")) {
                assertEquals("group-1", f.get("person").asText());
                grouped++;
            }
        }
        assertEquals(3, grouped);
        run = CliTestSupport.run("predict", "--personalize", "manual", dir.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--personalize takes 'auto'"), run.err());
    }
}
