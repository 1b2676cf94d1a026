package org.frafer.nn;

import ai.djl.nn.Parameter;

/** A parameter with the stable name it has in checkpoints (its path in the network block). */
public record NamedParameter(String name, Parameter parameter) {}
