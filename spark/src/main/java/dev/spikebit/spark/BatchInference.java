package dev.spikebit.spark;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of batch inference: the broadcast model is loaded once per executor JVM (and
 * kept for the job's later partitions), then every batch of a partition runs through the runtime,
 * its images cut from the broadcast pixels (which reach each executor once, not with every task).
 */
final class BatchInference {
    /** Models loaded in this JVM, by broadcast id. */
    private static final Map<Long, Model> LOADED = new ConcurrentHashMap<>();

    private BatchInference() {}

    static Iterator<BatchResult> run(
            Broadcast<ModelFile> shared,
            Broadcast<float[]> pixels,
            int perImage,
            Iterator<ImageBatch> batches,
            ExecutionPath path) {
        Model model = LOADED.computeIfAbsent(shared.id(), id -> load(shared.value()));
        float[] all = pixels.value();
        List<BatchResult> out = new ArrayList<>();
        while (batches.hasNext()) {
            ImageBatch b = batches.next();
            float[] x = Arrays.copyOfRange(all, b.first() * perImage, (b.first() + b.count()) * perImage);
            out.add(BatchResult.of(b.index(), model.infer(x, b.count(), path)));
        }
        return out.iterator();
    }

    /** The runtime reads models from files: the bytes go to a temporary file of this JVM first. */
    private static Model load(ModelFile file) {
        try {
            Path local = Files.createTempFile("spikebit-", "-" + file.name());
            local.toFile().deleteOnExit();
            Files.write(local, file.bytes());
            return Model.load(local);
        } catch (IOException e) {
            throw new SpikebitException(file.name() + ": cannot write the broadcast model locally (" + e + ")", e);
        }
    }
}
