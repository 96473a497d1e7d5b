package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.DataException;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.Samples;
import dev.spikebit.data.idx.IdxFile;
import dev.spikebit.data.idx.IdxReader;
import dev.spikebit.data.image.PngImages;
import dev.spikebit.runtime.Energy;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.LayerStats;
import dev.spikebit.runtime.Model;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.deploy.Deployment;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikebit infer --model M --input FILE|DIR|DATASET:SPLIT}: runs a deployed model with the
 * runtime (no training engine involved) and prints each image's predicted class and the per-layer
 * counts of the run: input density, path taken, adds, multiplies and energy (docs/methods.md 4).
 *
 * <p>Inputs: an IDX image file ({@code .gz} or not, pixels scaled to [0, 1]), a PNG file, a folder
 * of PNG files (in name order), or a dataset split such as {@code fashion-mnist:test} (then the
 * labels are known and the accuracy is printed too).
 */
@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        description = "Run a deployed model with the runtime: predictions and per-layer operation counts.")
public final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A deployed model file (safetensors, deployed-1).")
    Path model;

    @Option(
            names = "--input",
            required = true,
            description =
                    "An IDX image file, a PNG file, a folder of PNGs, or DATASET:SPLIT (e.g. fashion-mnist:test).")
    String input;

    @Option(
            names = "--limit",
            defaultValue = "10000",
            description = "At most this many images. Default: ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--batch", defaultValue = "64", description = "Images per call. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(
            names = "--path",
            defaultValue = "auto",
            description = "auto (per layer from the input density), dense or events. Default: ${DEFAULT-VALUE}")
    String path;

    @Option(
            names = "--show",
            defaultValue = "20",
            description = "Predictions printed one per line. Default: ${DEFAULT-VALUE}")
    int show;

    @Option(names = "--data-dir", description = "Where the dataset files are (for DATASET:SPLIT).")
    Path dataDir;

    @Option(
            names = "--spark",
            arity = "0..1",
            fallbackValue = "local[*]",
            paramLabel = "MASTER",
            description = "Run the batches on Apache Spark: local[*] (the default with no value), local[N], "
                    + "spark://HOST:PORT, yarn, k8s://... (docs/distributed.md).")
    String spark;

    @Override
    public Integer call() {
        infer(System.out);
        return 0;
    }

    /** Loaded images, their names and (for a dataset) labels. */
    record Images(float[] pixels, int count, List<String> names, int[] labels) {}

    void infer(PrintStream out) {
        ExecutionPath mode = switch (path.toLowerCase(Locale.ROOT)) {
            case "auto" -> ExecutionPath.AUTO;
            case "dense" -> ExecutionPath.DENSE;
            case "events" -> ExecutionPath.EVENTS;
            default -> throw new SpikebitException("--path is \"" + path + "\", expected auto, dense or events");
        };
        OptionRanges.between("--batch", batch, 1, TrainConfig.MAX_BATCH);
        OptionRanges.atLeast("--limit", limit, 1);
        OptionRanges.atLeast("--show", show, 0);
        Model m = Model.load(model);
        Deployment.requireTimeSteps(model, m.timeSteps());
        Images images = load(m.inputShape());
        out.printf(
                "%s: %s, T=%d, input %s, %d classes; file %,d bytes, information %,d bytes%n",
                model,
                m.name(),
                m.timeSteps(),
                Arrays.toString(m.inputShape()),
                m.numClasses(),
                m.fileBytes(),
                m.informationBytes());
        int per = m.inputShape()[0] * m.inputShape()[1] * m.inputShape()[2];
        int[] predictions = new int[images.count()];
        List<Inference> runs = new ArrayList<>();
        long start = System.nanoTime();
        if (spark != null) {
            runs.addAll(ClusterBackend.load().infer(spark, model, images.pixels(), images.count(), batch, mode));
            int first = 0;
            for (Inference run : runs) {
                System.arraycopy(run.predictions(), 0, predictions, first, run.batch());
                first += run.batch();
            }
        } else {
            for (int first = 0; first < images.count(); first += batch) {
                int n = Math.min(batch, images.count() - first);
                Inference run = m.infer(Arrays.copyOfRange(images.pixels(), first * per, (first + n) * per), n, mode);
                System.arraycopy(run.predictions(), 0, predictions, first, n);
                runs.add(run);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int correct = 0;
        for (int i = 0; i < images.count(); i++) {
            boolean known = images.labels() != null;
            if (known && predictions[i] == images.labels()[i]) {
                correct++;
            }
            if (i < show) {
                out.printf(
                        "  %s: class %d%s%n",
                        images.names().get(i), predictions[i], known ? " (label " + images.labels()[i] + ")" : "");
            }
        }
        if (images.count() > show) {
            out.printf("  ... %d more%n", images.count() - show);
        }
        out.printf(
                "%d images in %.2f s (%.0f images/s)%s%n",
                images.count(),
                seconds,
                images.count() / seconds,
                images.labels() != null ? String.format(", accuracy %.2f%%", 100.0 * correct / images.count()) : "");
        printLayers(out, runs, images.count());
    }

    /** The per-layer counts, per inference, weighted over the batches. */
    static void printLayers(PrintStream out, List<Inference> runs, int images) {
        List<LayerStats> first = runs.getFirst().layers();
        out.printf(
                "%-10s %-12s %-7s %8s %8s %14s %14s %12s%n",
                "layer", "kind", "path", "density", "firing", "adds", "multiplies", "energy (nJ)");
        double adds = 0;
        double macs = 0;
        for (int l = 0; l < first.size(); l++) {
            double density = 0;
            double firing = 0;
            double a = 0;
            double m = 0;
            long dense = 0;
            long events = 0;
            for (Inference run : runs) {
                LayerStats s = run.layers().get(l);
                double w = (double) run.batch() / images;
                density += w * s.inputDensity();
                firing += w * s.firingRate();
                a += w * s.adds();
                m += w * s.multiplies();
                dense += s.denseRuns();
                events += s.eventRuns();
            }
            adds += a;
            macs += m;
            LayerStats s = first.get(l);
            String path = dense > 0 && events > 0 ? "mixed" : dense > 0 ? "dense" : events > 0 ? "events" : "";
            out.printf(
                    "%-10s %-12s %-7s %8s %8s %,14.0f %,14.0f %,12.1f%n",
                    s.name(),
                    s.kind(),
                    path,
                    Double.isNaN(density) ? "" : String.format("%.3f", density),
                    Double.isNaN(firing) ? "" : String.format("%.3f", firing),
                    a,
                    m,
                    Energy.picojoules(m, a) / 1e3);
        }
        out.printf(
                "%-10s %-12s %-7s %8s %8s %,14.0f %,14.0f %,12.1f   (per inference; E = %.1f pJ/MAC + %.1f pJ/AC)%n",
                "total", "", "", "", "", adds, macs, Energy.picojoules(macs, adds) / 1e3, Energy.MAC_PJ, Energy.AC_PJ);
    }

    private Images load(int[] shape) {
        int per = shape[0] * shape[1] * shape[2];
        int colon = input.indexOf(':');
        Path asPath = Path.of(input);
        if (colon > 0 && !Files.exists(asPath)) {
            String name = input.substring(0, colon);
            String split = input.substring(colon + 1);
            DatasetChoice choice =
                    DatasetChoice.load(DatasetName.of(name), dataDir, split.equals("train") ? limit : 1, limit);
            Dataset set = switch (split) {
                case "train" -> choice.train();
                case "test" -> choice.test();
                default -> throw new SpikebitException("--input " + input + ": the split must be train or test");
            };
            int n = Math.min(limit, set.size());
            if (set.sampleSize() != per) {
                throw new SpikebitException("--input " + input + ": samples of " + set.sampleSize()
                        + " values do not fit the model's input " + Arrays.toString(shape));
            }
            int[] labels = new int[n];
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                labels[i] = set.label(i);
                names.add(split + "[" + i + "]");
            }
            return new Images(Samples.first(set, n), n, names, labels);
        }
        if (Files.isDirectory(asPath)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(asPath)) {
                files = list.filter(p -> p.getFileName()
                                .toString()
                                .toLowerCase(Locale.ROOT)
                                .endsWith(".png"))
                        .sorted()
                        .limit(limit)
                        .toList();
            } catch (IOException e) {
                throw new SpikebitException(asPath + ": cannot list (" + e + ")", e);
            }
            if (files.isEmpty()) {
                throw new SpikebitException(asPath + ": no .png files");
            }
            float[] pixels = new float[files.size() * per];
            for (int i = 0; i < files.size(); i++) {
                png(files.get(i), shape, pixels, i * per);
            }
            return new Images(
                    pixels,
                    files.size(),
                    files.stream().map(p -> p.getFileName().toString()).toList(),
                    null);
        }
        if (!Files.isRegularFile(asPath)) {
            throw new SpikebitException("--input " + input + ": no such file, folder or DATASET:SPLIT");
        }
        if (asPath.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            float[] pixels = new float[per];
            png(asPath, shape, pixels, 0);
            return new Images(pixels, 1, List.of(asPath.getFileName().toString()), null);
        }
        IdxFile idx = IdxReader.read(asPath, 3);
        if (idx.itemSize() != per) {
            throw new SpikebitException(asPath + ": IDX images of " + idx.itemSize() + " pixels do not fit the model's "
                    + "input " + Arrays.toString(shape));
        }
        int n = Math.min(limit, idx.count());
        if (n == 0) {
            throw DataException.inFile(asPath, "the IDX file holds no images");
        }
        float[] pixels = new float[n * per];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = idx.unsigned(i) / 255f;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("image " + i);
        }
        return new Images(pixels, n, names, null);
    }

    /** A PNG of the model's height and width: luminance for one channel, RGB for three (see PngImages). */
    private static void png(Path file, int[] shape, float[] out, int offset) {
        PngImages.read(file, shape[0], shape[1], shape[2], out, offset);
    }
}
