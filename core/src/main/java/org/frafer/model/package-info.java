/**
 * FRA-FER networks: EfficientNet-B0 FER backbone, fusions, frozen FR branch, model files.
 *
 * <h2>Building and loading</h2>
 *
 * {@link org.frafer.model.Networks#create} (random init; FR branch from {@code config.frBackbone}
 * and {@code config.frWeights}), {@link org.frafer.model.Networks#load} (a model folder) and {@link
 * org.frafer.model.Networks#loadFerWeights} (timm-named safetensors, e.g. a converted HSEmotion
 * checkpoint: {@code tools/convert_timm.py}). FR backbones come from {@link
 * org.frafer.model.FrBackbones}.
 *
 * <h2>EfficientNet-B0</h2>
 *
 * {@link org.frafer.model.EfficientNet}: timm's block table decoded by one builder; parameters
 * carry timm's state_dict names ({@link org.frafer.model.TimmNames#parameters}); 5,288,548
 * parameters with 1000 classes (4,017,796 with 8). Layers 1 (stem), 2..8 (blocks.0..6), 9 (head)
 * are tappable: {@code forwardLayers(ps, x, training, from, to)} runs any range. {@code
 * tf_efficientnet_b0} pads like TF "SAME" from the actual input size ({@link
 * org.frafer.nn.TfSamePadding}) with BN eps 1e-3; {@code efficientnet_b0} pads symmetrically with
 * eps 1e-5. Not implemented: stochastic depth (drop_path).
 *
 * <h2>Fusions ({@code ModelConfig.fusion}, at FER layer q)</h2>
 *
 * <ul>
 *   <li>{@code fra}: S = bilinear(sigmoid(conv1x1_{C_p->1}(H_FR_p))) to H_q x W_q (torch
 *       align_corners=False, no antialias: {@link org.frafer.nn.BilinearResize}), H_FER_q = max(S *
 *       H_FER_q, H_FER_q); params {@code fusion.conv.weight} (1, C_p, 1, 1), {@code
 *       fusion.conv.bias} (1).
 *   <li>{@code none}: plain EfficientNet-B0.
 *   <li>{@code concat}: the FR identity embedding ({@code FrBackbone.embedding}, 1280-d pooled
 *       layer 9 for EfficientNet) is concatenated to the pooled FER embedding before the classifier
 *       (p unused).
 *   <li>{@code cse}/{@code sse}/{@code scse}: Roy et al. 2018 on H_FER_q; cSE reduction 2 (authors'
 *       reference code), scSE = element-wise max of cSE and sSE outputs (authors' reference code).
 * </ul>
 *
 * <h2>Inference vs training</h2>
 *
 * {@link org.frafer.model.FraFerNetwork#predict} is the lean inference path (eval mode, each
 * layer's intermediates freed right away); inside a {@code GradientCollector} use {@code
 * forwardDetailed} or {@code block().forward}. The FR branch never records gradients and always
 * runs BN in inference mode.
 *
 * <h2>Model folder</h2>
 *
 * {@code config.json} ({@link org.frafer.model.ModelConfig}) + {@code model.safetensors} (FER
 * tensors with timm names + {@code fusion.*}) + for EfficientNet FR branches {@code
 * fr.safetensors}; written via temp file + rename ({@link org.frafer.model.ModelFiles}, {@link
 * org.frafer.io.SafeTensors}: reads F32/F16/BF16, writes F32/F16).
 *
 * <h2>Parity with PyTorch</h2>
 *
 * {@code tools/timm_reference.py} (run with the tools venv) writes the fixtures under {@code
 * core/src/test/resources/fixtures/net}; {@code TimmParityTest} checks every layer, logits (113 and
 * 224 px), FRA-FER outputs and attention-conv gradients to 1e-4.
 */
package org.frafer.model;
