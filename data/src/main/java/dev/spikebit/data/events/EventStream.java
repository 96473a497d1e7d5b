package dev.spikebit.data.events;

import java.util.Arrays;

/**
 * The events of one recording or sample, struct-of-arrays and sorted by time (docs/methods.md section 6).
 *
 * <p>Event {@code i} happened at pixel {@code (x[i], y[i])} of a {@code width x height} sensor at
 * time {@code t[i]} (microseconds), with polarity {@code polarity[i]}: 1 for ON (brighter), 0 for
 * OFF (darker). Coordinates have their origin in the top-left corner, x to the right, y down. The
 * arrays are owned by the stream: readers hand over fresh arrays and nothing writes to them later.
 *
 * <p>Build streams with {@link #sortedByTime}, which sorts events recorded slightly out of order;
 * the canonical constructor only checks.
 */
public record EventStream(int[] x, int[] y, byte[] polarity, long[] t, int width, int height) {

    public static final byte OFF = 0;
    public static final byte ON = 1;

    public EventStream {
        int n = x.length;
        if (y.length != n || polarity.length != n || t.length != n) {
            throw new IllegalArgumentException("event arrays differ in length: x " + n + ", y " + y.length
                    + ", polarity " + polarity.length + ", t " + t.length);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("sensor size must be positive: " + width + "x" + height);
        }
        for (int i = 0; i < n; i++) {
            if (x[i] < 0 || x[i] >= width || y[i] < 0 || y[i] >= height) {
                throw new IllegalArgumentException("event " + i + " at (" + x[i] + ", " + y[i] + ") lies outside the "
                        + width + "x" + height + " sensor");
            }
            if (polarity[i] != OFF && polarity[i] != ON) {
                throw new IllegalArgumentException("event " + i + " has polarity " + polarity[i] + ", not 0 or 1");
            }
            if (i > 0 && t[i] < t[i - 1]) {
                throw new IllegalArgumentException("events are not sorted by time: t[" + i + "] = " + t[i] + " < t["
                        + (i - 1) + "] = " + t[i - 1]);
            }
        }
    }

    /** A stream without events. */
    public static EventStream empty(int width, int height) {
        return new EventStream(new int[0], new int[0], new byte[0], new long[0], width, height);
    }

    /**
     * A stream of the given events, stably sorted by time if they are not already (sensors and
     * their file writers occasionally emit a few events out of order).
     */
    public static EventStream sortedByTime(int[] x, int[] y, byte[] polarity, long[] t, int width, int height) {
        boolean sorted = true;
        for (int i = 1; i < t.length && sorted; i++) {
            sorted = t[i] >= t[i - 1];
        }
        if (sorted) {
            return new EventStream(x, y, polarity, t, width, height);
        }
        int[] order = stableTimeOrder(t);
        int[] sx = new int[t.length];
        int[] sy = new int[t.length];
        byte[] sp = new byte[t.length];
        long[] st = new long[t.length];
        for (int i = 0; i < order.length; i++) {
            int j = order[i];
            sx[i] = x[j];
            sy[i] = y[j];
            sp[i] = polarity[j];
            st[i] = t[j];
        }
        return new EventStream(sx, sy, sp, st, width, height);
    }

    /**
     * Event indices in time order, ties in index order. Sorts primitive keys
     * {@code (t - t_min) << 31 | index} when the time span fits 32 bits (always, in practice),
     * else boxed indices.
     */
    private static int[] stableTimeOrder(long[] t) {
        int n = t.length;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long v : t) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int[] order = new int[n];
        if (max - min >= 0 && max - min < (1L << 32)) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = ((t[i] - min) << 31) | i;
            }
            java.util.Arrays.sort(keys);
            for (int i = 0; i < n; i++) {
                order[i] = (int) (keys[i] & Integer.MAX_VALUE);
            }
            return order;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        java.util.Arrays.sort(boxed, (a, b) -> Long.compare(t[a], t[b])); // merge sort: stable
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    public int size() {
        return t.length;
    }

    public boolean isEmpty() {
        return t.length == 0;
    }

    /** Events {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public EventStream slice(int from, int to) {
        return new EventStream(
                Arrays.copyOfRange(x, from, to),
                Arrays.copyOfRange(y, from, to),
                Arrays.copyOfRange(polarity, from, to),
                Arrays.copyOfRange(t, from, to),
                width,
                height);
    }

    /** The events with {@code startUs <= t < endUs}. */
    public EventStream between(long startUs, long endUs) {
        return slice(firstAtOrAfter(startUs), firstAtOrAfter(Math.max(startUs, endUs)));
    }

    /** Index of the first event with {@code t >= time}, or {@link #size()} if there is none. */
    public int firstAtOrAfter(long time) {
        int lo = 0;
        int hi = t.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t[mid] < time) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of ON events. */
    public int onCount() {
        int n = 0;
        for (byte p : polarity) {
            n += p;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventStream s
                && width == s.width
                && height == s.height
                && Arrays.equals(x, s.x)
                && Arrays.equals(y, s.y)
                && Arrays.equals(polarity, s.polarity)
                && Arrays.equals(t, s.t);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(t) + Arrays.hashCode(x)) + Arrays.hashCode(y);
    }

    @Override
    public String toString() {
        return "EventStream[" + size() + " events, " + width + "x" + height
                + (isEmpty() ? "" : ", t " + t[0] + ".." + t[t.length - 1] + " us") + "]";
    }
}
