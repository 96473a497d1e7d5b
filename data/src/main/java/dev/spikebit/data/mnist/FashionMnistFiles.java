package dev.spikebit.data.mnist;

import java.nio.file.Path;

/**
 * Where the four Fashion-MNIST files were found: each is either the official {@code .gz} or its
 * uncompressed twin (the IDX reader tells them apart by content).
 *
 * @param directory the folder holding them, for messages
 */
public record FashionMnistFiles(Path directory, Path trainImages, Path trainLabels, Path testImages, Path testLabels) {}
