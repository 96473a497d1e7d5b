package dev.spikebit.core;

import java.util.Arrays;

/**
 * A member of a closed family (an enum) that options and files call by a name of its own, such as
 * {@code binary-fixed-alpha}. The name is what files store, so renaming a constant never changes a
 * file.
 */
public interface Named {
    /** The name in options and files. */
    String id();

    /**
     * The member of {@code family} called {@code id}.
     *
     * @param field how the value is called where it came from ({@code --weights}, {@code weights})
     * @throws SpikebitException "FIELD must be one of a, b, got "x"" for an unknown name
     */
    static <E extends Named> E of(E[] family, String id, String field) {
        for (E member : family) {
            if (member.id().equals(id)) {
                return member;
            }
        }
        throw new SpikebitException(field + " must be one of " + ids(family) + ", got \"" + id + "\"");
    }

    /** The names of {@code family}, comma-separated, for help texts and errors. */
    static String ids(Named[] family) {
        return String.join(", ", Arrays.stream(family).map(Named::id).toList());
    }
}
