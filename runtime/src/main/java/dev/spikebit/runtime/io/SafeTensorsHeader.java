package dev.spikebit.runtime.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checked header of a safetensors file: enough to list, size or selectively load its tensors
 * without reading their bytes (what {@code spikebit inspect} needs).
 *
 * @param tensors   every tensor, in file order (by position in the data section)
 * @param metadata  the {@code __metadata__} strings in header order; empty if there were none
 * @param dataStart absolute file position of the data section: 8 + the header length
 */
public record SafeTensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

    public SafeTensorsHeader {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Total bytes of tensor data. */
    public long dataSize() {
        return tensors.isEmpty() ? 0 : tensors.getLast().end();
    }
}
