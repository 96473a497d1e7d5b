package dev.spikebit.core.io;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * Safetensors files as the library writes and reads them: through the one implementation of the
 * format ({@link SafeTensors}, in the runtime), with every write an atomic replace
 * ({@link AtomicFiles}: a crash leaves the old file or the new one) and every failure the core's
 * {@link SpikebitException}, whose message starts with the file.
 */
public final class TensorFiles {
    private TensorFiles() {}

    /** Replaces {@code path} with a safetensors file holding {@code tensors} and {@code metadata}. */
    public static void write(Path path, Collection<TensorEntry> tensors, Map<String, String> metadata) {
        try {
            AtomicFiles.write(path, out -> SafeTensors.write(out, path.toString(), tensors, metadata));
        } catch (RuntimeModelException e) {
            throw new SpikebitException(e.getMessage(), e);
        }
    }

    /** Reads and checks a whole safetensors file. */
    public static SafeTensorsFile read(Path path) {
        try {
            return SafeTensors.read(path);
        } catch (RuntimeModelException e) {
            throw new SpikebitException(e.getMessage(), e);
        }
    }
}
