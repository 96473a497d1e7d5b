/**
 * Files on disk: safetensors checkpoints and deployed models, and the atomic write that every
 * output file of spikebit goes through.
 *
 * <ul>
 *   <li>{@link dev.spikebit.core.io.SafeTensors} reads and writes the safetensors format
 *       (architecture.md, "Files"; the layout is described in docs/file-formats.md).</li>
 *   <li>{@link dev.spikebit.core.io.TensorEntry} and {@link dev.spikebit.core.io.DType} are the
 *       plain data a file holds, independent of the engine's tensor class.</li>
 *   <li>{@link dev.spikebit.core.io.AtomicFiles} replaces a file in one step, so a crash leaves
 *       either the old file or the new one, never half of one.</li>
 * </ul>
 */
package dev.spikebit.core.io;
