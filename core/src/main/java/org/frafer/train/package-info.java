/**
 * Training of {@link org.frafer.model.EmotionNetwork}s in the JVM.
 *
 * <ul>
 *   <li>{@link org.frafer.train.TrainConfig}: every setting; recipes {@code paper}, {@code
 *       hsemotion}, {@code scratch}; overrides from JSON files and {@code key=value}.
 *   <li>{@link org.frafer.train.Trainer}: the loop (stages, one NDManager per batch, SAM,
 *       checkpoints, metrics, learning curves, best epoch, output model).
 *   <li>{@link org.frafer.train.AdamOptimizer}: Adam/AdamW/SGD with open state (checkpointable,
 *       SAM-friendly).
 *   <li>{@link org.frafer.train.Losses}: soft-target cross-entropy with class weights and label
 *       smoothing (torch semantics).
 *   <li>{@link org.frafer.train.Checkpoints}: atomic checkpoints and resume.
 * </ul>
 *
 * <p>Run folder: {@code config.json}, {@code metrics.jsonl} (lines {@code type=step}: step, epoch,
 * stage, batch, loss, epochLoss, lr, imagesPerSecond; {@code type=epoch}: trainLoss, valAccuracy,
 * valBalancedAccuracy, valMacroF1, best), {@code curves.png}, {@code checkpoints/step-*} (+ {@code
 * latest}; the last {@code keepCheckpoints} are kept), {@code best/} (keepBest), {@code model/}
 * (output, EmotionNetwork.save), {@code summary.json}.
 *
 * <p>SAM step (Foret et al.; as davda54/sam with adaptive=false): g = grad L(w); e = rho g / (||g||
 * + 1e-12) over all trained parameters; g' = grad L(w + e) (batch-norm running statistics restored
 * to their first-pass values, i.e. updated once per step); w restored; optimizer step with g'. The
 * logged loss is the first-pass loss.
 */
package org.frafer.train;
