package org.frafer.infer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of one {@link ImageResult}: what {@code predict --format jsonl} writes per line and
 * what the HTTP service answers, built in one place so both stay the same.
 */
public final class ResultJson {
    public static final String OK = "ok";
    public static final String NO_FACE = "no_face";
    public static final String ERROR = "error";

    private ResultJson() {}

    /** {@link #OK}, {@link #NO_FACE} or {@link #ERROR}. */
    public static String status(ImageResult r) {
        return !r.ok() ? ERROR : r.faces().isEmpty() ? NO_FACE : OK;
    }

    /**
     * {@code {file, status, error | width+height, faces: [{box, faceScore, keypoints, person (when
     * matched), label, score, probabilities}]}}.
     */
    public static ObjectNode of(ObjectMapper mapper, ImageResult r) {
        ObjectNode o = mapper.createObjectNode();
        o.put("file", r.path().toString());
        o.put("status", status(r));
        if (!r.ok()) {
            o.put("error", r.error());
        } else {
            o.put("width", r.width());
            o.put("height", r.height());
        }
        ArrayNode faces = o.putArray("faces");
        for (FaceEmotion f : r.faces()) {
            ObjectNode fo = faces.addObject();
            ObjectNode box = fo.putObject("box");
            box.put("x", f.face().x());
            box.put("y", f.face().y());
            box.put("width", f.face().width());
            box.put("height", f.face().height());
            fo.put("faceScore", f.face().score());
            ArrayNode kp = fo.putArray("keypoints");
            if (f.face().keypoints() != null) {
                for (float[] p : f.face().keypoints()) {
                    ArrayNode pt = kp.addArray();
                    for (float v : p) {
                        pt.add(v);
                    }
                }
            }
            if (f.person() != null) {
                fo.put("person", f.person());
            }
            fo.put("label", f.label());
            fo.put("score", f.score());
            ObjectNode probs = fo.putObject("probabilities");
            for (int i = 0; i < f.classes().size(); i++) {
                probs.put(f.classes().get(i), f.probabilities()[i]);
            }
        }
        return o;
    }
}
