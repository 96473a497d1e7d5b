package dev.spikebit.interop.nir;

import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;

/**
 * NIR's Flatten on a multi-step batch {@code [T, B, sample...]}: merges the sample axes
 * {@code start..end} (NIR counts them without the batch axis; negative counts from the end).
 */
final class SampleFlatten extends Module {
    private final int start;
    private final int end;

    SampleFlatten(int start, int end) {
        this.start = start;
        this.end = end;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        int sampleRank = s.length - 2;
        int from = (start < 0 ? sampleRank + start : start) + 2;
        int to = (end < 0 ? sampleRank + end : end) + 2;
        if (from < 2 || to >= s.length || from > to) {
            throw new IllegalArgumentException(describe() + " does not fit an input of shape " + Arrays.toString(s));
        }
        int[] out = new int[s.length - (to - from)];
        int k = 0;
        for (int i = 0; i < from; i++) {
            out[k++] = s[i];
        }
        int merged = 1;
        for (int i = from; i <= to; i++) {
            merged *= s[i];
        }
        out[k++] = merged;
        for (int i = to + 1; i < s.length; i++) {
            out[k++] = s[i];
        }
        return x.reshape(out);
    }

    @Override
    public String describe() {
        return "Flatten(" + start + ", " + end + ")";
    }
}
