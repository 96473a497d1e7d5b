/**
 * The IDX file format of MNIST and Fashion-MNIST (Yann LeCun's MNIST page), raw or gzip.
 *
 * <ul>
 *   <li>{@link dev.spikebit.data.idx.IdxReader} reads and validates a file; nothing is allocated
 *       from a size field before it is checked against what the file can hold.</li>
 *   <li>{@link dev.spikebit.data.idx.IdxFile} is what a file holds: its shape and its bytes.</li>
 * </ul>
 */
package dev.spikebit.data.idx;
