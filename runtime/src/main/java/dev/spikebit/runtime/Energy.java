package dev.spikebit.runtime;

/**
 * The energy model of the efficiency accounting (docs/methods.md 4): 4.6 pJ per multiply-accumulate
 * and 0.9 pJ per accumulate, the 45 nm figures the SNN literature uses. The one place these
 * constants live; the runtime's counters and the training side's report both use it.
 */
public final class Energy {
    /** pJ per MAC (a real value meeting a real weight) at 45 nm. */
    public static final double MAC_PJ = 4.6;
    /** pJ per AC (an addition: a spike meeting a weight, or a value meeting a +-1 weight) at 45 nm. */
    public static final double AC_PJ = 0.9;

    private Energy() {}

    /** {@code E = 4.6 pJ * MAC + 0.9 pJ * AC}. */
    public static double picojoules(double macs, double acs) {
        return MAC_PJ * macs + AC_PJ * acs;
    }
}
