package org.frafer.tfjs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.frafer.nn.SameConv;
import org.frafer.nn.TfSamePadding;

/**
 * A TF.js graph model as a DJL block: a small interpreter that evaluates the graph's nodes on
 * NDArrays.
 *
 * <p>Design: every floating-point constant of the graph (conv kernels, folded BatchNorm
 * scales/offsets, biases, PReLU slopes) is a DJL {@link Parameter} named by its TF.js node name, so
 * the same import serves as a frozen branch ({@link #freezeParameters}, the default) and as a
 * trainable, face-pretrained backbone (unfreeze, then train like any block: values are read through
 * the {@link ParameterStore}). Integer constants (shapes, axes, paddings) are plain Java arrays.
 * Tensors stay in TensorFlow's NHWC layout so that axis attributes mean what the graph says;
 * convolutions and pools are run by permuting to NCHW views (PyTorch then sees a channels-last
 * tensor) with TF's asymmetric SAME padding applied explicitly.
 *
 * <p>Any node can be read by name ({@link #run}); only the sub-graph the requested nodes depend on
 * is evaluated, and intermediates are released as soon as their last consumer ran (inference only).
 * Unsupported ops are rejected when the block is built, listing each op and the nodes using it.
 *
 * <p>Size: Over 400 lines (issue 14 split not done yet): validation, parameter registration, node
 * scheduling, the op switch and conv-chain planning still share the graph state; the planned split
 * is TfjsOps (the switch), ConvChains (planning + cache) and a small runner.
 */
public class TfjsGraphBlock extends AbstractBlock {

    static final Set<String> SUPPORTED_OPS =
            Set.of(
                    "Const",
                    "Placeholder",
                    "Identity",
                    "Conv2D",
                    "_FusedConv2D",
                    "DepthwiseConv2dNative",
                    "FusedDepthwiseConv2dNative",
                    "Add",
                    "AddV2",
                    "BiasAdd",
                    "Sub",
                    "Mul",
                    "RealDiv",
                    "Maximum",
                    "Minimum",
                    "Relu",
                    "Relu6",
                    "Prelu",
                    "Sigmoid",
                    "Tanh",
                    "Abs",
                    "Neg",
                    "Square",
                    "Sqrt",
                    "Rsqrt",
                    "Exp",
                    "Softmax",
                    "Mean",
                    "Sum",
                    "Max",
                    "MatMul",
                    "_FusedMatMul",
                    "Reshape",
                    "Squeeze",
                    "ConcatV2",
                    "Pad",
                    "PadV2",
                    "MaxPool",
                    "AvgPool",
                    "Transpose",
                    "ResizeBilinear");

    private final String source;
    private final Map<String, TfjsNode> nodes = new LinkedHashMap<>();
    private final Map<String, Parameter> weightParams = new HashMap<>();
    private final Map<String, int[]> intConsts = new HashMap<>();
    private final List<String> placeholders = new ArrayList<>();
    private final NDManager weightManager;
    private boolean anyInputSize;

    /**
     * Convolution kernels in PyTorch's channels-last layout (BatchNorm scale folded in), by conv
     * node; see {@link #kernel}.
     */
    private final Map<String, CachedKernel> kernels =
            new java.util.concurrent.ConcurrentHashMap<>();

    private volatile boolean snapshot;

    /**
     * Conv chains per (wanted nodes, fed nodes): they depend on the graph only, so each run shape
     * is planned once.
     */
    private final Map<List<List<String>>, Map<String, ConvChain>> chainPlans =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record CachedKernel(Object kernelHandle, Object scaleHandle, NDArray torchKernel) {}

    /** Reads {@code model.json} and its shards; the block's parameters are frozen (no gradient). */
    public static TfjsGraphBlock load(Path modelJson, NDManager weightManager) {
        return new TfjsGraphBlock(TfjsModelFile.read(modelJson), weightManager);
    }

    public TfjsGraphBlock(TfjsModelFile model, NDManager weightManager) {
        super((byte) 1);
        this.source = model.file().toString();
        this.weightManager = weightManager;
        Map<String, List<String>> unsupported = new TreeMap<>();
        for (TfjsNode n : model.nodes()) {
            if (nodes.put(n.name(), n) != null) {
                throw new TfjsModelException(source + ": duplicate node name '" + n.name() + "'");
            }
            if (!SUPPORTED_OPS.contains(n.op())) {
                unsupported.computeIfAbsent(n.op(), k -> new ArrayList<>()).add(n.name());
            }
        }
        if (!unsupported.isEmpty()) {
            StringBuilder sb = new StringBuilder(source + ": unsupported TF.js op(s):");
            unsupported.forEach(
                    (op, names) ->
                            sb.append(' ')
                                    .append(op)
                                    .append(" (nodes ")
                                    .append(
                                            names.size() > 5
                                                    ? String.join(", ", names.subList(0, 5))
                                                            + ", ... "
                                                            + names.size()
                                                            + " in all"
                                                    : String.join(", ", names))
                                    .append(");"));
            throw new TfjsModelException(sb.toString());
        }
        for (TfjsNode n : model.nodes()) {
            for (String in : n.inputs()) {
                if (!nodes.containsKey(in)) {
                    throw new TfjsModelException(
                            source + ": node '" + n.name() + "' reads unknown node '" + in + "'");
                }
            }
            if ("Placeholder".equals(n.op())) {
                placeholders.add(n.name());
            } else if ("Const".equals(n.op())) {
                TfjsModelFile.Weight w = model.weights().get(n.name());
                if (w == null) {
                    throw new TfjsModelException(
                            source
                                    + ": constant '"
                                    + n.name()
                                    + "' has no entry in weightsManifest");
                }
                long[] declared = n.declaredShape();
                if (declared != null && !Arrays.equals(declared, w.shape())) {
                    throw new TfjsModelException(
                            source
                                    + ": shape mismatch for constant '"
                                    + n.name()
                                    + "': graph declares "
                                    + Arrays.toString(declared)
                                    + ", weightsManifest has "
                                    + Arrays.toString(w.shape()));
                }
                if (w.isFloat()) {
                    NDArray arr = weightManager.create(w.floats(), new Shape(w.shape()));
                    arr.setName(n.name());
                    Parameter p =
                            Parameter.builder()
                                    .setName(n.name())
                                    .setType(Parameter.Type.WEIGHT)
                                    .optArray(arr)
                                    .optRequiresGrad(false)
                                    .build();
                    weightParams.put(n.name(), addParameter(p));
                } else {
                    intConsts.put(n.name(), w.ints());
                }
            }
        }
        freezeParameters(true);
    }

    /**
     * From now on inference runs also keep trainable kernels in the converted layout between calls
     * (frozen kernels always are), until {@link #dropInferenceSnapshot} or a training run. Call it
     * when the weights are final, e.g. on a trained model loaded for prediction.
     */
    public TfjsGraphBlock snapshotForInference() {
        snapshot = true;
        return this;
    }

    /**
     * Forgets the converted kernels (the next inference run converts them again from the
     * parameters).
     */
    public void dropInferenceSnapshot() {
        snapshot = false;
        List<CachedKernel> old = new ArrayList<>(kernels.values());
        kernels.clear();
        for (CachedKernel k : old) {
            k.torchKernel().close();
        }
    }

    /**
     * Accepts inputs of any height and width (NHWC axes 1 and 2) although the graph declares fixed
     * ones: for fully convolutional graphs used at another resolution (e.g. a face trunk fine-tuned
     * at 112 px).
     */
    public TfjsGraphBlock allowAnyInputSize() {
        anyInputSize = true;
        return this;
    }

    /**
     * Graph constants the given nodes depend on (weight parameters only), in graph order: what a
     * trunk cut at those nodes uses, e.g. to train just those.
     */
    public Map<String, Parameter> weightParametersFor(Collection<String> outputs) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (String name : topoOrder(outputs, Set.of())) {
            Parameter p = weightParams.get(name);
            if (p != null) {
                out.put(name, p);
            }
        }
        return out;
    }

    public List<String> placeholders() {
        return List.copyOf(placeholders);
    }

    public TfjsNode node(String name) {
        TfjsNode n = nodes.get(name);
        if (n == null) {
            throw new TfjsModelException(source + ": no node named '" + name + "'");
        }
        return n;
    }

    public Collection<TfjsNode> nodes() {
        return nodes.values();
    }

    /** The graph's weight parameters by TF.js node name. */
    public Map<String, Parameter> weightParameters() {
        return Map.copyOf(weightParams);
    }

    /**
     * Evaluates the requested nodes. {@code feeds}: placeholder (or any inner node, which then
     * replaces the sub-graph computing it) name -> NHWC array (exactly as the TF.js model expects
     * it). Returned arrays are attached to the first feed's manager; all intermediates are
     * released.
     */
    public Map<String, NDArray> run(
            ParameterStore ps,
            Map<String, NDArray> feeds,
            Collection<String> wanted,
            boolean training) {
        if (training && snapshot) {
            dropInferenceSnapshot(); // the weights are about to change
        }
        for (String f : feeds.keySet()) {
            node(f); // fails naming an unknown fed node
        }
        // Feeding an inner node (e.g. a fused feature map) replaces the sub-graph that computes it.
        boolean innerFeed = feeds.keySet().stream().anyMatch(f -> !placeholders.contains(f));
        for (String p : placeholders) {
            NDArray f = feeds.get(p);
            if (f == null) {
                if (innerFeed) {
                    continue;
                }
                throw new TfjsModelException(source + ": no input fed for placeholder '" + p + "'");
            }
            long[] declared = nodes.get(p).declaredShape();
            long[] actual = f.getShape().getShape();
            boolean ok = declared == null || declared.length == actual.length;
            for (int i = 0; ok && i < declared.length; i++) {
                ok =
                        declared[i] < 0
                                || declared[i] == actual[i]
                                || (i == 0 && declared[i] == 1)
                                || (anyInputSize && (i == 1 || i == 2));
            }
            if (!ok) {
                throw new TfjsModelException(
                        source
                                + ": shape mismatch for input '"
                                + p
                                + "': model expects "
                                + Arrays.toString(declared)
                                + " (NHWC, -1 = any), got "
                                + Arrays.toString(actual));
            }
        }
        NDManager outManager = feeds.values().iterator().next().getManager();
        // Evaluation order and consumer counts restricted to what `wanted` depends on.
        List<String> order = topoOrder(wanted, feeds.keySet());
        Map<String, Integer> pending = new HashMap<>();
        for (String name : order) {
            if (feeds.containsKey(name)) {
                continue;
            }
            for (String in : nodes.get(name).inputs()) {
                pending.merge(in, 1, Integer::sum);
            }
        }
        Set<String> keep = new HashSet<>(wanted);
        // Inference: a conv and the per-channel Mul / bias Add / ReLU(6) after it run as one conv
        // call.
        Map<String, ConvChain> chains =
                training
                        ? Map.of()
                        : chainPlans.computeIfAbsent(
                                List.of(
                                        List.copyOf(wanted),
                                        List.copyOf(new java.util.TreeSet<>(feeds.keySet()))),
                                k -> convChains(order, pending, keep, feeds.keySet()));
        Set<String> absorbed = new HashSet<>();
        for (ConvChain c : chains.values()) {
            absorbed.addAll(c.absorbed());
        }
        Map<String, NDArray> values = new HashMap<>();
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDManager scratch = outManager.newSubManager()) {
            for (String name : order) {
                if (absorbed.contains(name)) {
                    continue; // computed by its chain's last node, which also releases its inputs
                }
                TfjsNode n = nodes.get(name);
                ConvChain chain = chains.get(name);
                NDArray v;
                boolean fed = feeds.containsKey(name);
                try {
                    v =
                            fed
                                    ? feeds.get(name)
                                    : chain != null
                                            ? chain.evaluate(values)
                                            : evaluate(n, values, feeds, ps, scratch, training);
                } catch (TfjsModelException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new TfjsModelException(
                            source
                                    + ": "
                                    + n
                                    + " failed on inputs "
                                    + shapes(n, values)
                                    + ": "
                                    + e.getMessage(),
                            e);
                }
                if (!training && v != null && !fed && !isShared(n)) {
                    v.attach(scratch); // freed below as soon as its last consumer ran
                }
                values.put(name, v);
                if (keep.contains(name)) {
                    out.put(name, v);
                }
                if (!training && !fed) {
                    for (String in : chain != null ? chain.inputs() : n.inputs()) {
                        if (pending.merge(in, -1, Integer::sum) == 0 && !keep.contains(in)) {
                            NDArray dead = values.remove(in);
                            if (dead != null
                                    && !isShared(nodes.get(in))
                                    && dead.getManager() == scratch) {
                                dead.close();
                            }
                        }
                    }
                }
            }
            for (Map.Entry<String, NDArray> e : out.entrySet()) {
                if (e.getValue().getManager() == scratch) {
                    e.getValue().attach(outManager);
                }
            }
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (String w : wanted) {
            ordered.put(w, out.get(w));
        }
        return ordered;
    }

    /** Convenience for inference: one placeholder, frozen weights. */
    public Map<String, NDArray> run(NDArray input, Collection<String> wanted) {
        if (placeholders.size() != 1) {
            throw new TfjsModelException(
                    source
                            + ": has "
                            + placeholders.size()
                            + " inputs "
                            + placeholders
                            + ", feed them by name");
        }
        return run(
                new ParameterStore(input.getManager(), false),
                Map.of(placeholders.get(0), input),
                wanted,
                false);
    }

    /** Arrays the graph does not own: weights and fed inputs. */
    private static boolean isShared(TfjsNode n) {
        return "Const".equals(n.op()) || "Placeholder".equals(n.op());
    }

    private String shapes(TfjsNode n, Map<String, NDArray> values) {
        List<String> s = new ArrayList<>();
        for (String in : n.inputs()) {
            NDArray v = values.get(in);
            s.add(
                    in
                            + (v == null
                                    ? (intConsts.containsKey(in)
                                            ? "=" + Arrays.toString(intConsts.get(in))
                                            : "")
                                    : v.getShape().toString()));
        }
        return s.toString();
    }

    private List<String> topoOrder(Collection<String> wanted, Set<String> fed) {
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> onStack = new HashSet<>();
        for (String w : wanted) {
            node(w);
            Deque<Object[]> stack = new ArrayDeque<>();
            if (done.contains(w)) {
                continue;
            }
            stack.push(new Object[] {w, 0});
            onStack.add(w);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                String name = (String) top[0];
                List<String> ins = fed.contains(name) ? List.of() : nodes.get(name).inputs();
                int i = (Integer) top[1];
                if (i < ins.size()) {
                    top[1] = i + 1;
                    String in = ins.get(i);
                    if (!done.contains(in)) {
                        if (!onStack.add(in)) {
                            throw new TfjsModelException(
                                    source + ": cycle through node '" + in + "'");
                        }
                        stack.push(new Object[] {in, 0});
                    }
                } else {
                    stack.pop();
                    onStack.remove(name);
                    done.add(name);
                    order.add(name);
                }
            }
        }
        return order;
    }

    private NDArray in(TfjsNode n, int i, Map<String, NDArray> values) {
        String name = n.inputs().get(i);
        NDArray v = values.get(name);
        if (v == null) {
            throw new TfjsModelException(
                    source + ": " + n + " input " + i + " ('" + name + "') is not a float tensor");
        }
        return v;
    }

    private int[] intInput(TfjsNode n, int i) {
        String name = n.inputs().get(i);
        int[] v = intConsts.get(name);
        if (v == null) {
            throw new TfjsModelException(
                    source
                            + ": "
                            + n
                            + " needs constant int32 input '"
                            + name
                            + "' (dynamic shapes are not supported)");
        }
        return v;
    }

    private NDArray evaluate(
            TfjsNode n,
            Map<String, NDArray> v,
            Map<String, NDArray> feeds,
            ParameterStore ps,
            NDManager scratch,
            boolean training) {
        switch (n.op()) {
            case "Const":
                {
                    Parameter p = weightParams.get(n.name());
                    if (p == null) {
                        return null; // integer constant: consumed as Java array
                    }
                    NDArray device = feeds.values().iterator().next();
                    NDArray w =
                            ps == null
                                    ? p.getArray()
                                    : ps.getValue(p, device.getDevice(), training);
                    // A view owned by this run: arrays derived from it (transposed kernels, ...)
                    // then belong
                    // to the run's scratch manager and are freed with it, not kept by the weights'
                    // manager.
                    NDArray view = w.reshape(w.getShape());
                    view.attach(scratch);
                    return view;
                }
            case "Placeholder":
                return feeds.get(n.name());
            case "Identity":
                return in(n, 0, v)
                        .duplicate(); // a copy, so freeing the input cannot free the output
            case "Conv2D":
            case "_FusedConv2D":
            case "DepthwiseConv2dNative":
            case "FusedDepthwiseConv2dNative":
                {
                    boolean depthwise = n.op().contains("Depthwise");
                    NDArray x = in(n, 0, v);
                    NDArray k = in(n, 1, v);
                    checkKernel(n, x, k.getShape());
                    NDArray w =
                            training ? torchLayout(k, depthwise) : kernel(n, null, v, depthwise);
                    return fused(
                            n, convTorch(n, x, w, k.getShape(), fusedBias(n, v), depthwise), v);
                }
            case "Add":
            case "AddV2":
            case "BiasAdd":
                return in(n, 0, v).add(in(n, 1, v));
            case "Sub":
                return in(n, 0, v).sub(in(n, 1, v));
            case "Mul":
                return in(n, 0, v).mul(in(n, 1, v));
            case "RealDiv":
                return in(n, 0, v).div(in(n, 1, v));
            case "Maximum":
                return in(n, 0, v).maximum(in(n, 1, v));
            case "Minimum":
                return in(n, 0, v).minimum(in(n, 1, v));
            case "Relu":
                return relu(in(n, 0, v));
            case "Relu6":
                return in(n, 0, v).clip(0, 6);
            case "Prelu":
                return prelu(in(n, 0, v), in(n, 1, v));
            case "Sigmoid":
                return ai.djl.nn.Activation.sigmoid(in(n, 0, v));
            case "Tanh":
                return in(n, 0, v).tanh();
            case "Abs":
                return in(n, 0, v).abs();
            case "Neg":
                return in(n, 0, v).neg();
            case "Square":
                return in(n, 0, v).square();
            case "Sqrt":
                return in(n, 0, v).sqrt();
            case "Rsqrt":
                return in(n, 0, v).sqrt().pow(-1);
            case "Exp":
                return in(n, 0, v).exp();
            case "Softmax":
                return in(n, 0, v).softmax(-1);
            case "Mean":
            case "Sum":
            case "Max":
                {
                    NDArray x = in(n, 0, v);
                    int[] axes = normaliseAxes(intInput(n, 1), x.getShape().dimension());
                    boolean keep = n.bool("keep_dims", false);
                    // One axis at a time (the PyTorch engine reduces a single axis per call), last
                    // axis first.
                    int[] sorted = Arrays.stream(axes).distinct().sorted().toArray();
                    for (int i = sorted.length - 1; i >= 0; i--) {
                        int[] one = {sorted[i]};
                        x =
                                switch (n.op()) {
                                    case "Mean" -> x.mean(one, true);
                                    case "Sum" -> x.sum(one, true);
                                    default -> x.max(one, true);
                                };
                    }
                    return keep || sorted.length == 0 ? x : x.squeeze(sorted);
                }
            case "MatMul":
            case "_FusedMatMul":
                {
                    NDArray a = in(n, 0, v);
                    NDArray b = in(n, 1, v);
                    if (n.bool("transpose_a", false)) {
                        a = a.transpose();
                    }
                    if (n.bool("transpose_b", false)) {
                        b = b.transpose();
                    }
                    return fused(n, a.matMul(b), v);
                }
            case "Reshape":
                {
                    int[] shape = intInput(n, 1);
                    long[] s = new long[shape.length];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = shape[i];
                    }
                    return in(n, 0, v).reshape(new Shape(s));
                }
            case "Squeeze":
                {
                    NDArray x = in(n, 0, v);
                    int[] dims = n.ints("squeeze_dims", null);
                    return dims == null
                            ? x.squeeze()
                            : x.squeeze(normaliseAxes(dims, x.getShape().dimension()));
                }
            case "ConcatV2":
                {
                    int k = n.inputs().size() - 1;
                    NDList parts = new NDList();
                    for (int i = 0; i < k; i++) {
                        parts.add(in(n, i, v));
                    }
                    int axis = intInput(n, k)[0];
                    return NDArrays.concat(
                            parts, axis < 0 ? axis + parts.get(0).getShape().dimension() : axis);
                }
            case "Pad":
            case "PadV2":
                {
                    NDArray x = in(n, 0, v);
                    int[] pads = intInput(n, 1);
                    double value = 0;
                    if ("PadV2".equals(n.op())) {
                        value = in(n, 2, v).toFloatArray()[0];
                    }
                    return pad(x, pads, value);
                }
            case "MaxPool":
            case "AvgPool":
                return pool(n, in(n, 0, v));
            case "Transpose":
                {
                    return in(n, 0, v).transpose(intInput(n, 1));
                }
            case "ResizeBilinear":
                {
                    int[] size = intInput(n, 1);
                    NDArray nchw = in(n, 0, v).transpose(0, 3, 1, 2);
                    return Bilinear.resizeNchw(
                                    nchw,
                                    size[0],
                                    size[1],
                                    n.bool("align_corners", false),
                                    n.bool("half_pixel_centers", false))
                            .transpose(0, 2, 3, 1);
                }
            default:
                throw new TfjsModelException(source + ": unsupported op " + n);
        }
    }

    private static int[] normaliseAxes(int[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        return out;
    }

    private static NDArray relu(NDArray x) {
        return x.maximum(0f);
    }

    private static NDArray prelu(NDArray x, NDArray alpha) {
        // TF.js: x < 0 ? alpha * x : x
        return x.maximum(0f).add(x.minimum(0f).mul(alpha));
    }

    /**
     * Applies the {@code fused_ops} of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul.
     */
    private NDArray fused(TfjsNode n, NDArray y, Map<String, NDArray> v) {
        if (!n.op().startsWith("_Fused") && !n.op().startsWith("Fused")) {
            return y;
        }
        List<String> ops = n.strings("fused_ops");
        int arg = 2;
        if (fusedBias(n, v) != null) {
            ops = ops.subList(1, ops.size()); // the bias went into the conv call
            arg++;
        }
        for (String op : ops) {
            switch (op) {
                case "BiasAdd" -> y = y.add(in(n, arg++, v));
                case "Relu" -> y = relu(y);
                case "Relu6" -> y = y.clip(0, 6);
                case "Prelu" -> y = prelu(y, in(n, arg++, v));
                case "LeakyRelu" -> {
                    float a = n.real("leakyrelu_alpha", 0.2f);
                    y = y.maximum(0f).add(y.minimum(0f).mul(a));
                }
                case "Sigmoid" -> y = ai.djl.nn.Activation.sigmoid(y);
                case "Elu" -> y = ai.djl.nn.Activation.elu(y, 1f);
                default ->
                        throw new TfjsModelException(
                                source + ": " + n + " has unsupported fused op '" + op + "'");
            }
        }
        return y;
    }

    /**
     * The bias of a fused conv whose first fused op is BiasAdd (added by the conv call itself),
     * else null.
     */
    private NDArray fusedBias(TfjsNode n, Map<String, NDArray> v) {
        if (!n.op().equals("_FusedConv2D") && !n.op().equals("FusedDepthwiseConv2dNative")) {
            return null;
        }
        List<String> ops = n.strings("fused_ops");
        return !ops.isEmpty() && "BiasAdd".equals(ops.get(0)) ? in(n, 2, v).reshape(-1) : null;
    }

    /**
     * A plain Conv2D / DepthwiseConv2dNative followed by single-consumer nodes the conv call can
     * absorb: a Mul by a per-channel (or scalar) constant (folded BatchNorm scale, folded into the
     * kernel), an Add of a per-channel constant (the conv's bias), then Relu, Relu6 or Relu ->
     * Minimum(c) -> Maximum(d <= 0) (one clip). Each absorbed node would otherwise be a full pass
     * over the feature map.
     */
    private final class ConvChain {
        final TfjsNode conv;
        final List<String> members =
                new ArrayList<>(); // conv first, last = the node whose value the chain yields
        String mul;
        String bias;
        String activation; // null, "relu", or "clip"
        float clipMax = 6f;

        ConvChain(TfjsNode conv) {
            this.conv = conv;
            members.add(conv.name());
        }

        String last() {
            return members.get(members.size() - 1);
        }

        /** Nodes evaluated by the chain, without the last one. */
        List<String> absorbed() {
            return members.subList(0, members.size() - 1);
        }

        /**
         * Inputs of all members (internal edges included: they hold no value and are skipped when
         * released).
         */
        List<String> inputs() {
            List<String> all = new ArrayList<>();
            for (String m : members) {
                all.addAll(nodes.get(m).inputs());
            }
            return all;
        }

        NDArray evaluate(Map<String, NDArray> v) {
            boolean depthwise = conv.op().equals("DepthwiseConv2dNative");
            Shape ks = in(conv, 1, v).getShape();
            NDArray x = in(conv, 0, v);
            checkKernel(conv, x, ks);
            NDArray b = null;
            if (bias != null) {
                b = v.get(bias).reshape(-1);
                if (b.size() == 1) {
                    b = b.broadcast(new Shape(depthwise ? ks.get(2) * ks.get(3) : ks.get(3)));
                }
            }
            NDArray y = convTorch(conv, x, kernel(conv, mul, v, depthwise), ks, b, depthwise);
            if ("relu".equals(activation)) {
                return relu(y);
            }
            if ("clip".equals(activation)) {
                return y.clip(0f, clipMax);
            }
            return y;
        }
    }

    /**
     * The conv chains an inference run for {@code wanted} evaluates as one conv call each, as
     * "node,node,..." (for tests).
     */
    List<String> inferenceChains(Collection<String> wanted) {
        List<String> order = topoOrder(wanted, Set.of());
        Map<String, Integer> pending = new HashMap<>();
        for (String name : order) {
            for (String in : nodes.get(name).inputs()) {
                pending.merge(in, 1, Integer::sum);
            }
        }
        Map<String, ConvChain> chains = convChains(order, pending, new HashSet<>(wanted), Set.of());
        List<String> out = new ArrayList<>();
        for (String name : order) {
            ConvChain c = chains.get(name);
            if (c != null) {
                out.add(String.join(",", c.members));
            }
        }
        return out;
    }

    /**
     * Finds the conv chains among the nodes to evaluate (see {@link ConvChain}); keyed by their
     * last node.
     */
    private Map<String, ConvChain> convChains(
            List<String> order,
            Map<String, Integer> consumerCount,
            Set<String> keep,
            Set<String> fed) {
        Map<String, String> soleConsumer = new HashMap<>();
        for (String name : order) {
            if (fed.contains(name)) {
                continue;
            }
            for (String in : nodes.get(name).inputs()) {
                soleConsumer.merge(in, name, (a, b) -> "");
            }
        }
        Map<String, ConvChain> chains = new HashMap<>();
        for (String name : order) {
            TfjsNode n = nodes.get(name);
            if (fed.contains(name)
                    || !(n.op().equals("Conv2D") || n.op().equals("DepthwiseConv2dNative"))
                    || !isWeight(n.inputs().get(1))) {
                continue;
            }
            long channels =
                    weightParams.get(n.inputs().get(1)).getArray().getShape().get(3)
                            * (n.op().equals("Conv2D")
                                    ? 1
                                    : weightParams
                                            .get(n.inputs().get(1))
                                            .getArray()
                                            .getShape()
                                            .get(2));
            ConvChain c = new ConvChain(n);
            TfjsNode next;
            while ((next = follower(c.last(), soleConsumer, consumerCount, keep, fed)) != null) {
                String other = otherInput(next, c.last());
                String op = next.op();
                if (op.equals("Mul")
                        && c.mul == null
                        && c.bias == null
                        && c.activation == null
                        && isChannelConst(other, channels)) {
                    c.mul = other;
                } else if ((op.equals("Add") || op.equals("AddV2") || op.equals("BiasAdd"))
                        && c.bias == null
                        && c.activation == null
                        && isChannelConst(other, channels)) {
                    c.bias = other;
                } else if (op.equals("Relu") && c.activation == null) {
                    c.activation = "relu";
                } else if (op.equals("Relu6") && c.activation == null) {
                    c.activation = "clip";
                } else if (op.equals("Minimum")
                        && "relu".equals(c.activation)
                        && isScalarConst(other, 0, Float.MAX_VALUE)) {
                    c.activation =
                            "clip"; // the bound is a graph constant the trunk never trains (scalars
                    // stay frozen)
                    c.clipMax = weightParams.get(other).getArray().toFloatArray()[0];
                } else if (op.equals("Maximum")
                        && "clip".equals(c.activation)
                        && c.members.size() > 1
                        && "Minimum".equals(nodes.get(c.last()).op())
                        && isScalarConst(other, -Float.MAX_VALUE, 0)) {
                    // max(clip(x, 0, c), d) with d <= 0 is clip(x, 0, c)
                } else {
                    break;
                }
                c.members.add(next.name());
                if (op.equals("Maximum") || op.equals("Relu6")) {
                    break;
                }
            }
            if (c.members.size() > 1) {
                chains.put(c.last(), c);
            }
        }
        return chains;
    }

    /**
     * The node that alone consumes {@code name}'s value, when the value itself is not needed
     * elsewhere.
     */
    private TfjsNode follower(
            String name,
            Map<String, String> soleConsumer,
            Map<String, Integer> consumerCount,
            Set<String> keep,
            Set<String> fed) {
        String c = soleConsumer.get(name);
        if (c == null
                || c.isEmpty()
                || keep.contains(name)
                || fed.contains(c)
                || consumerCount.getOrDefault(name, 0) != 1) {
            return null;
        }
        TfjsNode n = nodes.get(c);
        return n.inputs().size() <= 2 ? n : null;
    }

    private static String otherInput(TfjsNode n, String input) {
        if (n.inputs().size() == 1) {
            return null;
        }
        return n.inputs().get(0).equals(input) ? n.inputs().get(1) : n.inputs().get(0);
    }

    private boolean isWeight(String name) {
        return name != null
                && weightParams.containsKey(name)
                && "Const".equals(nodes.get(name).op());
    }

    /** A float constant of shape [], [C] or [1, .., 1, C]. */
    private boolean isChannelConst(String name, long channels) {
        if (!isWeight(name)) {
            return false;
        }
        Shape s = weightParams.get(name).getArray().getShape();
        for (int i = 0; i < s.dimension() - 1; i++) {
            if (s.get(i) != 1) {
                return false;
            }
        }
        return s.size() == 1 || (s.dimension() >= 1 && s.get(s.dimension() - 1) == channels);
    }

    private boolean isScalarConst(String name, float min, float max) {
        if (!isWeight(name) || weightParams.get(name).getArray().getShape().size() != 1) {
            return false;
        }
        float x = weightParams.get(name).getArray().toFloatArray()[0];
        return x >= min && x <= max;
    }

    /**
     * NHWC conv/depthwise conv with TF padding semantics; kernels stay in TF layout (the
     * parameters).
     */
    private void checkKernel(TfjsNode n, NDArray x, Shape kernelShape) {
        long[] ks = kernelShape.getShape(); // [kh, kw, in, out] or [kh, kw, in, multiplier]
        long cin = x.getShape().get(3);
        if (ks.length != 4 || ks[2] != cin) {
            throw new TfjsModelException(
                    source
                            + ": shape mismatch in "
                            + n
                            + ": input has "
                            + cin
                            + " channels, kernel "
                            + Arrays.toString(ks)
                            + " expects "
                            + (ks.length == 4 ? ks[2] : "?"));
        }
    }

    /**
     * A TF kernel as PyTorch's (O, I, kh, kw) weight stored channels-last, i.e. in (O, kh, kw, I)
     * order. PyTorch's CPU convolution follows the weight's memory format, so the graph's maps
     * become (and stay) channels-last - physically NHWC, like the graph itself - which oneDNN runs
     * much faster than NCHW. Depthwise [kh, kw, C, M] becomes (C*M, 1, kh, kw): TF's output channel
     * c*M+m is the grouped conv's order. Flattening the permuted view forces the copy into that
     * order.
     */
    static NDArray torchLayout(NDArray tfKernel, boolean depthwise) {
        long[] ks = tfKernel.getShape().getShape();
        if (depthwise) {
            return tfKernel.reshape(ks[0], ks[1], ks[2] * ks[3])
                    .transpose(2, 0, 1)
                    .reshape(-1)
                    .reshape(ks[2] * ks[3], 1, ks[0], ks[1]);
        }
        return tfKernel.transpose(3, 0, 1, 2)
                .reshape(-1)
                .reshape(ks[3], ks[0], ks[1], ks[2])
                .transpose(0, 3, 1, 2);
    }

    /**
     * The PyTorch-layout kernel of a conv node, times the per-channel scale {@code mulConst} when
     * given. Frozen weights (and all weights while {@link #snapshotForInference} holds) are
     * converted once and kept; the cache entry is keyed by the native handles, so a weight replaced
     * in place (loading) is seen.
     */
    private NDArray kernel(
            TfjsNode conv, String mulConst, Map<String, NDArray> v, boolean depthwise) {
        Parameter kp = weightParams.get(conv.inputs().get(1));
        Parameter mp = mulConst == null ? null : weightParams.get(mulConst);
        boolean cacheable =
                kp != null
                        && (snapshot
                                || (!kp.requiresGradient()
                                        && (mp == null || !mp.requiresGradient())))
                        && kp.getArray() instanceof ai.djl.util.NativeResource<?>;
        if (!cacheable) {
            return torchLayout(
                    scaled(in(conv, 1, v), mulConst == null ? null : v.get(mulConst), depthwise),
                    depthwise);
        }
        Object kh = ((ai.djl.util.NativeResource<?>) kp.getArray()).getHandle();
        Object mh = mp == null ? null : ((ai.djl.util.NativeResource<?>) mp.getArray()).getHandle();
        CachedKernel c = kernels.get(conv.name());
        if (c != null
                && c.kernelHandle().equals(kh)
                && java.util.Objects.equals(c.scaleHandle(), mh)) {
            return c.torchKernel();
        }
        // One thread converts, concurrent callers wait for it; a stale entry means the weights were
        // replaced (loading), which by contract does not happen while the graph runs elsewhere.
        return kernels.compute(
                        conv.name(),
                        (name, old) -> {
                            if (old != null
                                    && old.kernelHandle().equals(kh)
                                    && java.util.Objects.equals(old.scaleHandle(), mh)) {
                                return old;
                            }
                            if (old != null) {
                                old.torchKernel().close();
                            }
                            try (NDManager tmp = weightManager.newSubManager()) {
                                NDArray k = kp.getArray().reshape(kp.getArray().getShape());
                                k.attach(tmp);
                                NDArray m = null;
                                if (mp != null) {
                                    m = mp.getArray().reshape(mp.getArray().getShape());
                                    m.attach(tmp);
                                }
                                NDArray w =
                                        torchLayout(scaled(k, m, depthwise), depthwise)
                                                .stopGradient();
                                w.attach(weightManager);
                                return new CachedKernel(kh, mh, w);
                            }
                        })
                .torchKernel();
    }

    /** TF kernel times a per-channel (output channel) scale, or the kernel itself. */
    private static NDArray scaled(NDArray kernel, NDArray scale, boolean depthwise) {
        if (scale == null) {
            return kernel;
        }
        Shape ks = kernel.getShape();
        NDArray flat = scale.reshape(-1);
        return depthwise
                ? kernel.reshape(ks.get(0), ks.get(1), ks.get(2) * ks.get(3)).mul(flat).reshape(ks)
                : kernel.mul(flat);
    }

    /** NHWC conv with TF padding semantics on a kernel already in {@link #torchLayout}. */
    private NDArray convTorch(
            TfjsNode n,
            NDArray x,
            NDArray w,
            Shape tfKernelShape,
            NDArray bias,
            boolean depthwise) {
        String format = n.string("data_format", "NHWC");
        if (!"NHWC".equals(format)) {
            throw new TfjsModelException(
                    source + ": " + n + " uses data_format " + format + " (only NHWC)");
        }
        int[] strides = n.ints("strides", new int[] {1, 1, 1, 1});
        int[] dil = n.ints("dilations", new int[] {1, 1, 1, 1});
        long cin = x.getShape().get(3);
        int groups = depthwise ? (int) cin : 1;
        NDArray nchw = x.transpose(0, 3, 1, 2);
        String padding = n.string("padding", "VALID");
        if ("SAME".equals(padding)) {
            return SameConv.conv2d(
                            nchw, w, bias, strides[1], strides[2], dil[1], dil[2], groups, null)
                    .transpose(0, 2, 3, 1);
        } else if ("EXPLICIT".equals(padding)) {
            int[] e = n.ints("explicit_paddings", new int[8]);
            nchw = nchw.pad(new Shape(e[4], e[5], e[2], e[3]), 0);
        } else if (!"VALID".equals(padding)) {
            throw new TfjsModelException(source + ": " + n + " has unknown padding " + padding);
        }
        NDArray y =
                Conv2d.conv2d(
                                nchw,
                                w,
                                bias,
                                new Shape(strides[1], strides[2]),
                                new Shape(0, 0),
                                new Shape(dil[1], dil[2]),
                                groups)
                        .singletonOrThrow();
        return y.transpose(0, 2, 3, 1);
    }

    private NDArray pool(TfjsNode n, NDArray x) {
        int[] k = n.ints("ksize", new int[] {1, 1, 1, 1});
        int[] s = n.ints("strides", new int[] {1, 1, 1, 1});
        NDArray nchw = x.transpose(0, 3, 1, 2);
        String padding = n.string("padding", "VALID");
        boolean max = "MaxPool".equals(n.op());
        if ("SAME".equals(padding)) {
            int[] ph = TfSamePadding.padding((int) x.getShape().get(1), k[1], s[1], 1);
            int[] pw = TfSamePadding.padding((int) x.getShape().get(2), k[2], s[2], 1);
            if (ph[0] + ph[1] + pw[0] + pw[1] > 0) {
                if (!max) {
                    throw new TfjsModelException(
                            source
                                    + ": "
                                    + n
                                    + ": AvgPool with SAME padding on this size is not supported");
                }
                nchw = nchw.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), Float.NEGATIVE_INFINITY);
            }
        }
        Shape ks = new Shape(k[1], k[2]);
        Shape st = new Shape(s[1], s[2]);
        NDArray y =
                max
                        ? Pool.maxPool2d(nchw, ks, st, new Shape(0, 0), false)
                        : Pool.avgPool2d(nchw, ks, st, new Shape(0, 0), false, false);
        return y.transpose(0, 2, 3, 1);
    }

    /**
     * TF Pad: paddings [rank][2] (before, after) from the first axis; DJL pads from the last axis.
     */
    private static NDArray pad(NDArray x, int[] pads, double value) {
        int rank = x.getShape().dimension();
        long[] p = new long[2 * rank];
        for (int d = 0; d < rank; d++) {
            int fromLast = rank - 1 - d;
            p[2 * fromLast] = pads[2 * d];
            p[2 * fromLast + 1] = pads[2 * d + 1];
        }
        return x.pad(new Shape(p), value);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Map<String, NDArray> feeds = new LinkedHashMap<>();
        for (int i = 0; i < placeholders.size(); i++) {
            feeds.put(placeholders.get(i), inputs.get(i));
        }
        List<String> outs = outputNodes();
        return new NDList(run(ps, feeds, outs, training).values());
    }

    private List<String> outputNodesOverride;

    /** Nodes returned by {@link #forward}; default: nodes no other node reads. */
    public TfjsGraphBlock setOutputNodes(List<String> names) {
        names.forEach(this::node);
        this.outputNodesOverride = List.copyOf(names);
        return this;
    }

    public List<String> outputNodes() {
        if (outputNodesOverride != null) {
            return outputNodesOverride;
        }
        Set<String> read = new HashSet<>();
        nodes.values().forEach(n -> read.addAll(n.inputs()));
        List<String> out = new ArrayList<>();
        for (TfjsNode n : nodes.values()) {
            if (!read.contains(n.name()) && !"Const".equals(n.op())) {
                out.add(n.name());
            }
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        try (NDManager m = weightManager.newSubManager()) {
            NDList in = new NDList();
            for (Shape s : inputShapes) {
                in.add(m.zeros(s, DataType.FLOAT32));
            }
            NDList out = forward(new ParameterStore(m, false), in, false);
            return out.getShapes();
        }
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        // weights come from the model file
    }

    @Override
    public String toString() {
        return "TfjsGraphBlock["
                + source
                + ", "
                + nodes.size()
                + " nodes, "
                + weightParams.size()
                + " weight tensors]";
    }

    /** Small helper so ConcatV2 works with any number of parts. */
    private static final class NDArrays {
        static NDArray concat(NDList parts, int axis) {
            return ai.djl.ndarray.NDArrays.concat(parts, axis);
        }
    }
}
