package dev.spikebit.train;

import dev.spikebit.core.io.TensorFiles;
import dev.spikebit.runtime.io.DType;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tensor by tensor, whether two safetensors files hold the same bits, and for float tensors how
 * far apart they are. Metadata is not compared: checkpoints record the environment that wrote
 * them, which may differ while the tensors agree.
 *
 * @param tensors     the number of tensor names in either file
 * @param differences one entry per tensor that is not bitwise the same, in file order
 */
public record TensorDiff(int tensors, List<Difference> differences) {
    /**
     * One tensor that differs.
     *
     * @param name          the tensor's name
     * @param reason        what differs: "only in the first file", "only in the second file", "shape", "dtype" or "values"
     * @param elements      how many elements differ (values only, else 0)
     * @param maxAbsolute   the largest absolute difference of float values (values of F32 only, else NaN)
     */
    public record Difference(String name, String reason, long elements, double maxAbsolute) {}

    public TensorDiff {
        differences = List.copyOf(differences);
    }

    /** Whether every tensor is present in both files with the same dtype, shape and bytes. */
    public boolean identical() {
        return differences.isEmpty();
    }

    /** The largest absolute difference over all float tensors that differ in value, 0 when none does. */
    public double maxAbsolute() {
        return differences.stream()
                .mapToDouble(Difference::maxAbsolute)
                .filter(d -> !Double.isNaN(d))
                .max()
                .orElse(0);
    }

    /** Compares the tensors of two safetensors files. */
    public static TensorDiff of(Path first, Path second) {
        SafeTensorsFile a = TensorFiles.read(first);
        SafeTensorsFile b = TensorFiles.read(second);
        Set<String> names = new LinkedHashSet<>(a.names());
        names.addAll(b.names());
        List<Difference> out = new ArrayList<>();
        for (String name : names) {
            var left = a.find(name);
            var right = b.find(name);
            if (left.isEmpty() || right.isEmpty()) {
                out.add(new Difference(
                        name, left.isEmpty() ? "only in the second file" : "only in the first file", 0, Double.NaN));
            } else {
                compare(left.get(), right.get()).ifPresent(out::add);
            }
        }
        return new TensorDiff(names.size(), out);
    }

    private static Optional<Difference> compare(TensorEntry a, TensorEntry b) {
        if (a.dtype() != b.dtype()) {
            return Optional.of(new Difference(a.name(), "dtype", 0, Double.NaN));
        }
        if (!Arrays.equals(a.shape(), b.shape())) {
            return Optional.of(new Difference(a.name(), "shape", 0, Double.NaN));
        }
        MemorySegment x = a.data();
        MemorySegment y = b.data();
        if (x.mismatch(y) < 0) {
            return Optional.empty();
        }
        if (a.dtype() != DType.F32) {
            return Optional.of(new Difference(a.name(), "values", countDifferentBytes(x, y), Double.NaN));
        }
        float[] u = a.toFloats();
        float[] v = b.toFloats();
        long count = 0;
        double max = 0;
        for (int i = 0; i < u.length; i++) {
            if (Float.floatToRawIntBits(u[i]) != Float.floatToRawIntBits(v[i])) {
                count++;
                max = Math.max(max, Math.abs((double) u[i] - v[i]));
            }
        }
        return Optional.of(new Difference(a.name(), "values", count, max));
    }

    private static long countDifferentBytes(MemorySegment x, MemorySegment y) {
        long count = 0;
        for (long i = 0; i < x.byteSize(); i++) {
            if (x.get(ValueLayout.JAVA_BYTE, i) != y.get(ValueLayout.JAVA_BYTE, i)) {
                count++;
            }
        }
        return count;
    }
}
