package org.frafer.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.frafer.io.AtomicFiles;

/**
 * The paper's clip classifier (AFEW protocol of Savchenko 2021): a linear SVM (LIBLINEAR,
 * L2-regularised L2-loss, dual solver, one-vs-rest, bias term) on clip descriptors ({@link
 * ClipFeatures}) standardised by the training set's mean and standard deviation per dimension.
 *
 * <p>Stored as a folder: {@code clip-classifier.json} (classes, C, the standardisation, which
 * emotion model made the features) and {@code clip-classifier.liblinear} (LIBLINEAR's own model
 * file).
 */
public final class ClipClassifier {
    public static final double DEFAULT_C = 1.1;
    public static final String META = "clip-classifier.json";
    public static final String WEIGHTS = "clip-classifier.liblinear";

    /** What is saved beside the LIBLINEAR model. */
    public record Meta(
            int formatVersion,
            List<String> classes,
            double c,
            int dimensions,
            double[] mean,
            double[] std,
            String emotionModel,
            String frameFeatures,
            double fps) {}

    /** A clip's class and the SVM's decision value per class (classes order). */
    public record Prediction(String label, Map<String, Double> scores) {}

    private final Meta meta;
    private final Model model;

    private ClipClassifier(Meta meta, Model model) {
        this.meta = meta;
        this.model = model;
    }

    public Meta meta() {
        return meta;
    }

    public List<String> classes() {
        return meta.classes();
    }

    /**
     * Trains on clip descriptors.
     *
     * @param emotionModel the emotion model folder that made the features (recorded, checked on
     *     use)
     * @param fps the sampling rate the descriptors were made at (recorded)
     */
    public static ClipClassifier train(
            List<double[]> x, List<String> y, double c, String emotionModel, double fps) {
        if (x.isEmpty() || x.size() != y.size()) {
            throw new IllegalArgumentException(
                    "need as many labels as clips and at least one clip, got "
                            + x.size()
                            + " clips and "
                            + y.size()
                            + " labels");
        }
        if (!(c > 0)) {
            throw new IllegalArgumentException("C must be positive, got " + c);
        }
        List<String> classes = new ArrayList<>(new TreeSet<>(y));
        if (classes.size() < 2) {
            throw new IllegalArgumentException(
                    "need clips of at least two classes, got only " + classes);
        }
        int d = x.get(0).length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (double[] v : x) {
            if (v.length != d) {
                throw new IllegalArgumentException(
                        "clip descriptors of different lengths: " + d + " and " + v.length);
            }
            for (int i = 0; i < d; i++) {
                mean[i] += v[i] / x.size();
            }
        }
        for (double[] v : x) {
            for (int i = 0; i < d; i++) {
                std[i] += (v[i] - mean[i]) * (v[i] - mean[i]) / x.size();
            }
        }
        for (int i = 0; i < d; i++) {
            std[i] =
                    std[i] > 1e-12
                            ? Math.sqrt(std[i])
                            : 1; // constant dimensions stay 0 after centring
        }
        Meta meta =
                new Meta(
                        1,
                        classes,
                        c,
                        d,
                        mean,
                        std,
                        emotionModel,
                        "FER embedding + class probabilities; mean, std, min, max over frames",
                        fps);
        Problem p = new Problem();
        p.l = x.size();
        p.n = d + 1;
        p.bias = 1;
        p.x = new Feature[x.size()][];
        p.y = new double[x.size()];
        for (int i = 0; i < x.size(); i++) {
            p.x[i] = features(meta, x.get(i));
            p.y[i] = classes.indexOf(y.get(i));
        }
        Linear.disableDebugOutput();
        Model m = Linear.train(p, new Parameter(SolverType.L2R_L2LOSS_SVC_DUAL, c, 0.1));
        return new ClipClassifier(meta, m);
    }

    private static Feature[] features(Meta meta, double[] v) {
        if (v.length != meta.dimensions()) {
            throw new IllegalArgumentException(
                    "clip descriptor has "
                            + v.length
                            + " dimensions, the classifier expects "
                            + meta.dimensions()
                            + " (made with another emotion model?)");
        }
        Feature[] f = new Feature[v.length + 1];
        for (int i = 0; i < v.length; i++) {
            f[i] = new FeatureNode(i + 1, (v[i] - meta.mean()[i]) / meta.std()[i]);
        }
        f[v.length] =
                new FeatureNode(
                        v.length + 1, 1); // LIBLINEAR's bias feature is appended by the caller
        return f;
    }

    public Prediction predict(double[] descriptor) {
        Feature[] f = features(meta, descriptor);
        int[] labels = model.getLabels();
        double[] dec = new double[labels.length];
        double best = Linear.predictValues(model, f, dec);
        Map<String, Double> scores = new LinkedHashMap<>();
        if (labels.length == 2) {
            // Two classes: one decision value, positive for labels[0].
            scores.put(meta.classes().get(labels[0]), dec[0]);
            scores.put(meta.classes().get(labels[1]), -dec[0]);
        } else {
            for (int i = 0; i < labels.length; i++) {
                scores.put(meta.classes().get(labels[i]), dec[i]);
            }
        }
        return new Prediction(meta.classes().get((int) best), scores);
    }

    /**
     * Writes the two files into a folder (created); existing classifier files there are refused.
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : List.of(META, WEIGHTS)) {
            if (Files.exists(dir.resolve(name))) {
                throw new IOException(
                        dir.resolve(name) + ": exists; remove it or choose another folder");
            }
        }
        StringWriter w = new StringWriter();
        Linear.saveModel(w, model);
        AtomicFiles.writeString(dir.resolve(WEIGHTS), w.toString());
        AtomicFiles.writeString(dir.resolve(META), mapper().writeValueAsString(meta));
    }

    /** Loads a classifier folder; a one-line error naming the folder when it is not one. */
    public static ClipClassifier load(Path dir) {
        Path m = dir.resolve(META);
        Path w = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(m) || !Files.isRegularFile(w)) {
            throw new IllegalArgumentException(
                    dir
                            + ": no clip classifier here (expected "
                            + META
                            + " and "
                            + WEIGHTS
                            + "; make one with `video train`)");
        }
        try {
            Meta meta = mapper().readValue(m.toFile(), Meta.class);
            Model model = Model.load(new StringReader(Files.readString(w)));
            if (meta.mean() == null
                    || meta.std() == null
                    || meta.mean().length != meta.dimensions()
                    || meta.std().length != meta.dimensions()) {
                throw new IOException(
                        "standardisation does not match " + meta.dimensions() + " dimensions");
            }
            return new ClipClassifier(meta, model);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    dir + ": unreadable clip classifier (" + e.getMessage() + ")", e);
        }
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
}
