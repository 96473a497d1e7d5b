package dev.spikebit.data.events;

/** How {@link FrameBinning} splits an event stream into T frames (docs/methods.md section 6). */
public enum BinningMode {
    /** Every frame holds the same number of events (within one, when T does not divide it). */
    EVENT_COUNT,
    /** Every frame covers the same stretch of time, from the first event to the last. */
    DURATION;

    /** The short name used in cache file names and on the command line. */
    public String id() {
        return this == EVENT_COUNT ? "count" : "time";
    }

    /** Parses {@code count}/{@code number} or {@code time}/{@code duration}. */
    public static BinningMode parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "count", "number", "event_count", "events" -> EVENT_COUNT;
            case "time", "duration" -> DURATION;
            default ->
                throw new IllegalArgumentException("unknown binning mode '" + text
                        + "': use 'count' (equal event count) or 'time' (equal duration)");
        };
    }
}
