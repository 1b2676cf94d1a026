package org.frafer.infer;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd off on the current thread for a try-with-resources block and restores
 * it afterwards. DJL switches it off only on the thread that first loads the engine; libtorch's
 * grad mode is per thread, so inference on any other thread (web servers, executors) would
 * otherwise build an autograd graph for every forward pass.
 */
final class NoGrad implements AutoCloseable {
    private final boolean pytorch;
    private final boolean previous;

    NoGrad() {
        pytorch = "PyTorch".equals(Engine.getInstance().getEngineName());
        previous = pytorch && JniUtils.isGradMode();
        if (previous) {
            JniUtils.setGradMode(false);
        }
    }

    @Override
    public void close() {
        if (previous) {
            JniUtils.setGradMode(true);
        }
    }
}
