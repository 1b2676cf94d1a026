/**
 * TensorFlow.js graph models in Java, on DJL NDArrays.
 *
 * <p>{@link org.frafer.tfjs.TfjsModelFile} reads {@code model.json} (format "graph-model": {@code
 * modelTopology.node[]} with op / input / attr) and the weight shards of each {@code
 * weightsManifest} group, concatenated in order. Weights: float32, int32, float16 ({@code
 * quantization.dtype = float16}) and affine uint8 / uint16 ({@code min + q * scale}). A shard
 * shorter than the manifest needs is an error naming the files and the byte counts; a constant
 * whose declared shape differs from the manifest is an error naming it.
 *
 * <p>{@link org.frafer.tfjs.TfjsGraphBlock} is a DJL {@code AbstractBlock} interpreting the graph:
 *
 * <ul>
 *   <li>Float constants are DJL {@code Parameter}s named by their TF.js node name (frozen by
 *       default), so the import is a frozen FR branch and, unfrozen, a trainable face-pretrained
 *       backbone.
 *   <li>Tensors stay NHWC (TF semantics of axes, paddings, reshapes); convolutions and pools run on
 *       NCHW views. TF "SAME" padding is asymmetric (the extra row/column at the bottom/right): it
 *       is applied explicitly when needed; max-pool pads with -inf. Depthwise kernels {@code [kh,
 *       kw, C, M]} become a grouped convolution with output channel {@code c * M + m}, TF's order.
 *   <li>Any node can be read by name; only its dependencies are evaluated; in inference
 *       intermediates are freed after their last consumer.
 *   <li>Supported ops: {@link org.frafer.tfjs.TfjsGraphBlock#SUPPORTED_OPS} (covers faceres,
 *       faceres-deep, mobilefacenet, blazeface-back/front); other ops are rejected when the model
 *       is loaded, listing each op and its nodes.
 * </ul>
 *
 * Equality with TensorFlow.js is checked against fixtures from {@code
 * tools/tfjs-reference/make-fixtures.js}.
 */
package org.frafer.tfjs;
