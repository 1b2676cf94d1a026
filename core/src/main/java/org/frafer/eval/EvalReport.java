package org.frafer.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.io.AtomicFiles;
import org.frafer.model.ModelConfig;

/**
 * The JSON evaluation report ({@code fra-fer evaluate --out report.json}); read back by {@code
 * compare}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalReport {
    public static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String dataset;
    public String split;
    public String model;
    public ModelConfig modelConfig;

    /**
     * True when an 8-class model was scored on AffectNet-7 (Contempt output dropped, Contempt
     * samples excluded).
     */
    public boolean sevenFromEight;

    public List<String> classes;

    /** Samples read from the source, samples scored, and samples left out by class name. */
    public long samplesSeen;

    public long samplesEvaluated;
    public Map<String, Long> excluded = new LinkedHashMap<>();
    public List<String> skippedFiles = new ArrayList<>();

    /** Metric values; null when undefined (e.g. empty evaluation). */
    public Double accuracy;

    public Double balancedAccuracy;
    public Double macroF1;
    public List<PerClass> perClass = new ArrayList<>();

    /** Rows = true class, columns = predicted class, in {@link #classes} order. */
    public long[][] confusion;

    public Map<String, PerSubject> perSubject;

    /**
     * Test-time augmentation (none, flip) and the softmax temperature the probabilities below used.
     */
    public String tta;

    public Double temperature;

    /**
     * Top-label expected calibration error ({@link Calibration#BINS} equal-width bins) and mean NLL
     * of the true labels.
     */
    public Double ece;

    public Double nll;

    /** The reliability diagram's bins (also drawn in {@code <name>-reliability.png}). */
    public List<ReliabilityBin> reliability;

    public Double seconds;
    public Double imagesPerSecond;
    public String createdAt;

    public static class PerClass {
        public String name;
        public long support;
        public long predicted;

        /** null when the class was never predicted. */
        public Double precision;

        /** null when the class has no samples. */
        public Double recall;

        public double f1;
    }

    public static class ReliabilityBin {
        public double lower;
        public double upper;
        public long count;

        /** null when the bin is empty. */
        public Double meanConfidence;

        public Double accuracy;
    }

    public static class PerSubject {
        public long samples;
        public long correct;
        public double accuracy;
    }

    public static EvalReport from(
            Evaluation ev,
            String dataset,
            String split,
            String model,
            ModelConfig config,
            boolean sevenFromEight,
            List<String> skippedFiles) {
        ConfusionMatrix cm = ev.confusion;
        EvalReport r = new EvalReport();
        r.dataset = dataset;
        r.split = split;
        r.model = model;
        r.modelConfig = config;
        r.sevenFromEight = sevenFromEight;
        r.classes = cm.classes();
        r.samplesSeen = ev.samplesSeen;
        r.samplesEvaluated = cm.total();
        r.excluded = new LinkedHashMap<>(ev.excluded);
        r.skippedFiles = skippedFiles == null ? List.of() : List.copyOf(skippedFiles);
        r.accuracy = orNull(cm.accuracy());
        r.balancedAccuracy = orNull(cm.balancedAccuracy());
        r.macroF1 = orNull(cm.macroF1());
        for (int k = 0; k < cm.numClasses(); k++) {
            PerClass pc = new PerClass();
            pc.name = cm.classes().get(k);
            pc.support = cm.support(k);
            pc.predicted = cm.predicted(k);
            pc.precision = orNull(cm.precision(k));
            pc.recall = orNull(cm.recall(k));
            pc.f1 = cm.f1(k);
            r.perClass.add(pc);
        }
        r.confusion = cm.counts();
        if (!ev.perSubject.isEmpty()) {
            r.perSubject = new LinkedHashMap<>();
            ev.perSubject.forEach(
                    (subject, s) -> {
                        PerSubject ps = new PerSubject();
                        ps.samples = s[0];
                        ps.correct = s[1];
                        ps.accuracy = s[0] == 0 ? 0 : (double) s[1] / s[0];
                        r.perSubject.put(subject, ps);
                    });
        }
        r.tta = ev.tta.toString();
        r.temperature = ev.temperature;
        List<Calibration.Bin> bins = ev.reliability(ev.temperature);
        if (!bins.isEmpty()) {
            r.ece = orNull(Calibration.ece(bins));
            r.nll = orNull(ev.nll(ev.temperature));
            r.reliability = new ArrayList<>();
            for (Calibration.Bin b : bins) {
                ReliabilityBin rb = new ReliabilityBin();
                rb.lower = b.lower();
                rb.upper = b.upper();
                rb.count = b.count();
                rb.meanConfidence = orNull(b.meanConfidence());
                rb.accuracy = orNull(b.accuracy());
                r.reliability.add(rb);
            }
        }
        r.seconds = ev.seconds;
        r.imagesPerSecond = ev.seconds > 0 ? ev.samplesSeen / ev.seconds : null;
        r.createdAt = java.time.Instant.now().toString();
        return r;
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    public ConfusionMatrix confusionMatrix() {
        return ConfusionMatrix.of(classes, confusion);
    }

    /**
     * Writes the report plus {@code <name>-confusion.csv}, {@code <name>-confusion.png} and, when
     * there are calibration bins, {@code <name>-reliability.png} beside it (each atomically);
     * returns the paths written.
     */
    public List<Path> write(Path json) {
        String base = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path dir = json.toAbsolutePath().getParent();
        Path csv = dir.resolve(base + "-confusion.csv");
        Path png = dir.resolve(base + "-confusion.png");
        AtomicFiles.Unchecked.write(json, out -> JSON.writeValue(new NonClosing(out), this));
        AtomicFiles.Unchecked.writeString(csv, confusionMatrix().toCsv());
        ConfusionPlot.writePng(
                confusionMatrix(),
                (dataset == null ? "" : dataset) + (sevenFromEight ? " (7 of 8)" : ""),
                png);
        if (reliability == null || reliability.isEmpty()) {
            return List.of(json, csv, png);
        }
        Path rel = dir.resolve(base + "-reliability.png");
        List<Calibration.Bin> bins = new ArrayList<>();
        for (ReliabilityBin b : reliability) {
            bins.add(
                    new Calibration.Bin(
                            b.lower,
                            b.upper,
                            b.count,
                            b.meanConfidence == null ? Double.NaN : b.meanConfidence,
                            b.accuracy == null ? Double.NaN : b.accuracy));
        }
        ReliabilityPlot.writePng(
                bins,
                (dataset == null ? "" : dataset)
                        + ", T="
                        + String.format(java.util.Locale.ROOT, "%.3f", temperature)
                        + (tta == null || tta.equals("none") ? "" : ", tta " + tta),
                rel);
        return List.of(json, csv, png, rel);
    }

    public static EvalReport read(Path json) {
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("report " + json + " does not exist");
        }
        EvalReport r;
        try {
            r = JSON.readValue(json.toFile(), EvalReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "report " + json + " is not a valid evaluation report: " + e.getMessage(), e);
        }
        // "{}" or another tool's JSON parses into an empty report: refuse it rather than compare
        // nothing
        if (r == null
                || r.classes == null
                || r.classes.isEmpty()
                || r.accuracy == null
                || r.confusion == null) {
            throw new IllegalArgumentException(
                    "report "
                            + json
                            + " is not an evaluation report (no classes, accuracy or confusion matrix;"
                            + " write one with fra-fer evaluate --out)");
        }
        return r;
    }

    /** Jackson closes the stream it writes to; AtomicFiles closes it itself. */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
