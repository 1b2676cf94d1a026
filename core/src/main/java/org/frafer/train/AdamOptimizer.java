package org.frafer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.nn.NamedParameter;

/**
 * Adam / AdamW / SGD with its state in the open (moments and step count), so a checkpoint can hold
 * it and SAM can hand it the second-pass gradients. Updates follow torch.optim:
 *
 * <ul>
 *   <li>adam: {@code g += wd * w}; {@code m = b1 m + (1-b1) g}; {@code v = b2 v + (1-b2) g^2};
 *       {@code w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}
 *   <li>adamw: as adam without the L2 term, but first {@code w *= 1 - lr * wd} (decoupled decay;
 *       applied to weights with 2+ dimensions only, not to biases/norm scales)
 *   <li>sgd: {@code w -= lr * (g + wd * w)}
 * </ul>
 *
 * Updates run outside the gradient collector (PyTorch grad mode off), so in-place ops on leaves are
 * fine.
 */
public final class AdamOptimizer implements AutoCloseable {
    private final String kind;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long step;

    public AdamOptimizer(String kind, double beta1, double beta2, double eps, double weightDecay) {
        if (!TrainConfig.OPTIMIZERS.contains(kind)) {
            throw new IllegalArgumentException(
                    "optimizer '" + kind + "' is not one of " + TrainConfig.OPTIMIZERS);
        }
        this.kind = kind;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = NDManager.newBaseManager();
    }

    public static AdamOptimizer of(TrainConfig c) {
        return new AdamOptimizer(c.optimizer, c.beta1, c.beta2, c.eps, c.weightDecay);
    }

    /** Optimizer steps taken so far (Adam's t). */
    public long step() {
        return step;
    }

    /** One update of every parameter with the given gradients (same order). */
    public void update(List<NamedParameter> params, List<NDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < params.size(); i++) {
                NamedParameter p = params.get(i);
                NDArray w = p.parameter().getArray();
                NDArray g = grads.get(i);
                if ("sgd".equals(kind)) {
                    NDArray d = weightDecay > 0 ? g.add(w.mul(weightDecay)) : g;
                    w.subi(d.mul(lr));
                    continue;
                }
                if ("adam".equals(kind) && weightDecay > 0) {
                    g = g.add(w.mul(weightDecay));
                }
                NDArray m = moment(firstMoments, p.name(), w);
                NDArray v = moment(secondMoments, p.name(), w);
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.square().mul(1 - beta2));
                if ("adamw".equals(kind) && weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli(1 - lr * weightDecay);
                }
                NDArray denom = v.sqrt().div(Math.sqrt(bc2)).add(eps);
                w.subi(m.div(denom).mul(lr / bc1));
            }
        }
    }

    private NDArray moment(Map<String, NDArray> moments, String name, NDArray like) {
        NDArray m = moments.get(name);
        if (m == null) {
            m = manager.zeros(like.getShape(), like.getDataType());
            NDScope.unregister(m);
            moments.put(name, m);
        }
        return m;
    }

    /** Moments as a named list ({@code m.<name>}, {@code v.<name>}) for a checkpoint. */
    public NDList stateArrays() {
        NDList list = new NDList();
        firstMoments.forEach(
                (name, a) -> {
                    a.setName("m." + name);
                    list.add(a);
                });
        secondMoments.forEach(
                (name, a) -> {
                    a.setName("v." + name);
                    list.add(a);
                });
        return list;
    }

    /** Restores moments and step count written by {@link #stateArrays()}. */
    public void loadState(NDList arrays, long stepCount) {
        firstMoments.values().forEach(NDArray::close);
        secondMoments.values().forEach(NDArray::close);
        firstMoments.clear();
        secondMoments.clear();
        for (NDArray a : arrays) {
            String name = a.getName();
            NDArray copy = a.duplicate();
            copy.attach(manager);
            if (name != null && name.startsWith("m.")) {
                firstMoments.put(name.substring(2), copy);
            } else if (name != null && name.startsWith("v.")) {
                secondMoments.put(name.substring(2), copy);
            } else {
                throw new IllegalArgumentException(
                        "optimizer state holds an array named '"
                                + name
                                + "' (expected m.* or v.*)");
            }
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
