/**
 * Files on disk: the atomic write that every output file of spikebit goes through, and
 * safetensors files as the library writes and reads them.
 *
 * <ul>
 *   <li>{@link dev.spikebit.core.io.AtomicFiles} replaces a file in one step, so a crash leaves
 *       either the old file or the new one, never half of one.</li>
 *   <li>{@link dev.spikebit.core.io.TensorFiles} writes safetensors files atomically and reads
 *       them with the one implementation of the format, {@code dev.spikebit.runtime.io.SafeTensors}
 *       (docs/file-formats.md; docs/architecture.md explains why the runtime owns it).</li>
 * </ul>
 */
package dev.spikebit.core.io;
