package org.frafer.persons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.frafer.data.EmotionClasses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The person store: atomic writes, owner-only files, versions, bad files, concurrent enrolment
 * (threads and processes).
 */
class ProfileStoreTest {
    static final List<String> CLASSES = EmotionClasses.EIGHT;

    @TempDir Path tmp;

    @AfterEach
    void noHook() {
        ProfileStore.midWriteHook = null;
    }

    static PersonProfile.Sample sample(String label, float v) {
        float[] lp = new float[CLASSES.size()];
        java.util.Arrays.fill(lp, -3f);
        lp[CLASSES.indexOf(label)] = v;
        return new PersonProfile.Sample(label, "photo.jpg", new float[] {v, 1, 0}, lp);
    }

    private ProfileStore store() {
        return ProfileStore.at(tmp.resolve("store"));
    }

    @Test
    void roundTripAndOwnerOnlyPermissions() throws Exception {
        ProfileStore s = store();
        s.enrol("Ann Lee", "m1", "fr", CLASSES, List.of(sample("Neutral", -0.1f)));
        PersonProfile p =
                s.enrol("Ann Lee", "m1", "fr", CLASSES, List.of(sample("Happiness", -0.2f)));
        assertEquals(2, p.samples().size());
        PersonProfile back = s.get("Ann Lee").orElseThrow();
        assertEquals(
                List.of("Neutral", "Happiness"),
                back.samples().stream().map(PersonProfile.Sample::label).toList());
        assertArrayEquals(p.samples().get(1).logProbs(), back.samples().get(1).logProbs());
        assertArrayEquals(new float[] {-0.2f, 1, 0}, back.samples().get(1).identity());
        assertEquals(
                "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.dir())));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(s.fileOf("Ann Lee"))));
        assertEquals(List.of("Ann Lee"), s.ids());
        assertTrue(s.forget("Ann Lee"));
        assertFalse(Files.exists(s.fileOf("Ann Lee")));
        assertFalse(s.forget("Ann Lee"), "forgetting someone unknown says so");
        assertTrue(s.get("nobody").isEmpty());
    }

    @Test
    void crashMidWriteKeepsTheOldProfile() throws Exception {
        ProfileStore s = store();
        s.enrol("bob", "m1", "fr", CLASSES, List.of(sample("Neutral", -0.1f)));
        byte[] before = Files.readAllBytes(s.fileOf("bob"));
        ProfileStore.midWriteHook =
                name -> {
                    throw new IllegalStateException("simulated crash while writing " + name);
                };
        assertThrows(
                IllegalStateException.class,
                () -> s.enrol("bob", "m1", "fr", CLASSES, List.of(sample("Sadness", -0.5f))));
        ProfileStore.midWriteHook = null;
        assertArrayEquals(
                before, Files.readAllBytes(s.fileOf("bob")), "the old profile is untouched");
        assertEquals(1, s.get("bob").orElseThrow().samples().size());
        try (var files = Files.list(s.dir())) {
            assertEquals(
                    List.of(".lock", "bob.profile.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary file left");
        }
        // a killed process can leave a hidden temporary file: it is ignored
        Files.writeString(
                s.dir().resolve(".bob.profile.json123.tmp"), "{\"format\": \"frafer-person-pro");
        assertEquals(List.of("bob"), s.ids());
    }

    @Test
    void newerVersionForeignAndDamagedFilesAreRefusedByName() throws Exception {
        ProfileStore s = store();
        s.enrol("carl", "m1", "fr", CLASSES, List.of(sample("Neutral", -0.1f)));
        Path f = s.fileOf("carl");
        String v1 = Files.readString(f);
        Files.writeString(f, v1.replace("\"version\" : 1", "\"version\" : 2"));
        byte[] v2 = Files.readAllBytes(f);
        PersonsException e = assertThrows(PersonsException.class, s::list);
        assertTrue(
                e.getMessage().contains(f.toString())
                        && e.getMessage().contains("version 2 is newer"),
                e.getMessage());
        // enrolling into it must not overwrite what a newer fra-fer wrote
        assertThrows(
                PersonsException.class,
                () -> s.enrol("carl", "m1", "fr", CLASSES, List.of(sample("Neutral", -0.3f))));
        assertArrayEquals(v2, Files.readAllBytes(f));

        Files.writeString(f, "{\"name\": \"something else\"}");
        e = assertThrows(PersonsException.class, () -> s.get("carl"));
        assertTrue(
                e.getMessage().startsWith(f.toString())
                        && e.getMessage().contains("not a FRA-FER person profile"),
                e.getMessage());

        Files.writeString(f, v1.substring(0, v1.length() / 2));
        e = assertThrows(PersonsException.class, () -> s.get("carl"));
        assertTrue(
                e.getMessage().startsWith(f.toString()) && e.getMessage().contains("damaged"),
                e.getMessage());

        Files.writeString(f, v1.replace("\"label\" : \"Neutral\"", "\"label\" : \"Bored\""));
        e = assertThrows(PersonsException.class, () -> s.get("carl"));
        assertTrue(
                e.getMessage().contains("damaged") && e.getMessage().contains("Bored"),
                e.getMessage());
    }

    @Test
    void badNamesAndMismatchedModelsAreRefused() {
        ProfileStore s = store();
        for (String bad : new String[] {"", "../x", ".hidden", "a/b", "x".repeat(65)}) {
            PersonsException e =
                    assertThrows(
                            PersonsException.class,
                            () -> s.enrol(bad, "m1", "fr", CLASSES, List.of(sample("Neutral", 0))));
            assertTrue(e.getMessage().contains("invalid person name"), e.getMessage());
        }
        s.enrol("dora", "m1", "fr", CLASSES, List.of(sample("Neutral", 0)));
        PersonsException e =
                assertThrows(
                        PersonsException.class,
                        () -> s.enrol("dora", "m2", "fr", CLASSES, List.of(sample("Neutral", 0))));
        assertTrue(
                e.getMessage().contains("dora.profile.json") && e.getMessage().contains("m1"),
                e.getMessage());
        assertEquals(1, s.get("dora").orElseThrow().samples().size());
        Path file = tmp.resolve("a-file");
        assertThrows(PersonsException.class, () -> ProfileStore.at(Files.writeString(file, "x")));
    }

    @Test
    void concurrentEnrolmentFromThreadsLosesNothing() throws Exception {
        ProfileStore s = store();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int id = t;
            fs.add(
                    pool.submit(
                            () -> {
                                for (int i = 0; i < 10; i++) {
                                    ProfileStore.at(s.dir())
                                            .enrol(
                                                    id % 2 == 0 ? "even" : "odd",
                                                    "m1",
                                                    "fr",
                                                    CLASSES,
                                                    List.of(sample("Neutral", id * 100 + i)));
                                }
                            }));
        }
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(30, s.get("even").orElseThrow().samples().size());
        assertEquals(30, s.get("odd").orElseThrow().samples().size());
    }

    @Test
    void twoProcessesEnrollingAtOnceBothKeepTheirSamples() throws Exception {
        Path dir = tmp.resolve("shared");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            ps.add(
                    new ProcessBuilder(
                                    java,
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    EnrolMain.class.getName(),
                                    dir.toString(),
                                    "proc" + p,
                                    "15")
                            .redirectErrorStream(true)
                            .redirectOutput(tmp.resolve("proc" + p + ".log").toFile())
                            .start());
        }
        for (Process p : ps) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "enrolling process finished");
            assertEquals(0, p.exitValue(), () -> readLog(tmp));
        }
        PersonProfile shared = ProfileStore.at(dir).get("shared").orElseThrow();
        assertEquals(30, shared.samples().size(), "every sample of both processes is kept");
        assertEquals(
                15, shared.samples().stream().filter(x -> x.source().startsWith("proc0")).count());
    }

    private static String readLog(Path dir) {
        try {
            return Files.readString(dir.resolve("proc0.log"))
                    + Files.readString(dir.resolve("proc1.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Enrols N samples one at a time into the person "shared" (run as a separate JVM). */
    public static final class EnrolMain {
        public static void main(String[] args) {
            ProfileStore s = ProfileStore.at(Path.of(args[0]));
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                PersonProfile.Sample x = sample("Neutral", i);
                s.enrol(
                        "shared",
                        "m1",
                        "fr",
                        CLASSES,
                        List.of(
                                new PersonProfile.Sample(
                                        x.label(), args[1] + "-" + i, x.identity(), x.logProbs())));
            }
        }
    }
}
