package org.frafer.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.bench.ModelBench;
import org.frafer.data.EmotionClasses;
import org.frafer.faces.FrBackbone;
import org.frafer.model.EfficientNet;
import org.frafer.model.EfficientNetFrBackbone;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.FraFerNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fra-fer model ...}: inspect and benchmark FRA-FER networks. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description =
                "Inspect (summary), benchmark (bench) and convert (convert) FRA-FER networks.",
        subcommands = {ModelCommand.Summary.class, ModelBench.class, ModelCommand.Convert.class})
public final class ModelCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    /** Network options shared by summary and bench. */
    public static final class NetOptions {
        @Option(
                names = "--arch",
                defaultValue = "tf_efficientnet_b0",
                completionCandidates = org.frafer.model.Registry.FerBackboneNames.class,
                description = "FER backbone: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        public String arch;

        @Option(
                names = "--fusion",
                defaultValue = "fra",
                completionCandidates = org.frafer.model.Registry.FusionNames.class,
                description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        public String fusion;

        @Option(
                names = "--tap",
                defaultValue = "post",
                description =
                        "where the fusion acts on layer q: post (after norm + activation) or pre (last conv output before the norm; q = 1: conv_stem's signed output) (default: ${DEFAULT-VALUE})")
        public String tap;

        @Option(
                names = "--classes",
                defaultValue = "8",
                description =
                        "number of classes: 8 (AffectNet-8 order), 7, or any n >= 2 (default: ${DEFAULT-VALUE})")
        public int classes;

        @Option(
                names = "--p",
                defaultValue = "1",
                description =
                        "FR layer feeding the attention, 1 = stem (default: ${DEFAULT-VALUE})")
        public int p;

        @Option(
                names = "--q",
                defaultValue = "1",
                description =
                        "FER layer the fusion is applied to, 1 = stem (default: ${DEFAULT-VALUE})")
        public int q;

        @Option(
                names = "--input-size",
                defaultValue = "224",
                description = "square FER input side (default: ${DEFAULT-VALUE})")
        public int inputSize;

        @Option(
                names = "--fr",
                defaultValue = "tf_efficientnet_b0",
                completionCandidates = org.frafer.model.Registry.FrBackboneNames.class,
                description = "FR backbone: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        public String fr;

        @Option(
                names = "--fr-weights",
                description =
                        "FR weights (safetensors, timm names); random weights when omitted (shapes only)")
        public Path frWeights;

        public ModelConfig toConfig() {
            ModelConfig c = new ModelConfig();
            c.arch = arch;
            c.fusion = fusion;
            c.tap = tap;
            c.p = p;
            c.q = q;
            c.inputSize = inputSize;
            c.frBackbone = fr;
            c.frWeights = frWeights == null ? null : frWeights.toAbsolutePath().toString();
            if (classes == 8) {
                c.classes = new ArrayList<>(EmotionClasses.EIGHT);
            } else if (classes == 7) {
                c.classes = new ArrayList<>(EmotionClasses.SEVEN);
            } else {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < classes; i++) {
                    names.add("class" + i);
                }
                c.classes = names;
            }
            return c.validate();
        }
    }

    @Command(
            name = "convert",
            mixinStandardHelpOptions = true,
            description =
                    "Re-save a model folder with float16 (half the size; values rounded) or float32 weights.",
            footer =
                    "%nExample: fra-fer model convert --model runs/best/model --out models/default --dtype f16")
    public static final class Convert implements Callable<Integer> {
        @Option(
                names = "--model",
                required = true,
                description = "model folder to read (config.json + model.safetensors)")
        Path model;

        @Option(
                names = "--out",
                required = true,
                description =
                        "model folder to write (created; existing files are replaced atomically)")
        Path out;

        @Option(
                names = "--dtype",
                defaultValue = "f16",
                description = "f16 or f32 (default: ${DEFAULT-VALUE})")
        String dtype;

        @Override
        public Integer call() {
            org.frafer.io.SafeTensors.DType d =
                    switch (dtype.toLowerCase(Locale.ROOT)) {
                        case "f16" -> org.frafer.io.SafeTensors.DType.F16;
                        case "f32" -> org.frafer.io.SafeTensors.DType.F32;
                        default -> null;
                    };
            if (d == null) {
                System.err.println(
                        "fra-fer model convert: --dtype must be f16 or f32, got '" + dtype + "'");
                return 2;
            }
            FraFerNetwork n;
            try {
                n = Networks.load(model);
            } catch (IllegalArgumentException e) {
                System.err.println("fra-fer model convert: " + e.getMessage());
                return 2;
            }
            try (n) {
                n.save(out, d);
            }
            System.out.println(
                    "wrote "
                            + out.resolve(org.frafer.model.ModelFiles.WEIGHTS)
                            + " ("
                            + dtype
                            + ")");
            return 0;
        }
    }

    @Command(
            name = "summary",
            mixinStandardHelpOptions = true,
            description =
                    "Print layers, the shapes at p and q (from a real forward pass on a random image) and parameter counts.")
    public static final class Summary implements Callable<Integer> {
        @picocli.CommandLine.Mixin NetOptions net = new NetOptions();

        @Option(
                names = "--model",
                description =
                        "summarise a saved model folder instead of building one from the options")
        Path model;

        @Override
        public Integer call() {
            FraFerNetwork n;
            try {
                n = model != null ? Networks.load(model) : Networks.create(net.toConfig());
            } catch (IllegalArgumentException e) {
                System.err.println("fra-fer model summary: " + e.getMessage());
                return 2;
            }
            try (n;
                    NDManager m = NDManager.newBaseManager()) {
                System.out.print(render(n, m));
            }
            return 0;
        }
    }

    static String fmt(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static String shape(Shape s) {
        return s.toString();
    }

    /** The summary text (also used by tests). */
    public static String render(FraFerNetwork net, NDManager m) {
        ModelConfig c = net.config();
        StringBuilder sb = new StringBuilder();
        FrBackbone fr = net.fr();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "FRA-FER network: FER %s, fusion %s, %d classes %s, input %dx%d, p=%d, q=%d, tap=%s%n",
                        c.arch,
                        c.fusion,
                        c.numClasses(),
                        c.classes,
                        c.inputSize,
                        c.inputSize,
                        c.p,
                        c.q,
                        c.tap));
        if (fr != null) {
            boolean random = fr instanceof EfficientNetFrBackbone e && e.hasRandomWeights();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "FR branch: %s (frozen), input %dx%d%s%n",
                            fr.id(),
                            fr.inputSize(),
                            fr.inputSize(),
                            random ? ", RANDOM weights (stand-in: shapes only)" : ""));
        } else {
            sb.append("FR branch: none (fusion '").append(c.fusion).append("' does not use one)\n");
        }
        sb.append(
                String.format(
                        Locale.ROOT, "%nFER layers (output C, H, W at input %d):%n", c.inputSize));
        for (int k = 1; k <= net.fer().numLayers(); k++) {
            String mark =
                    k != c.q || net.fusion() == null
                            ? ""
                            : "pre".equals(c.tap)
                                    ? "  <- q: "
                                            + c.fusion
                                            + " fusion (tap pre: "
                                            + net.fer().describePreTap(k)
                                            + ")"
                                    : "  <- q: "
                                            + c.fusion
                                            + " fusion (tap post: the layer's output)";
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %2d  %-30s %s%s%n",
                            k,
                            net.fer().describeLayer(k),
                            shape(net.fer().mapShape(k, c.inputSize)),
                            mark));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "     %-30s %s%n",
                        "pool + dropout + classifier",
                        "(" + net.fer().classifierInFeatures() + " -> " + c.numClasses() + ")"));
        // a real forward pass confirms the shapes
        EmotionNetwork.Outputs o =
                net.predict(m.randomUniform(0, 1, new Shape(1, 3, c.inputSize, c.inputSize)));
        sb.append("\nShapes from a forward pass (batch 1):\n");
        boolean readsFrMap = net.fusion() != null && net.fusion().needsFrFeatures();
        long frEmbedding =
                o.embedding().getShape().get(1)
                        - net.fer().mapShape(net.fer().numLayers(), c.inputSize).get(0);
        if (fr != null && readsFrMap) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  H_FR_p  (FR layer %d)    %s%n",
                            c.p,
                            shape(fr.featureShape(c.p))));
        }
        if (fr != null && frEmbedding > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  FR embedding            (%d) concatenated to the FER embedding%n",
                            frEmbedding));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  H_FER_q (FER layer %d)   %s%n",
                        c.q,
                        shape(o.featureBefore().getShape().slice(1))));
        if (o.attention() != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  attention S             %s%n",
                            shape(o.attention().getShape().slice(1))));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  embedding               %s%n",
                        shape(o.embedding().getShape().slice(1))));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  logits                  %s%n",
                        shape(o.logits().getShape().slice(1))));

        long fer = EfficientNet.countParameters(net.fer().namedParameters().values());
        long fusion =
                net.fusion() == null
                        ? 0
                        : EfficientNet.countParameters(net.fusion().namedParameters().values());
        long trainable =
                net.trainableParameters().stream()
                        .mapToLong(p -> EfficientNet.countParameters(List.of(p)))
                        .sum();
        sb.append("\nParameters (torch convention: BN running statistics not counted):\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  trainable  %12s  (FER %s + fusion %s)%n",
                        fmt(trainable),
                        fmt(fer),
                        fmt(fusion)));
        if (fr != null && fr.parameterCount() >= 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  frozen FR  %12s  (%s, all layers; %s)%n",
                            fmt(fr.parameterCount()),
                            fr.id(),
                            frEmbedding > 0
                                    ? "forward runs the whole FR net for its embedding"
                                    : "forward runs to layer " + c.p + " only"));
        } else if (fr != null) {
            sb.append("  frozen FR  (count not known for this backbone)\n");
        } else {
            sb.append(String.format(Locale.ROOT, "  frozen FR  %12s%n", "0"));
        }
        return sb.toString();
    }
}
