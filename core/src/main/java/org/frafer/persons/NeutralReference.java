package org.frafer.persons;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a person's resting face is moved to: the emotion model's mean centred log-probabilities
 * over neutral faces of many people (for the default model: the FER+ validation faces whose
 * majority label is Neutral). Kept beside the model as {@value #FILE} and made by {@code fra-fer
 * person calibrate}.
 *
 * @param classes the model's classes
 * @param neutral mean centred log-probabilities of population neutral faces, in class order
 * @param faces how many faces the mean is over
 * @param source what data it was computed on
 */
public record NeutralReference(List<String> classes, float[] neutral, int faces, String source) {
    public static final String FILE = org.frafer.infer.DefaultModel.NEUTRAL_REFERENCE;
    static final String FORMAT = "frafer-neutral-reference";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public NeutralReference {
        classes = List.copyOf(classes);
        if (classes.size() != neutral.length) {
            throw new IllegalArgumentException(
                    classes.size() + " classes but " + neutral.length + " reference values");
        }
        neutral = Personalizer.centred(neutral);
    }

    /** The reference from many faces' log-probabilities (rows in class order). */
    public static NeutralReference of(List<String> classes, List<float[]> logProbs, String source) {
        if (logProbs.isEmpty()) {
            throw new IllegalArgumentException("no neutral faces to compute the reference from");
        }
        return new NeutralReference(
                classes, Personalizer.meanCentred(logProbs), logProbs.size(), source);
    }

    public static NeutralReference read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new PersonsException(
                    file
                            + ": damaged neutral reference ("
                            + e.getMessage()
                            + "); run fra-fer person calibrate again",
                    e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText(null))) {
            throw new PersonsException(
                    file + ": not a FRA-FER neutral reference (no \"format\": \"" + FORMAT + "\")");
        }
        int version = root.path("version").asInt(-1);
        if (version > VERSION) {
            throw new PersonsException(
                    file
                            + ": neutral reference version "
                            + version
                            + " is newer than this fra-fer reads ("
                            + VERSION
                            + ")");
        }
        List<String> classes = new ArrayList<>();
        root.path("classes").forEach(c -> classes.add(c.asText()));
        JsonNode n = root.path("neutral");
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).floatValue();
        }
        try {
            return new NeutralReference(
                    classes, v, root.path("faces").asInt(0), root.path("source").asText(""));
        } catch (IllegalArgumentException e) {
            throw new PersonsException(
                    file + ": damaged neutral reference (" + e.getMessage() + ")", e);
        }
    }

    public void write(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("source", source);
        o.put("faces", faces);
        ArrayNode c = o.putArray("classes");
        classes.forEach(c::add);
        ArrayNode n = o.putArray("neutral");
        for (float f : neutral) {
            n.add(Math.round(f * 1e5) / 1e5);
        }
        org.frafer.io.AtomicFiles.writeString(
                file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }
}
