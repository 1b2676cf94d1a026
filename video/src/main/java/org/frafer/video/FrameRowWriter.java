package org.frafer.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Per-frame rows, one per face: time, frame, track, box, reported emotion and its probability, then
 * every class's probability (the frame's own; with smoothing on, {@code emotion} is the smoothed
 * label and the smoothed probabilities follow as {@code smoothed}). JSON lines or CSV; written as
 * frames come.
 */
public final class FrameRowWriter implements AutoCloseable {
    public enum Format {
        JSONL,
        CSV
    }

    private final BufferedWriter out;
    private final Format format;
    private final List<String> classes;
    private final boolean smoothed;
    private final ObjectMapper json = new ObjectMapper();

    /** Creates the file; an existing file is refused (never overwritten). */
    public FrameRowWriter(Path file, Format format, List<String> classes, boolean smoothed)
            throws IOException {
        this.out =
                Files.newBufferedWriter(
                        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.format = format;
        this.classes = classes;
        this.smoothed = smoothed;
        if (format == Format.CSV) {
            StringBuilder h =
                    new StringBuilder("time,frame,track,x,y,width,height,face_score,emotion,score");
            for (String c : classes) {
                h.append(",p_").append(c);
            }
            if (smoothed) {
                for (String c : classes) {
                    h.append(",s_").append(c);
                }
            }
            out.write(h.append('\n').toString());
        }
    }

    public void write(FrameResult r) {
        try {
            for (TrackedFace f : r.faces()) {
                out.write(format == Format.CSV ? csv(r, f) : jsonl(r, f));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String csv(FrameResult r, TrackedFace f) {
        var b = f.emotion().face();
        StringBuilder s =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%.3f,%d,%d,%.1f,%.1f,%.1f,%.1f,%.4f,%s,%.5f",
                                r.timeSeconds(),
                                r.frame(),
                                f.track(),
                                b.x(),
                                b.y(),
                                b.width(),
                                b.height(),
                                b.score(),
                                f.label(),
                                f.smoothed()[f.labelIndex()]));
        for (float p : f.emotion().probabilities()) {
            s.append(String.format(Locale.ROOT, ",%.5f", p));
        }
        if (smoothed) {
            for (float p : f.smoothed()) {
                s.append(String.format(Locale.ROOT, ",%.5f", p));
            }
        }
        return s.toString();
    }

    private String jsonl(FrameResult r, TrackedFace f) throws IOException {
        var b = f.emotion().face();
        ObjectNode o = json.createObjectNode();
        o.put("time", Math.round(r.timeSeconds() * 1000) / 1000.0);
        o.put("frame", r.frame());
        o.put("track", f.track());
        ArrayNode box = o.putArray("box");
        box.add(b.x()).add(b.y()).add(b.width()).add(b.height());
        o.put("faceScore", b.score());
        o.put("emotion", f.label());
        o.put("score", f.smoothed()[f.labelIndex()]);
        ObjectNode p = o.putObject("probabilities");
        for (int i = 0; i < classes.size(); i++) {
            p.put(classes.get(i), f.emotion().probabilities()[i]);
        }
        if (smoothed) {
            ObjectNode s = o.putObject("smoothed");
            for (int i = 0; i < classes.size(); i++) {
                s.put(classes.get(i), f.smoothed()[i]);
            }
        }
        return json.writeValueAsString(o);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
