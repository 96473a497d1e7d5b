package dev.spikebit.examples;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.Model;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.deploy.Deployment;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The README's "Use from Java" example: trains a ReverB {@code fmnist-cnn} (real-valued spikes,
 * binary weights) on Fashion-MNIST, deploys it, loads the file in the runtime and predicts test
 * images. {@code main} runs it on the whole training set; the test runs it on a small subset.
 */
public final class TrainDeployPredict {
    /**
     * What the example computed.
     *
     * @param runtime the runtime's predicted class of each test image
     * @param engine  the training engine's predictions for the same images
     * @param labels  the images' true classes
     */
    public record Result(int[] runtime, int[] engine, int[] labels) {
        /** The runtime's test accuracy. */
        public double accuracy() {
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += runtime[i] == labels[i] ? 1 : 0;
            }
            return (double) correct / labels.length;
        }
    }

    private TrainDeployPredict() {}

    /** Trains for one epoch on all of Fashion-MNIST into {@code runs/java-example} (or the argument). */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "runs/java-example");
        Result result = run(out, 0, 1000, 1, System.out);
        System.out.printf("runtime accuracy on 1000 test images: %.2f%%%n", 100 * result.accuracy());
    }

    /**
     * The example itself.
     *
     * @param trainImages training images (0 = all 60,000)
     * @param testImages  test images to predict
     */
    public static Result run(Path out, int trainImages, int testImages, int epochs, PrintStream log) {
        DatasetChoice data = DatasetChoice.load(DatasetName.FASHION_MNIST, null, trainImages, testImages);
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn") // ReverB: real-valued spikes, binary weights
                .withSpikes(SpikeKind.REAL)
                .withWeights(WeightKind.BINARY);
        TrainConfig config = TrainConfig.builder(spec).epochs(epochs).build();
        SpikingClassifier net = QuantModels.build(spec, config.seed());
        new Trainer(config, net, data.train(), data.test(), null, out, log).run();

        Path file = out.resolve("deployed.safetensors");
        Deployment.write(net, file); // +-1 weights, 8 per byte
        Model model = Model.load(file); // the runtime alone reads and runs it
        float[] images = Samples.first(data.test(), testImages);
        int[] predicted = model.predict(images, testImages);

        int[] engine = Evaluation.predictions(net, data.test(), 256);
        int[] labels = new int[testImages];
        for (int i = 0; i < testImages; i++) {
            labels[i] = data.test().label(i);
        }
        return new Result(predicted, engine, labels);
    }
}
