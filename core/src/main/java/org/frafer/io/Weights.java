package org.frafer.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies named tensors into named DJL parameters and back (timm state_dict names on both sides).
 */
public final class Weights {
    private Weights() {}

    /** What a load did; {@link #toString()} is a short human-readable report. */
    public record LoadReport(
            String source,
            List<String> loaded,
            List<String> missing,
            List<String> unexpected,
            List<String> mismatched) {
        public boolean clean() {
            return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("Loaded ").append(loaded.size()).append(" tensors from ").append(source);
            if (!missing.isEmpty()) {
                sb.append("\n  missing (kept initial values) ")
                        .append(missing.size())
                        .append(": ")
                        .append(abbreviate(missing));
            }
            if (!unexpected.isEmpty()) {
                sb.append("\n  unexpected (ignored) ")
                        .append(unexpected.size())
                        .append(": ")
                        .append(abbreviate(unexpected));
            }
            if (!mismatched.isEmpty()) {
                sb.append("\n  shape mismatch (skipped) ")
                        .append(mismatched.size())
                        .append(": ")
                        .append(abbreviate(mismatched));
            }
            return sb.toString();
        }

        private static String abbreviate(List<String> names) {
            return names.size() <= 12
                    ? names.toString()
                    : names.subList(0, 12) + " ... (" + (names.size() - 12) + " more)";
        }
    }

    /** True for tensors that checkpoints carry but no network uses (torch BN counters). */
    public static boolean ignored(String name) {
        return name.endsWith("num_batches_tracked");
    }

    /**
     * Loads tensors into parameters by name. Strict: any missing, unexpected or mismatched tensor
     * throws IllegalArgumentException (naming the tensor, and both shapes for a mismatch) before
     * anything is changed. Lenient: those are skipped and listed in the report.
     */
    public static LoadReport load(
            Map<String, Parameter> params,
            Map<String, SafeTensors.Tensor> tensors,
            boolean strict,
            String source) {
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Map<Parameter, SafeTensors.Tensor> plan = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            SafeTensors.Tensor t = tensors.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            // imported graph weights (FaceRes trunk) are built from an array and carry no declared
            // shape
            Shape want =
                    e.getValue().getShape() != null
                            ? e.getValue().getShape()
                            : e.getValue().getArray().getShape();
            if (!Arrays.equals(want.getShape(), t.shape())) {
                String msg =
                        "tensor '"
                                + e.getKey()
                                + "' has shape "
                                + t.shapeString()
                                + " in "
                                + source
                                + " but the network expects "
                                + Arrays.toString(want.getShape());
                if (strict) {
                    throw new IllegalArgumentException("Shape mismatch: " + msg);
                }
                mismatched.add(
                        e.getKey()
                                + " "
                                + t.shapeString()
                                + " vs "
                                + Arrays.toString(want.getShape()));
                continue;
            }
            if (!t.isFloat()) {
                throw new IllegalArgumentException(
                        "tensor '"
                                + e.getKey()
                                + "' in "
                                + source
                                + " has dtype "
                                + t.dtype()
                                + "; expected F32, F16 or BF16");
            }
            plan.put(e.getValue(), t);
            loaded.add(e.getKey());
        }
        for (String name : tensors.keySet()) {
            if (!params.containsKey(name) && !ignored(name)) {
                unexpected.add(name);
            }
        }
        if (strict && !missing.isEmpty()) {
            throw new IllegalArgumentException(
                    "Missing tensors in " + source + " (" + missing.size() + "): " + missing);
        }
        if (strict && !unexpected.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unexpected tensors in "
                            + source
                            + " ("
                            + unexpected.size()
                            + "): "
                            + unexpected);
        }
        plan.forEach(Weights::assign);
        return new LoadReport(source, loaded, missing, unexpected, mismatched);
    }

    /**
     * Replaces a parameter's values in place (keeps the array object, its manager and gradient
     * flag).
     */
    public static void assign(Parameter p, SafeTensors.Tensor t) {
        NDArray target = p.getArray();
        NDManager m = target.getManager();
        // create() may wrap a direct buffer the staging array owns; clone so torch owns the storage
        // before the handle moves into the parameter (else the memory is freed under it)
        NDArray staged = m.create(t.data(), new Shape(t.shape()));
        NDArray fresh = staged.duplicate();
        staged.close();
        if (target.getDataType() != DataType.FLOAT32) {
            fresh = fresh.toType(target.getDataType(), false);
        }
        fresh.setRequiresGradient(p.requiresGradient());
        target.intern(fresh);
    }

    /** Current parameter values as float32 tensors, by name (order kept). */
    public static Map<String, SafeTensors.Tensor> export(Map<String, Parameter> params) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        params.forEach(
                (name, p) -> {
                    NDArray a = p.getArray();
                    out.put(
                            name,
                            new SafeTensors.Tensor(
                                    "F32",
                                    a.getShape().getShape(),
                                    a.toType(DataType.FLOAT32, false).toFloatArray()));
                });
        return out;
    }
}
