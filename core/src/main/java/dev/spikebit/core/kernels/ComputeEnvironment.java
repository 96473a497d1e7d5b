package dev.spikebit.core.kernels;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.kernels.gemm.BlasGemm;
import dev.spikebit.core.kernels.gemm.Gemm;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import jdk.incubator.vector.FloatVector;

/**
 * What the numbers of a run depend on besides its seed and options: the GEMM backend, the thread
 * count, the JDK and the CPU's vector features. For a given environment training is bitwise
 * repeatable; across environments it is not (docs/reproducibility.md). Runs record it in
 * {@code metrics.json} and in their checkpoints, and {@code --resume} continues on the recorded
 * backend.
 *
 * @param gemm        the GEMM backend in use: {@code blas}, {@code java} or {@code naive}
 * @param gemmAuto    what {@code auto} picks on this machine
 * @param blasCore    OpenBLAS's kernel family when the backend is {@code blas} ("Haswell",
 *                    "Cooperlake"), else empty
 * @param threads     the size of spikebit's worker pool
 * @param vectorBits  the Vector API's preferred vector width in bits (256 under
 *                    {@code -XX:UseAVX=2} on an AVX-512 machine)
 * @param jdk         the JDK's version and vendor
 * @param useAvx      HotSpot's {@code UseAVX} level, or empty when unknown
 * @param cpu         the CPU's model name, or empty when unknown
 * @param cpuFeatures the CPU's SIMD features that the kernels or OpenBLAS may use
 */
public record ComputeEnvironment(
        String gemm,
        String gemmAuto,
        String blasCore,
        int threads,
        int vectorBits,
        String jdk,
        String useAvx,
        String cpu,
        List<String> cpuFeatures) {
    /** The flags of {@code /proc/cpuinfo} worth recording: those that change which kernels run. */
    private static final Set<String> SIMD_FLAGS = Set.of(
            "sse4_1",
            "sse4_2",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "avx_vnni",
            "avx512f",
            "avx512dq",
            "avx512cd",
            "avx512bw",
            "avx512vl",
            "avx512_bf16",
            "avx512_vnni",
            "avx512_fp16",
            "amx_tile",
            "asimd",
            "sve",
            "sve2");

    /** Fields missing from an older or hand-edited record read as empty, never as null. */
    public ComputeEnvironment {
        gemm = Objects.requireNonNullElse(gemm, "");
        gemmAuto = Objects.requireNonNullElse(gemmAuto, "");
        blasCore = Objects.requireNonNullElse(blasCore, "");
        jdk = Objects.requireNonNullElse(jdk, "");
        useAvx = Objects.requireNonNullElse(useAvx, "");
        cpu = Objects.requireNonNullElse(cpu, "");
        cpuFeatures = cpuFeatures == null ? List.of() : List.copyOf(cpuFeatures);
    }

    /** This process's environment; loads the GEMM backend if nothing has yet. */
    public static ComputeEnvironment current() {
        Gemm gemm = Gemms.get();
        String cpu = "";
        List<String> features = List.of();
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo);
                cpu = firstValue(lines, "model name");
                features = simdFeatures(firstValue(lines, "flags") + " " + firstValue(lines, "Features"));
            } catch (IOException | RuntimeException e) {
                // Unreadable on this system: the record says "unknown" rather than failing a run.
            }
        }
        return new ComputeEnvironment(
                gemm.name(),
                Gemms.autoName(),
                gemm.name().equals("blas") ? BlasGemm.coreName() : "",
                Parallel.threads(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                Runtime.version() + " (" + System.getProperty("java.vm.vendor", "unknown vendor") + ")",
                hotspotUseAvx(),
                cpu,
                features);
    }

    /** The environment as one line of JSON, as checkpoints store it. */
    public String toJson() {
        return Json.write(json());
    }

    /** The fields of {@link #toJson} in record order, for files that hold the environment in a larger object. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("gemm", gemm);
        json.put("gemmAuto", gemmAuto);
        json.put("blasCore", blasCore);
        json.put("threads", threads);
        json.put("vectorBits", vectorBits);
        json.put("jdk", jdk);
        json.put("useAvx", useAvx);
        json.put("cpu", cpu);
        json.put("cpuFeatures", cpuFeatures);
        return json;
    }

    /**
     * Reads what {@link #toJson} wrote; fields an older record lacks read as empty.
     *
     * @throws SpikebitException naming {@code source} if the text is not such a record
     */
    public static ComputeEnvironment fromJson(String json, String source) {
        try {
            JsonObject o = JsonObject.parse(json, "the recorded compute environment");
            List<?> features = o.array("cpuFeatures");
            List<String> names = new ArrayList<>();
            for (Object f : features == null ? List.of() : features) {
                if (!(f instanceof String name)) {
                    throw new IllegalArgumentException("field \"cpuFeatures\" holds " + f + ", expected strings");
                }
                names.add(name);
            }
            return new ComputeEnvironment(
                    o.text("gemm", ""),
                    o.text("gemmAuto", ""),
                    o.text("blasCore", ""),
                    o.integer("threads", 0),
                    o.integer("vectorBits", 0),
                    o.text("jdk", ""),
                    o.text("useAvx", ""),
                    o.text("cpu", ""),
                    names);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(source + ": the recorded compute environment is not valid: " + e.getMessage());
        }
    }

    /**
     * The differences from {@code other} that change the numbers (backend, OpenBLAS kernels,
     * threads, vector width, JDK, CPU features), one phrase each; empty when a run in {@code other}
     * repeats one in this environment bit for bit.
     */
    public List<String> differencesFrom(ComputeEnvironment other) {
        List<String> out = new ArrayList<>();
        differ(out, "GEMM backend", gemm, other.gemm);
        differ(out, "OpenBLAS kernels", blasCore, other.blasCore);
        differ(out, "threads", Integer.toString(threads), Integer.toString(other.threads));
        differ(out, "vector bits", Integer.toString(vectorBits), Integer.toString(other.vectorBits));
        differ(out, "JDK", jdk, other.jdk);
        differ(out, "CPU features", String.join(" ", cpuFeatures), String.join(" ", other.cpuFeatures));
        return out;
    }

    private static void differ(List<String> out, String what, String mine, String theirs) {
        if (!mine.equals(theirs)) {
            out.add(what + " " + mine + " (now " + theirs + ")");
        }
    }

    private static String firstValue(List<String> cpuinfo, String key) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static List<String> simdFeatures(String flags) {
        Set<String> found = new TreeSet<>();
        for (String flag : flags.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (SIMD_FLAGS.contains(flag)) {
                found.add(flag);
            }
        }
        return List.copyOf(found);
    }

    /** HotSpot's {@code UseAVX}, which {@code -XX:UseAVX=2} lowers on an AVX-512 machine. */
    private static String hotspotUseAvx() {
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return hotspot == null ? "" : hotspot.getVMOption("UseAVX").getValue();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
