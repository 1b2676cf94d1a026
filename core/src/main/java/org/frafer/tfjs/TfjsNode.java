package org.frafer.tfjs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One node of a TF.js graph model ({@code modelTopology.node[]}): op, input node names (":0" output
 * suffixes and "^control" inputs removed) and the raw attribute JSON.
 */
public record TfjsNode(String name, String op, List<String> inputs, JsonNode attr) {

    static TfjsNode parse(JsonNode json) {
        List<String> inputs = new ArrayList<>();
        for (JsonNode in : json.path("input")) {
            String s = in.asText();
            if (s.startsWith("^")) {
                continue; // control dependency: no data flows
            }
            int colon = s.lastIndexOf(':');
            if (colon > 0 && s.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                if (!s.endsWith(":0")) {
                    throw new TfjsModelException(
                            "node '"
                                    + json.path("name").asText()
                                    + "' reads output "
                                    + s
                                    + ": only single-output producers are supported");
                }
                s = s.substring(0, colon);
            }
            inputs.add(s);
        }
        return new TfjsNode(
                json.path("name").asText(),
                json.path("op").asText(),
                List.copyOf(inputs),
                json.path("attr"));
    }

    /** A string attribute (TF.js stores them base64-encoded), or {@code def} when absent. */
    public String string(String key, String def) {
        JsonNode v = attr.path(key).path("s");
        return v.isMissingNode()
                ? def
                : new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8);
    }

    /** A list-of-strings attribute (e.g. {@code fused_ops}), decoded; empty when absent. */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : attr.path(key).path("list").path("s")) {
            out.add(new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * A list-of-ints attribute (strides, ksize, dilations, squeeze_dims), or {@code def} when
     * absent.
     */
    public int[] ints(String key, int[] def) {
        JsonNode list = attr.path(key).path("list").path("i");
        if (!list.isArray() || list.isEmpty()) {
            return def;
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Integer.parseInt(list.get(i).asText());
        }
        return out;
    }

    public boolean bool(String key, boolean def) {
        JsonNode v = attr.path(key).path("b");
        return v.isMissingNode() ? def : v.asBoolean();
    }

    public float real(String key, float def) {
        JsonNode v = attr.path(key).path("f");
        return v.isMissingNode() ? def : (float) v.asDouble();
    }

    /**
     * Declared tensor shape of a Const ({@code attr.value.tensor.tensorShape}) or Placeholder
     * ({@code attr.shape.shape}); null if none.
     */
    public long[] declaredShape() {
        JsonNode shape = attr.path("value").path("tensor").path("tensorShape");
        if (shape.isMissingNode()) {
            shape = attr.path("shape").path("shape");
        }
        if (shape.isMissingNode()) {
            return null;
        }
        JsonNode dims = shape.path("dim");
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Long.parseLong(dims.get(i).path("size").asText("-1"));
        }
        return out;
    }

    @Override
    public String toString() {
        return op + " '" + name + "'";
    }
}
