package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Files written by earlier versions of spikebit's deploy writer must keep loading and keep giving
 * the same logits: a ReverB fmnist-cnn ({@code deployed-1}), a sub-bit fmnist-vgg-s with eta 4 and
 * a ReverB resnet20 on 8x8 images with residual {@code add} nodes (both {@code deployed-2}). Each
 * file was written by {@code DeployedFormat.save} from an untrained network with randomised batch
 * norms; its companion {@code .expected.safetensors} holds two input images and the logits the
 * writer's own executor computed for them at the time.
 */
class DeployedFixturesTest {
    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "reverb-fmnist-cnn, deployed-1",
        "subbit-fmnist-vgg-s, deployed-2",
        "residual-resnet20, deployed-2",
    })
    void oldFilesLoadAndGiveTheLogitsTheyWereWrittenWith(String name, String format) throws Exception {
        Model model = Model.load(resource(name + ".safetensors"));
        SafeTensorsFile reference = SafeTensors.read(resource(name + ".expected.safetensors"));
        float[] images = reference.floats("images");
        float[] expected = reference.floats("logits");
        assertThat(SafeTensors.readHeader(resource(name + ".safetensors")).metadata())
                .containsEntry("spikebit.format", format);
        int batch = expected.length / model.numClasses();
        assertThat(batch).isEqualTo(2);
        for (ExecutionPath path : ExecutionPath.values()) {
            float[] logits = model.infer(images, batch, path).logits();
            assertThat(TinyModels.relativeError(expected, logits))
                    .as("path " + path)
                    .isLessThanOrEqualTo(1e-5);
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(
                DeployedFixturesTest.class.getResource("/deployed/" + name).toURI());
    }
}
