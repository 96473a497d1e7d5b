package dev.spikebit.data.cifar;

import java.nio.file.Path;

/**
 * A CIFAR dataset's official split.
 *
 * @param train     the 50,000 training images
 * @param test      the 10,000 test images
 * @param directory the folder the files were read from
 */
public record CifarData(CifarImages train, CifarImages test, Path directory) {}
