/**
 * Fashion-MNIST: finding the files, downloading them with checksums, and loading both splits.
 *
 * <ul>
 *   <li>{@link dev.spikebit.data.mnist.FashionMnist#load(java.nio.file.Path)} is the one call a
 *       training run needs.</li>
 *   <li>{@link dev.spikebit.data.mnist.FashionMnistLocator} decides where the files come from;
 *       {@link dev.spikebit.data.mnist.Downloader} is how they are fetched when nowhere has them.</li>
 * </ul>
 */
package dev.spikebit.data.mnist;
