package dev.spikebit.runtime.kernels;

/**
 * The codeword maps of one codebook (docs/methods.md 3): each codeword's 3x3 sign pattern applied to a
 * zero-padded tile of one input channel, {@code map_j[i] = sum_{ky, kx} sign_j(ky, kx) tile[i + ky * pitch + kx]},
 * stored at {@code dst + j * mapPitch + i}. The output lane {@code i} and the tile share the row
 * pitch, so each map is one linear pass over the lanes.
 *
 * <p>A codeword is three rows of three signs, and a row's signed sum is one of eight triples
 * {@code +-x0 +- x1 +- x2}, four of them the negations of the other four. An implementation keeps the
 * four positive-first triples of the three rows a lane group reads in registers, twelve vectors, and
 * writes every map as two additions of them: no map reads memory. Which registers a codeword adds
 * depends on its pattern, a fact known only when the model is loaded; {@link CodewordMapsCompiler}
 * writes that choice into code once per codebook.
 */
public interface CodewordMaps {
    /**
     * Output rows {@code 0 .. rows - 1} of one column block, one vector per row: row {@code y} at
     * lanes {@code dst + y * pitch}, reading tile rows {@code y .. y + 2} at {@code tile + (y + r) * pitch}.
     * Each tile row's triples are computed once and reused by the three output rows that read it.
     * For {@code pitch >= V}.
     */
    void rows(float[] s, int tile, int pitch, int rows, int dst, int mapPitch);

    /**
     * {@code vectors} consecutive vectors of lanes from {@code dst}, the tile from {@code tile}: for
     * narrow rows ({@code pitch < V}), where a vector spans more than one output row and so cannot
     * slide down a row at a time. Each vector computes the triples of its three tile rows.
     */
    void vectors(float[] s, int tile, int pitch, int vectors, int dst, int mapPitch);
}
