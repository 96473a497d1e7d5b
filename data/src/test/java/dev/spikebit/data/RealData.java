package dev.spikebit.data;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests on real Fashion-MNIST need the dataset where Debian's package puts it. Without it they
 * fail, saying how to get it, unless the environment variable {@code SPIKEBIT_SKIP_REAL_DATA=1}
 * explicitly opts out: then they are skipped. A missing dataset therefore never passes silently
 * (CI does not opt out).
 */
public final class RealData {
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String OPT_OUT = "SPIKEBIT_SKIP_REAL_DATA";

    private RealData() {}

    /** Returns when Fashion-MNIST is installed; skips the test with the opt-out set; fails otherwise. */
    public static void requireFashionMnist() {
        if (Files.isDirectory(FASHION_MNIST)) {
            return;
        }
        String missing = "Fashion-MNIST is not installed in " + FASHION_MNIST
                + ": apt-get install dataset-fashion-mnist (Debian), or copy the four IDX files there";
        assumeTrue(!"1".equals(System.getenv(OPT_OUT)), missing + " (skipped: " + OPT_OUT + "=1)");
        fail(missing + "; to skip the tests on real data instead, set " + OPT_OUT + "=1");
    }
}
