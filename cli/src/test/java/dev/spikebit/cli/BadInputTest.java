package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.FashionMnistSubset;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command given a bad file, a bad checkpoint or an option out of range ends with exactly one
 * line on stderr, {@code spikebit: ...}, and exit code 1; one test per way a new user met a stack
 * trace, a hang or a silent NaN.
 */
class BadInputTest {

    @TempDir
    static Path dir;

    private static Path junk;
    private static Path good;
    private static Path deployed;

    /** What a run printed on stderr and returned. */
    record Outcome(int code, String err) {
        List<String> lines() {
            return err.lines().toList();
        }
    }

    @BeforeAll
    static void files() throws IOException {
        junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "hi\n");
        // A real checkpoint after epoch 1 of 2 (Adam state included), from 64 Fashion-MNIST images.
        var data = FashionMnistSubset.load(64, 64);
        TrainConfig config = TrainConfig.builder(ModelZoo.defaultSpec("fmnist-cnn")
                        .withSpikes(SpikeKind.REAL)
                        .withWeights(WeightKind.BINARY)
                        .withTimeSteps(1))
                .epochs(2)
                .trainLimit(64)
                .testLimit(64)
                .build();
        Path run = dir.resolve("run");
        new Trainer(
                        config,
                        Models.build(config.spec(), 1),
                        data.train(),
                        data.test(),
                        null,
                        run,
                        new PrintStream(OutputStream.nullOutputStream()))
                .recordingDataset(DatasetName.FASHION_MNIST)
                .runUntil(1);
        good = run.resolve("last.safetensors");
        assertThat(Checkpoint.load(good).info(Trainer.DATASET_KEY, null)).isEqualTo("fashion-mnist");
        deployed = dir.resolve("deployed.safetensors");
        Outcome deploy = run("deploy", "--checkpoint", good.toString(), "--out", deployed.toString(), "--check", "0");
        assertThat(deploy.code()).as(deploy.err()).isZero();
    }

    static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString());
    }

    /** Exactly one line, starting {@code spikebit: } and containing {@code expected}, and exit code 1. */
    static void assertOneLine(Outcome o, String expected) {
        assertThat(o.lines()).as(o.err()).hasSize(1);
        assertThat(o.lines().getFirst()).startsWith("spikebit: ").contains(expected);
        assertThat(o.code()).as(o.err()).isEqualTo(1);
    }

    /** A copy of the good checkpoint with its metadata and tensors changed. */
    static Path variant(String name, Consumer<Map<String, String>> metadata, Consumer<Map<String, float[]>> tensors) {
        SafeTensorsFile file = SafeTensors.read(good);
        Map<String, String> meta = new LinkedHashMap<>(file.metadata());
        metadata.accept(meta);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        file.tensors().forEach((k, e) -> {
            values.put(k, e.toFloats());
            shapes.put(k, e.shape());
        });
        tensors.accept(values);
        List<TensorEntry> entries = new ArrayList<>();
        values.forEach((k, v) -> entries.add(TensorEntry.ofFloats(k, shapes.get(k), v)));
        Path out = dir.resolve(name + ".safetensors");
        SafeTensors.write(out, entries, meta);
        return out;
    }

    /** A copy of the deployed model with one top-level field of its graph JSON changed. */
    static Path deployedWith(String name, String field, Object value) {
        SafeTensorsFile file = SafeTensors.read(deployed);
        Map<String, String> meta = new LinkedHashMap<>(file.metadata());
        meta.replaceAll((k, v) ->
                v.startsWith("{") && ((Map<?, ?>) Json.parse(v)).containsKey(field) ? withField(v, field, value) : v);
        Path out = dir.resolve(name + ".safetensors");
        SafeTensors.write(out, file.tensors().values(), meta);
        return out;
    }

    /** The JSON object {@code json} with {@code field} set to {@code value}, the other fields as they were. */
    private static String withField(String json, String field, Object value) {
        Map<String, Object> object = new LinkedHashMap<>();
        ((Map<?, ?>) Json.parse(json)).forEach((k, v) -> object.put((String) k, v));
        object.put(field, value);
        return Json.write(object);
    }

    static Path withInfo(String name, String key, String value) {
        return variant(name, m -> m.put(key, value), t -> {});
    }

    static Path withTrainConfig(String name, String field, Object value) {
        return variant(name, m -> m.put("train_config", withField(m.get("train_config"), field, value)), t -> {});
    }

    static Path withModel(String name, String field, Object value) {
        return variant(name, m -> m.put("spikebit.model", withField(m.get("spikebit.model"), field, value)), t -> {});
    }

    static Path withTensor(String name, String tensorSuffix, float value) {
        return variant(
                name,
                m -> {},
                t -> t.forEach((k, v) -> {
                    if (k.endsWith(tensorSuffix)) {
                        v[0] = value;
                    }
                }));
    }

    Outcome resume(Path checkpoint) {
        return run(
                "train",
                "--resume",
                checkpoint.toString(),
                "--out",
                dir.resolve("resumed").toString());
    }

    @Test
    void theGoodCheckpointEvaluatesAndTheUnchangedCopyToo() {
        assertThat(run("eval", "--checkpoint", good.toString(), "--test-limit", "64")
                        .code())
                .isZero();
        Path same = variant("same", m -> {}, t -> {});
        assertThat(run("eval", "--checkpoint", same.toString(), "--test-limit", "64")
                        .code())
                .isZero();
    }

    @Test
    void everyCommandGivenAJunkFileSaysSoInOneLine() throws IOException {
        Path fmnist = dir.resolve("junk-fmnist");
        Files.createDirectories(fmnist);
        for (String stem : List.of(
                "train-images-idx3-ubyte",
                "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            Files.writeString(fmnist.resolve(stem), "hi\n");
        }
        String j = junk.toString();
        String out = dir.resolve("out").toString();
        assertOneLine(run("train", "--resume", j, "--out", out), j);
        assertOneLine(run("train", "--data-dir", fmnist.toString(), "--out", out), "train-images-idx3-ubyte");
        assertOneLine(run("eval", "--checkpoint", j), j);
        assertOneLine(run("deploy", "--checkpoint", j, "--out", out + ".safetensors"), j);
        assertOneLine(run("inspect", j), j);
        assertOneLine(run("infer", "--model", j, "--input", "fashion-mnist:test"), j);
        assertOneLine(run("codebook", j), j);
        assertOneLine(run("compress", "--from", j, "--eta", "4", "--out", out), j);
        assertOneLine(run("bench", "infer", "--model", j), j);
        assertOneLine(run("quickstart", "--data-dir", fmnist.toString(), "--out", out), "train-images-idx3-ubyte");
        assertOneLine(
                run("experiment", "reverb", "--data-dir", fmnist.toString(), "--out", out), "train-images-idx3-ubyte");
    }

    @Test
    void wrappedUserErrorsAreStillOneLineAndBugsSayTheyAreBugs() {
        StringWriter err = new StringWriter();
        PrintWriter to = new PrintWriter(err, true);
        var wrapped = new java.util.concurrent.CompletionException(
                dev.spikebit.data.DataException.inFile(junk, "truncated\nin two lines"));
        assertThat(Main.report(wrapped, to)).isEqualTo(1);
        assertThat(Main.report(new NullPointerException("oops"), to)).isEqualTo(Main.INTERNAL_ERROR);
        assertThat(err.toString().lines().toList())
                .containsExactly(
                        "spikebit: " + junk + ": truncated in two lines",
                        "spikebit: internal error: java.lang.NullPointerException: oops (a bug; run again with --debug "
                                + "for the stack trace)");
    }

    @Test
    void debugAddsTheStackTrace() {
        Outcome o = run("eval", "--debug", "--checkpoint", junk.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.lines().getFirst()).startsWith("spikebit: " + junk);
        assertThat(o.err()).contains("at dev.spikebit.");
    }

    // ------------------------------------------------------------- 1. runtime errors in infer

    @Test
    void inferAndBenchInferGivenACheckpointAFolderOrJunkAsModel() {
        for (String model : List.of(junk.toString(), good.toString(), dir.toString())) {
            assertOneLine(run("infer", "--model", model, "--input", "fashion-mnist:test"), model);
            assertOneLine(run("bench", "infer", "--model", model), model);
        }
    }

    // ------------------------------------------------------------- 2. sizes from files

    @Test
    void aCheckpointWhoseModelRunsAHundredThousandStepsIsRefusedAtLoad() {
        Path huge = withModel("huge-t", "timeSteps", 100_000);
        assertOneLine(run("eval", "--checkpoint", huge.toString()), "T must be in 1..256, got 100000");
        Path channels = withModel("huge-c", "inChannels", 1 << 20);
        assertOneLine(run("eval", "--checkpoint", channels.toString()), "inChannels must be in 1..1024");
    }

    @Test
    void aDeployedModelOfABillionStepsIsRefusedInsteadOfRunningForever() {
        Path endless = deployedWith("endless", "timeSteps", 1_000_000_000);
        assertOneLine(
                run("infer", "--model", endless.toString(), "--input", "fashion-mnist:test", "--limit", "1"),
                endless.toString());
        assertOneLine(run("inspect", endless.toString(), "--images", "1"), endless.toString());
        assertOneLine(run("bench", "infer", "--model", endless.toString(), "--runs", "1"), endless.toString());
    }

    // ------------------------------------------------------------- 3. resume metadata

    @Test
    void resumeRefusesEpochsThatAreNotWholeNumbersInRange() {
        for (String epoch : List.of("abc", "1.5", "", "-5")) {
            assertOneLine(resume(withInfo("epoch", "epoch", epoch)), "epoch must be a whole number >= 0");
        }
        assertOneLine(resume(withInfo("epoch999", "epoch", "999")), "epoch 999 is past the run's last epoch 2");
    }

    @Test
    void resumeRefusesABestAccuracyThatIsNotAnAccuracy() {
        assertOneLine(resume(withInfo("best-abc", "best_accuracy", "abc")), "best_accuracy must be a number");
        assertOneLine(resume(withInfo("best-nan", "best_accuracy", "NaN")), "best_accuracy must be in [0, 1]");
    }

    @Test
    void resumeHoldsTheSavedConfigurationToTheRulesOfANewRun() {
        assertOneLine(resume(withTrainConfig("batch0", "batchSize", 0)), "train_config.batchSize must be in 1..");
        assertOneLine(resume(withTrainConfig("lr-nan", "lr", "NaN")), "train_config.lr must be a finite number > 0");
        assertOneLine(resume(withTrainConfig("loss-mse", "loss", "mse")), "train_config.loss must be one of ce, tet");
        assertOneLine(
                resume(withTrainConfig("optimizer-rmsprop", "optimizer", "rmsprop")),
                "train_config.optimizer must be one of adam, adamw, sgd, nesterov, got \"rmsprop\"");
    }

    @Test
    void resumeRefusesNonFiniteAdamStateAndANegativeStepCount() {
        Path nan = withTensor("adam-nan", "exp_avg_sq/conv1.weight", Float.NaN);
        assertThat(SafeTensors.read(nan).tensors().keySet()).anyMatch(k -> k.startsWith("optim.exp_avg_sq/"));
        assertOneLine(
                resume(variant(
                        "adam-nan-any",
                        m -> {},
                        t -> t.forEach((k, v) -> {
                            if (k.startsWith("optim.exp_avg_sq/")) {
                                v[0] = Float.NaN;
                            }
                        }))),
                "holds NaN at index 0");
        long steps = -3;
        float[] negative = {Float.intBitsToFloat((int) steps), Float.intBitsToFloat((int) (steps >>> 32))};
        assertOneLine(
                resume(variant("steps", m -> {}, t -> t.put("optim.steps", negative))),
                "step count must be >= 0, got -3");
    }

    @Test
    void resumeTrainsAsTheCheckpointRecordsOnOneMachineOrDataParallel() {
        // Both are refused before Spark or any data is loaded.
        assertOneLine(
                run(
                        "train",
                        "--resume",
                        good.toString(),
                        "--out",
                        dir.resolve("dp").toString(),
                        "--spark",
                        "local[2]"),
                "the run was trained on one machine; resume it without --spark");
        Path dataParallel = withInfo(
                "data-parallel", ClusterBackend.DataParallel.CHECKPOINT_KEY, "{\"workers\":2,\"sync_every\":8}");
        assertOneLine(resume(dataParallel), "trained data-parallel (2 workers, sync every 8); resume it with --spark");
        String out = dir.resolve("dp").toString();
        for (String[] other : List.of(new String[] {"--workers", "4"}, new String[] {"--sync-every", "1"})) {
            assertOneLine(
                    run(
                            "train",
                            "--resume",
                            dataParallel.toString(),
                            "--out",
                            out,
                            "--spark",
                            "local[2]",
                            other[0],
                            other[1]),
                    "trained with 2 workers, sync every 8; a resumed run keeps them");
        }
        assertOneLine(
                resume(withInfo(
                        "data-parallel-junk", ClusterBackend.DataParallel.CHECKPOINT_KEY, "{\"workers\":\"two\"}")),
                "workers");
    }

    @Test
    void resumingAFinishedRunSaysHowToTrainFurther() {
        Path finished = withTrainConfig("finished", "epochs", 1);
        assertOneLine(resume(finished), "give --epochs above 1");
    }

    // ------------------------------------------------------------- 4. NaN and Inf in checkpoints

    @Test
    void nonFiniteWeightsAndBatchNormStatisticsAreRefusedNamingTheTensor() {
        String weight = firstTensorEnding(".weight");
        assertOneLine(
                run(
                        "eval",
                        "--checkpoint",
                        withTensor("w-nan", weight, Float.NaN).toString()),
                "\"" + weight + "\" holds NaN");
        assertOneLine(
                run(
                        "eval",
                        "--checkpoint",
                        withTensor("w-inf", weight, Float.POSITIVE_INFINITY).toString()),
                "holds Infinity");
        String mean = firstTensorEnding("running_mean");
        assertOneLine(
                run(
                        "eval",
                        "--checkpoint",
                        withTensor("mean-nan", mean, Float.NaN).toString()),
                "\"" + mean + "\" holds NaN");
        String var = firstTensorEnding("running_var");
        assertOneLine(
                run("eval", "--checkpoint", withTensor("var-neg", var, -0.5f).toString()),
                "\"" + var + "\" holds the negative variance -0.5");
    }

    private static String firstTensorEnding(String suffix) {
        return SafeTensors.read(good).tensors().keySet().stream()
                .filter(k -> k.startsWith("model.") && k.endsWith(suffix))
                .findFirst()
                .orElseThrow();
    }

    // ------------------------------------------------------------- 5. empty data

    @Test
    void emptySplitsAndEmptyInputsAreErrors() throws IOException {
        Path empty = dir.resolve("empty-fmnist");
        Files.createDirectories(empty);
        for (String split : List.of("train", "t10k")) {
            Files.write(empty.resolve(split + "-images-idx3-ubyte"), idxHeader(0x803, 0, 28, 28));
            Files.write(empty.resolve(split + "-labels-idx1-ubyte"), idxHeader(0x801, 0));
        }
        assertOneLine(
                run(
                        "train",
                        "--data-dir",
                        empty.toString(),
                        "--out",
                        dir.resolve("e").toString()),
                "the split holds no samples");
        assertOneLine(
                run("eval", "--checkpoint", good.toString(), "--data-dir", empty.toString()),
                "the split holds no samples");
        assertOneLine(
                run(
                        "infer",
                        "--model",
                        deployed.toString(),
                        "--input",
                        "fashion-mnist:test",
                        "--data-dir",
                        empty.toString()),
                "the split holds no samples");
        Path images = empty.resolve("t10k-images-idx3-ubyte");
        assertOneLine(
                run("infer", "--model", deployed.toString(), "--input", images.toString()),
                images + ": the IDX file holds no images");
    }

    private static byte[] idxHeader(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    // ------------------------------------------------------------- 7. options

    @Test
    void everyNumericOptionOutOfRangeNamesTheOptionAndItsRange() {
        String ckpt = good.toString();
        String out = dir.resolve("o").toString();
        assertOneLine(run("eval", "--checkpoint", ckpt, "--batch", "0"), "--batch must be in 1..65536, got 0");
        assertOneLine(run("eval", "--checkpoint", ckpt, "--batch", "-1"), "--batch must be in 1..65536, got -1");
        assertOneLine(run("inspect", ckpt, "--images", "-3"), "--images must be in 1..10000, got -3");
        assertOneLine(run("train", "--lr", "NaN", "--out", out), "--lr must be a finite number > 0, got NaN");
        assertOneLine(run("train", "--lr", "-1", "--out", out), "--lr must be a finite number > 0, got -1.0");
        assertOneLine(run("train", "--train-limit", "-5", "--out", out), "--train-limit must be >= 0");
        assertOneLine(run("train", "--schedule", "step:0:0.5", "--out", out), "EVERY must be >= 1");
        assertOneLine(run("train", "--schedule", "step:10:1.5", "--out", out), "GAMMA must be in (0, 1]");
        assertOneLine(run("train", "--T", "100000", "--out", out), "--T must be in 1..256");
        assertOneLine(run("train", "--epochs", "0", "--out", out), "--epochs must be in 1..");
        assertOneLine(run("train", "--momentum", "1", "--out", out), "--momentum must be in [0, 1)");
        // Data-parallel options, checked before anything loads.
        assertOneLine(run("train", "--workers", "2", "--out", out), "--workers and --sync-every need --spark");
        assertOneLine(run("train", "--spark", "local[2]", "--out", out), "train --spark needs --workers N");
        assertOneLine(
                run("train", "--spark", "local[2]", "--workers", "3", "--out", out),
                "--batch 64 is the total batch of the 3 workers and must be a multiple of --workers");
        assertOneLine(
                run("train", "--spark", "local[2]", "--workers", "2", "--sync-every", "0", "--out", out),
                "--sync-every must be in 1..");
        // A Hadoop filesystem URI as --out is written by the spark module, so it needs --spark.
        assertOneLine(
                run("train", "--out", "hdfs://namenode:8020/runs/x"),
                "--out hdfs://namenode:8020/runs/x: a Hadoop filesystem URI needs --spark");
        assertOneLine(
                run("experiment", "reverb", "--out", "s3a://bucket/runs"),
                "--out s3a://bucket/runs: a Hadoop filesystem URI needs --spark");
        assertOneLine(run("deploy", "--checkpoint", ckpt, "--out", out, "--check", "-1"), "--check must be in 0..");
        // The check's images come from the dataset the checkpoint records, so a name no registry knows is refused.
        String imagenet =
                withInfo("dataset-imagenet", Trainer.DATASET_KEY, "imagenet").toString();
        assertOneLine(
                run("deploy", "--checkpoint", imagenet, "--out", out),
                "unknown dataset \"imagenet\"; known: fashion-mnist");
        assertOneLine(run("infer", "--model", ckpt, "--input", "x", "--limit", "0"), "--limit must be >= 1");
        assertOneLine(run("compress", "--from", ckpt, "--eta", "9", "--out", out), "--eta must be in 1..8, got 9");
        assertOneLine(run("bench", "train", "--runs", "0"), "--runs must be >= 1");
        assertOneLine(run("quickstart", "--epochs", "0"), "--epochs must be in 1..");
        assertOneLine(run("experiment", "s2nn", "--etas", "0"), "--etas must be in 1..8, got 0");
        assertOneLine(run("train", "--validation", "-1", "--out", out), "--validation must be >= 0 (0 = none), got -1");
        assertOneLine(
                run("train", "--validation", "100", "--train-limit", "100", "--out", out),
                "--validation 100: the validation set must hold 1..99 of the 100 images of");
        assertOneLine(
                run("experiment", "s2nn", "--lambda", "1,1000", "--out", out),
                "several MPFD lambdas [1.0, 1000.0] need a validation set (--validation N)");
        assertOneLine(run("experiment", "s2nn", "--teachers", "fp,xnor", "--out", out), "--teachers");
        assertOneLine(
                run("train", "--spark", "local[2]", "--workers", "2", "--validation", "10", "--out", out),
                "--validation is not supported with --spark");
        // Values that do not parse at all are picocli's errors, one line too.
        assertOneLine(run("eval", "--checkpoint", ckpt, "--batch", "many"), "--batch");
    }
}
