/**
 * Batches for training and evaluation: {@link dev.spikebit.data.loader.DataLoader} shuffles
 * repeatably, augments deterministically and prepares batches on one background thread;
 * {@link dev.spikebit.data.loader.Epoch} is one pass, closed when done.
 */
package dev.spikebit.data.loader;
