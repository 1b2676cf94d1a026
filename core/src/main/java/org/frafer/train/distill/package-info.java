/**
 * Distillation of a frozen face descriptor (e.g. HSE FaceRes, 1024-d) into an EfficientNet-B0
 * ({@code train --recipe distill}): the face-pretrained B0 of the FRA paper, made here because the
 * VGGFace2 B0 cannot be downloaded. The teacher's embeddings are computed once into a cache file
 * ({@link TeacherCache}); the student (timm-named B0 + a linear projection to the teacher's width)
 * learns to reproduce their direction ({@link Distiller}). The result loads as an FR backbone
 * ({@code --fr tf_efficientnet_b0} with the file as FR weights, {@code faces identify-eval
 * --weights}) and as FER init ({@code --init}).
 */
package org.frafer.train.distill;
