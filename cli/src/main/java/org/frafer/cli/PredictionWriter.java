package org.frafer.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.ImageResult;
import org.frafer.infer.ResultJson;

/** The three output formats of {@code predict}; each result is written as soon as it is known. */
abstract class PredictionWriter implements AutoCloseable {
    enum Format {
        table,
        jsonl,
        csv
    }

    static final String OK = ResultJson.OK;
    static final String NO_FACE = ResultJson.NO_FACE;
    static final String ERROR = ResultJson.ERROR;

    protected final PrintWriter out;
    protected final List<String> classes;

    PredictionWriter(PrintWriter out, List<String> classes) {
        this.out = out;
        this.classes = classes;
    }

    static PredictionWriter of(Format f, PrintWriter out, List<String> classes) {
        return switch (f) {
            case table -> new Table(out, classes);
            case jsonl -> new Jsonl(out, classes);
            case csv -> new Csv(out, classes);
        };
    }

    static String status(ImageResult r) {
        return ResultJson.status(r);
    }

    abstract void write(ImageResult r) throws IOException;

    @Override
    public void close() throws IOException {
        out.flush();
    }

    /** Human-readable, one line per face. */
    static final class Table extends PredictionWriter {
        private static final String ROW = "%-40s %4s  %-22s %-10s %6s  %s%n";

        Table(PrintWriter out, List<String> classes) {
            super(out, classes);
            out.printf(
                    Locale.ROOT, ROW, "FILE", "FACE", "BOX x,y,w,h", "EMOTION", "SCORE", "OTHERS");
        }

        @Override
        void write(ImageResult r) {
            String file = r.path().toString();
            if (!r.ok()) {
                out.printf(Locale.ROOT, ROW, file, "-", "-", "ERROR", "-", r.error());
            } else if (r.faces().isEmpty()) {
                out.printf(Locale.ROOT, ROW, file, "-", "-", "no face", "-", "");
            }
            for (int i = 0; i < r.faces().size(); i++) {
                FaceEmotion f = r.faces().get(i);
                String box =
                        String.format(
                                Locale.ROOT,
                                "%.0f,%.0f,%.0f,%.0f",
                                f.face().x(),
                                f.face().y(),
                                f.face().width(),
                                f.face().height());
                String others =
                        f.person() == null
                                ? others(f)
                                : ("person " + f.person() + " " + others(f)).trim();
                out.printf(
                        Locale.ROOT,
                        ROW,
                        file,
                        i + 1,
                        box,
                        f.label(),
                        String.format(Locale.ROOT, "%.3f", f.score()),
                        others);
            }
            out.flush();
        }

        /** Up to three runner-up classes above 5 %, e.g. "Surprise 0.21 Fear 0.08". */
        private static String others(FaceEmotion f) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < f.probabilities().length; i++) {
                if (i != f.topIndex() && f.probabilities()[i] >= 0.05f) {
                    idx.add(i);
                }
            }
            idx.sort((a, b) -> Float.compare(f.probabilities()[b], f.probabilities()[a]));
            StringBuilder s = new StringBuilder();
            for (int i : idx.subList(0, Math.min(3, idx.size()))) {
                s.append(s.length() == 0 ? "" : " ")
                        .append(f.classes().get(i))
                        .append(String.format(Locale.ROOT, " %.2f", f.probabilities()[i]));
            }
            return s.toString();
        }
    }

    /** One JSON object per image and line. */
    static final class Jsonl extends PredictionWriter {
        private final ObjectMapper mapper =
                new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

        Jsonl(PrintWriter out, List<String> classes) {
            super(out, classes);
        }

        @Override
        void write(ImageResult r) throws IOException {
            ObjectNode o = ResultJson.of(mapper, r);
            out.println(mapper.writeValueAsString(o));
            out.flush();
        }
    }

    /** One row per face (one row with an empty face for images without a face or with an error). */
    static final class Csv extends PredictionWriter {
        private final SequenceWriter rows;
        private final int columns;

        Csv(PrintWriter out, List<String> classes) {
            super(out, classes);
            CsvSchema.Builder schema = CsvSchema.builder();
            for (String c : header(classes)) {
                schema.addColumn(c);
            }
            columns = header(classes).size();
            CsvMapper mapper = new CsvMapper();
            mapper.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            try {
                rows =
                        mapper.writerFor(List.class)
                                .with(schema.setUseHeader(true).build())
                                .writeValues(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static List<String> header(List<String> classes) {
            List<String> h =
                    new ArrayList<>(
                            List.of(
                                    "file",
                                    "status",
                                    "face",
                                    "x",
                                    "y",
                                    "width",
                                    "height",
                                    "face_score",
                                    "label",
                                    "score"));
            h.addAll(classes);
            h.add("message");
            return h;
        }

        @Override
        void write(ImageResult r) throws IOException {
            if (r.faces().isEmpty()) {
                List<Object> row = new ArrayList<>(List.of(r.path().toString(), status(r)));
                while (row.size() < columns - 1) {
                    row.add("");
                }
                row.add(r.ok() ? "no face found" : r.error());
                rows.write(row);
            }
            for (int i = 0; i < r.faces().size(); i++) {
                FaceEmotion f = r.faces().get(i);
                List<Object> row =
                        new ArrayList<>(
                                List.of(
                                        r.path().toString(),
                                        OK,
                                        i + 1,
                                        f.face().x(),
                                        f.face().y(),
                                        f.face().width(),
                                        f.face().height(),
                                        f.face().score(),
                                        f.label(),
                                        f.score()));
                for (float p : f.probabilities()) {
                    row.add(p);
                }
                row.add("");
                rows.write(row);
            }
            rows.flush();
        }

        @Override
        public void close() throws IOException {
            rows.close();
            super.close();
        }
    }
}
