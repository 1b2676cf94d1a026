package org.frafer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.frafer.model.EmotionNetwork;
import org.frafer.nn.NamedParameter;

/**
 * One optimizer step, as {@link Trainer} runs it and as the benchmarks time it: forward in training
 * mode, cross-entropy (label smoothing, class weights), backward, optionally SAM's second pass, the
 * optimizer update and zeroed gradients. The engine RNG is seeded from (seed, step, pass) so a
 * resumed run draws the same dropout.
 */
public final class TrainStep {
    private final EmotionNetwork network;
    private final TrainConfig config;
    private final float[] classWeights;

    /**
     * tau * log(class prior), added to the logits inside the loss only (logit adjustment), or null.
     */
    private final float[] logitOffsets;

    private List<NDArray> runningStats;

    /**
     * @param classWeights per-class loss weights, or null for none
     */
    public TrainStep(EmotionNetwork network, TrainConfig config, float[] classWeights) {
        this(network, config, classWeights, null);
    }

    /**
     * @param classWeights per-class loss weights, or null for none
     * @param logitOffsets added to the logits in the loss ({@link Losses#logitAdjustment}), or null
     *     for none
     */
    public TrainStep(
            EmotionNetwork network,
            TrainConfig config,
            float[] classWeights,
            float[] logitOffsets) {
        this.logitOffsets = logitOffsets;
        this.network = network;
        this.config = config;
        this.classWeights = classWeights;
    }

    /**
     * Every trainable parameter of a network with its checkpoint name, gradients switched on (the
     * benchmarks' step).
     */
    public static List<NamedParameter> trainableParameters(EmotionNetwork network) {
        List<Parameter> trainable = network.trainableParameters();
        for (Parameter p : trainable) {
            if (!p.getArray().hasGradient()) {
                p.getArray().setRequiresGradient(true);
            }
        }
        return Checkpoints.named(network, trainable);
    }

    /**
     * One step on a batch; the arrays of the step (gradients, SAM's perturbation) go to {@code m}.
     *
     * @param images (N, 3, H, W) float32 RGB in [0, 1]
     * @param targets (N, K) float32: one-hot labels or soft label distributions
     * @return the batch's loss before the update
     */
    public double run(
            NDManager m,
            NDArray images,
            NDArray targets,
            List<NamedParameter> params,
            AdamOptimizer optimizer,
            double lr,
            long globalStep) {
        NDArray weights = classWeights == null ? null : m.create(classWeights);
        seedEngine(globalStep, 0);
        double loss = forwardBackward(m, images, targets, weights);
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException(
                    "loss is "
                            + loss
                            + " at step "
                            + (globalStep + 1)
                            + " (lr "
                            + lr
                            + "): training diverged");
        }
        List<NDArray> grads = gradients(params, m);
        if (config.sam) {
            grads = samSecondPass(m, images, targets, weights, params, grads, globalStep);
        }
        optimizer.update(params, grads, lr);
        zeroGradients(params);
        return loss;
    }

    /**
     * SAM: gradients at the weights moved by rho along the normalised first-pass gradient; the
     * weights move back.
     */
    private List<NDArray> samSecondPass(
            NDManager m,
            NDArray images,
            NDArray targets,
            NDArray weights,
            List<NamedParameter> params,
            List<NDArray> grads,
            long globalStep) {
        double sq = 0;
        for (NDArray g : grads) {
            sq += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
        }
        double scale = config.samRho / (Math.sqrt(sq) + 1e-12);
        List<NDArray> perturbation = new ArrayList<>(grads.size());
        for (NDArray g : grads) {
            perturbation.add(g.mul(scale));
        }
        zeroGradients(params);
        for (int i = 0; i < params.size(); i++) {
            params.get(i).parameter().getArray().addi(perturbation.get(i));
        }
        // Batch-norm statistics move in the first pass only (SAM's usual "disable running stats" in
        // pass two).
        List<NDArray> stats = runningStats();
        List<NDArray> saved = new ArrayList<>(stats.size());
        for (NDArray s : stats) {
            NDArray copy = s.duplicate();
            copy.attach(m);
            saved.add(copy);
        }
        seedEngine(globalStep, 1);
        forwardBackward(m, images, targets, weights);
        for (int i = 0; i < stats.size(); i++) {
            stats.get(i).set(saved.get(i).toByteBuffer());
        }
        List<NDArray> second = gradients(params, m);
        for (int i = 0; i < params.size(); i++) {
            params.get(i).parameter().getArray().subi(perturbation.get(i));
        }
        return second;
    }

    private double forwardBackward(NDManager m, NDArray images, NDArray targets, NDArray weights) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits =
                    network.block()
                            .forward(new ParameterStore(m, false), new NDList(images), true)
                            .head();
            if (logitOffsets != null) {
                logits = logits.add(m.create(logitOffsets).reshape(1, logitOffsets.length));
            }
            NDArray loss = Losses.crossEntropy(logits, targets, weights, config.labelSmoothing);
            collector.backward(loss);
            return loss.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static List<NDArray> gradients(List<NamedParameter> params, NDManager m) {
        List<NDArray> grads = new ArrayList<>(params.size());
        for (NamedParameter p : params) {
            NDArray g = p.parameter().getArray().getGradient();
            g.attach(m);
            grads.add(g);
        }
        return grads;
    }

    private static void zeroGradients(List<NamedParameter> params) {
        for (NamedParameter p : params) {
            try (NDArray g = p.parameter().getArray().getGradient()) {
                g.subi(g);
            }
        }
    }

    private List<NDArray> runningStats() {
        if (runningStats != null) {
            return runningStats;
        }
        List<NDArray> stats = new ArrayList<>();
        for (NamedParameter p : Checkpoints.allParameters(network)) {
            Parameter.Type t = p.parameter().getType();
            if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                stats.add(p.parameter().getArray());
            }
        }
        runningStats = stats;
        return stats;
    }

    private void seedEngine(long globalStep, int pass) {
        long h =
                config.seed * 0x9E3779B97F4A7C15L
                        + globalStep * 0xBF58476D1CE4E5B9L
                        + pass * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        Engine.getInstance().setRandomSeed((int) (h & 0x7fffffff));
    }
}
