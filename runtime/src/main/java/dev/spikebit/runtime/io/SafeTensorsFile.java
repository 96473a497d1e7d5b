package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.stream.Collectors;

/**
 * The contents of a safetensors file read by {@link SafeTensors#read}: its tensors by name in file
 * order, and its metadata.
 *
 * <p>The lookups {@link #tensor} and {@link #floats} fail with a {@link RuntimeModelException} that
 * names the file, so a loader can ask for what it needs and let a wrong file explain itself.
 *
 * @param source   the file it was read from
 * @param tensors  tensors by name, in the order their bytes appear in the file
 * @param metadata the {@code __metadata__} strings in header order; empty if there were none
 */
public record SafeTensorsFile(Path source, SequencedMap<String, TensorEntry> tensors, Map<String, String> metadata) {

    public SafeTensorsFile {
        tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Tensor names in file order. */
    public List<String> names() {
        return List.copyOf(tensors.sequencedKeySet());
    }

    /** The tensor with this name, if the file has one. */
    public Optional<TensorEntry> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor with this name; fails naming the file and the tensors it does hold. */
    public TensorEntry tensor(String name) {
        TensorEntry entry = tensors.get(name);
        if (entry == null) {
            throw new RuntimeModelException(source + ": no tensor \"" + name + "\"; the file holds " + someNames());
        }
        return entry;
    }

    /** The elements of the F32 tensor with this name; fails naming the file if it is missing or not F32. */
    public float[] floats(String name) {
        TensorEntry entry = tensor(name);
        if (entry.dtype() != DType.F32) {
            throw new RuntimeModelException(
                    source + ": tensor \"" + name + "\" is " + entry.dtype() + ", expected F32");
        }
        return entry.toFloats();
    }

    /** A metadata value; fails naming the file if the key is missing. */
    public String metadata(String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new RuntimeModelException(source + ": no \"" + key + "\" in the header's __metadata__");
        }
        return value;
    }

    private String someNames() {
        if (tensors.isEmpty()) {
            return "no tensors";
        }
        int shown = 10;
        String listed =
                tensors.keySet().stream().limit(shown).map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
        return tensors.size() > shown ? listed + " and " + (tensors.size() - shown) + " more" : listed;
    }
}
