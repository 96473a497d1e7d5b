package dev.spikebit.data.mnist;

import dev.spikebit.data.ArrayDataset;
import java.nio.file.Path;

/**
 * Fashion-MNIST in memory: 60,000 training and 10,000 test images, each of shape {@code [1, 28, 28]}
 * with pixels in [0, 1], and labels 0..9 ({@link FashionMnist#CLASS_NAMES}).
 *
 * @param directory the folder the files were read from
 */
public record FashionMnistData(ArrayDataset train, ArrayDataset test, Path directory) {}
