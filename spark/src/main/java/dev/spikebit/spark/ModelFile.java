package dev.spikebit.spark;

import java.io.Serializable;

/** A model or checkpoint file's bytes, broadcast once to every executor. */
record ModelFile(String name, byte[] bytes) implements Serializable {}
