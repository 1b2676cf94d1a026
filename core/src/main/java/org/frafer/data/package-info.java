/**
 * Datasets, image decoding and the input pipeline.
 *
 * <pre>{@code
 * // decode any photo (JPEG/PNG/TIFF/PNM/GIF/BMP) upright as TYPE_INT_RGB, pixel count capped before decoding
 * BufferedImage img = Images.read(path, Images.DEFAULT_MAX_PIXELS);
 *
 * // a dataset (nothing is downloaded): FER+ majority labels, AffectNet CSV, or root/<class>/*.jpg
 * LoadedDataset train = Datasets.open(DatasetSpec.of(DatasetSpec.Format.FERPLUS, dataRoot).withSplit("train"));
 * System.out.println(train.summary()); // per-class counts and what was dropped
 *
 * // decoded batches, NCHW RGB float [0, 1], deterministic per (seed, epoch), decoded on 2 background threads
 * try (BatchLoader loader = BatchLoader.builder(train).batchSize(32).imageSize(224).seed(42).training()
 *         .cacheBytes(512L << 20).build()) {
 *     for (FaceBatch batch : loader.epoch(epoch, 0)) { ... }
 *     loader.skippedFiles(); // unreadable images, each "path: reason"
 * }
 *
 * // the same preprocessing for one face at inference time
 * float[] chw = FacePreprocess.toChw(img, box, 224, false);
 * }</pre>
 */
package org.frafer.data;
