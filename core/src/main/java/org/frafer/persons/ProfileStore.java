package org.frafer.persons;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Person profiles in a folder: {@code NAME.profile.json} per person, owner-only ({@code rw-------}
 * files in a {@code rwx------} folder), each written to a temporary file, flushed to disk and
 * renamed over the old one, so a crash leaves either the old or the new profile, never half of one.
 * Changes take the folder's {@code .lock} file (an OS file lock, plus an in-process lock because
 * the OS lock is per process), so two processes enrolling at once both keep their samples. Readers
 * need no lock: a rename is atomic.
 *
 * <p>Every file carries {@code "format": "frafer-person-profile"} and a {@code "version"}; a file
 * from a newer version, a foreign JSON file or a damaged one is refused with its name, never
 * overwritten.
 */
public final class ProfileStore {
    public static final String FORMAT = "frafer-person-profile";

    /** The version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    public static final String SUFFIX = ".profile.json";
    static final String LOCK = ".lock";

    /**
     * Letters or digits first, then letters, digits, space, '.', '_' or '-'; at most 64 characters.
     */
    private static final Pattern ID = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,63}");

    private static final Set<PosixFilePermission> FILE_PERMS =
            PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_PERMS =
            PosixFilePermissions.fromString("rwx------");
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL_LOCKS =
            new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    /**
     * Test hook: called with the output stream mid-write (to simulate a crash); null in normal
     * runs.
     */
    static volatile java.util.function.Consumer<String> midWriteHook;

    private ProfileStore(Path dir) {
        this.dir = dir;
    }

    /** A store in {@code dir}; the folder is created (owner-only) on the first write. */
    public static ProfileStore at(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new PersonsException(
                    dir + ": not a folder (a person store is a folder of " + SUFFIX + " files)");
        }
        return new ProfileStore(d);
    }

    public Path dir() {
        return dir;
    }

    /** Checks a person id; the message says what is allowed. */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new PersonsException(
                    "invalid person name '"
                            + id
                            + "': use 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit");
        }
        return id;
    }

    public Path fileOf(String id) {
        return dir.resolve(checkId(id) + SUFFIX);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Every profile, in name order; a damaged, foreign or newer-version profile file is an error
     * naming it.
     */
    public List<PersonProfile> list() {
        List<PersonProfile> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            s.forEach(
                    p -> {
                        if (!p.getFileName().toString().startsWith(".")) {
                            files.add(p);
                        }
                    });
        } catch (IOException e) {
            throw new PersonsException(
                    dir + ": cannot list the person store: " + e.getMessage(), e);
        }
        files.sort(null);
        for (Path f : files) {
            out.add(read(f));
        }
        return out;
    }

    /** Names of the enrolled people. */
    public List<String> ids() {
        return list().stream().map(PersonProfile::id).toList();
    }

    public Optional<PersonProfile> get(String id) {
        Path f = fileOf(id);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        return Optional.of(read(f));
    }

    static PersonProfile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PersonsException(
                    file + ": profile disappeared while reading (forgotten by another process?)",
                    e);
        } catch (IOException e) {
            throw new PersonsException(file + ": cannot read the profile: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new PersonsException(
                    file
                            + ": damaged profile (not valid JSON); delete it and enrol the person again",
                    e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new PersonsException(
                    file
                            + ": not a FRA-FER person profile (no \"format\": \""
                            + FORMAT
                            + "\"); move it out of the store folder");
        }
        int version = root.path("version").asInt(-1);
        if (version > VERSION) {
            throw new PersonsException(
                    file
                            + ": profile format version "
                            + version
                            + " is newer than this fra-fer reads ("
                            + VERSION
                            + "); use a newer fra-fer");
        }
        if (version < 1) {
            throw new PersonsException(
                    file + ": damaged profile (bad \"version\": " + root.path("version") + ")");
        }
        try {
            String id = text(root, "id", file);
            String expected = file.getFileName().toString();
            if (!expected.equals(id + SUFFIX)) {
                throw new PersonsException(
                        file
                                + ": profile of '"
                                + id
                                + "' stored under another name; rename the file to "
                                + id
                                + SUFFIX);
            }
            List<String> classes = new ArrayList<>();
            for (JsonNode c : array(root, "classes", file)) {
                classes.add(c.asText());
            }
            List<PersonProfile.Sample> samples = new ArrayList<>();
            for (JsonNode s : array(root, "samples", file)) {
                float[] lp = floats(s, "logProbs", file);
                if (lp.length != classes.size()) {
                    throw new PersonsException(
                            file
                                    + ": damaged profile (a sample has "
                                    + lp.length
                                    + " outputs for "
                                    + classes.size()
                                    + " classes)");
                }
                String label = text(s, "label", file);
                if (!classes.contains(label)) {
                    throw new PersonsException(
                            file
                                    + ": damaged profile (sample label '"
                                    + label
                                    + "' is not one of "
                                    + classes
                                    + ")");
                }
                samples.add(
                        new PersonProfile.Sample(
                                label,
                                s.path("source").asText(""),
                                floats(s, "identity", file),
                                lp));
            }
            return new PersonProfile(
                    id,
                    root.path("model").asText(""),
                    text(root, "identityModel", file),
                    classes,
                    samples,
                    root.path("created").asText(null),
                    root.path("updated").asText(null));
        } catch (PersonsException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PersonsException(file + ": damaged profile (" + e.getMessage() + ")", e);
        }
    }

    private static String text(JsonNode n, String field, Path file) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new PersonsException(file + ": damaged profile (missing \"" + field + "\")");
        }
        return v.asText();
    }

    private static JsonNode array(JsonNode n, String field, Path file) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            throw new PersonsException(
                    file + ": damaged profile (missing array \"" + field + "\")");
        }
        return v;
    }

    private static float[] floats(JsonNode n, String field, Path file) {
        JsonNode a = array(n, field, file);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new PersonsException(
                        file + ": damaged profile (non-number in \"" + field + "\")");
            }
            out[i] = a.get(i).floatValue();
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Adds samples to a person's profile (created when new), under the store lock: what another
     * process wrote meanwhile is read first and kept.
     *
     * @param model fingerprint of the emotion model; must match an existing profile's
     * @param identityModel FR backbone id; must match an existing profile's
     */
    public PersonProfile enrol(
            String id,
            String model,
            String identityModel,
            List<String> classes,
            List<PersonProfile.Sample> samples) {
        checkId(id);
        if (samples.isEmpty()) {
            throw new PersonsException("nothing to enrol for '" + id + "'");
        }
        return locked(
                () -> {
                    String now = Instant.now().toString();
                    Path f = fileOf(id);
                    PersonProfile p =
                            Files.exists(f)
                                    ? read(f)
                                    : new PersonProfile(
                                            id, model, identityModel, classes, List.of(), now, now);
                    if (!p.classes().equals(classes)) {
                        throw new PersonsException(
                                f
                                        + ": enrolled with classes "
                                        + p.classes()
                                        + ", this model has "
                                        + classes
                                        + "; forget the person or use another store");
                    }
                    if (!p.identityModel().equals(identityModel) || !p.model().equals(model)) {
                        throw new PersonsException(
                                f
                                        + ": enrolled with model "
                                        + p.model()
                                        + " / "
                                        + p.identityModel()
                                        + ", this recognizer runs "
                                        + model
                                        + " / "
                                        + identityModel
                                        + "; forget the person or use another store");
                    }
                    PersonProfile updated = p.plus(samples, now);
                    write(f, updated);
                    return updated;
                });
    }

    /** Deletes a person's profile; false when there was none. */
    public boolean forget(String id) {
        Path f = fileOf(id);
        return locked(
                () -> {
                    try {
                        return Files.deleteIfExists(f);
                    } catch (IOException e) {
                        throw new PersonsException(
                                f + ": cannot delete the profile: " + e.getMessage(), e);
                    }
                });
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
        local.lock();
        try {
            createDir();
            try (FileChannel ch =
                            FileChannel.open(
                                    dir.resolve(LOCK),
                                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                                    PosixFilePermissions.asFileAttribute(FILE_PERMS));
                    FileLock ignored = ch.lock()) {
                return action.get();
            } catch (IOException e) {
                throw new PersonsException(
                        dir + ": cannot lock the person store: " + e.getMessage(), e);
            }
        } finally {
            local.unlock();
        }
    }

    private void createDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
            }
            Files.setPosixFilePermissions(dir, DIR_PERMS); // createDirectories applies the umask
        } catch (UnsupportedOperationException e) {
            try { // not a POSIX file system: rely on the folder's own access rules
                Files.createDirectories(dir);
            } catch (IOException e2) {
                throw new PersonsException(
                        dir + ": cannot create the person store: " + e2.getMessage(), e2);
            }
        } catch (IOException e) {
            throw new PersonsException(
                    dir + ": cannot create the person store: " + e.getMessage(), e);
        }
    }

    /** Temporary file (owner-only), flushed to disk, then renamed over the target. */
    private void write(Path file, PersonProfile p) {
        byte[] bytes;
        try {
            bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(p));
        } catch (JsonProcessingException e) {
            throw new PersonsException(file + ": cannot encode the profile: " + e.getMessage(), e);
        }
        Path tmp = null;
        try {
            tmp =
                    Files.createTempFile(
                            dir,
                            "." + file.getFileName(),
                            ".tmp",
                            PosixFilePermissions.asFileAttribute(FILE_PERMS));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                int half = bytes.length / 2;
                out.write(bytes, 0, half);
                if (midWriteHook != null) {
                    midWriteHook.accept(file.getFileName().toString());
                }
                out.write(bytes, half, bytes.length - half);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new PersonsException(
                    file
                            + ": cannot write the profile (the previous version is kept): "
                            + e.getMessage(),
                    e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a left-over hidden .tmp file is ignored by list()
                }
            }
        }
    }

    static ObjectNode toJson(PersonProfile p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("id", p.id());
        o.put("model", p.model());
        o.put("identityModel", p.identityModel());
        o.put("created", p.created());
        o.put("updated", p.updated());
        ArrayNode cl = o.putArray("classes");
        p.classes().forEach(cl::add);
        ArrayNode ss = o.putArray("samples");
        for (PersonProfile.Sample s : p.samples()) {
            ObjectNode so = ss.addObject();
            so.put("label", s.label());
            so.put("source", s.source());
            ArrayNode lp = so.putArray("logProbs");
            for (float v : s.logProbs()) {
                lp.add(v);
            }
            ArrayNode id = so.putArray("identity");
            for (float v : s.identity()) {
                id.add(v);
            }
        }
        return o;
    }
}
