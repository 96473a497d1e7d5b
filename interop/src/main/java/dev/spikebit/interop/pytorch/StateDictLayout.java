package dev.spikebit.interop.pytorch;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.io.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a PyTorch {@code state_dict} names a zoo model's tensors: {@code tensors} maps each spikebit
 * parameter or buffer to its PyTorch name; {@code counters} are PyTorch tensors spikebit has no use
 * for but a strict {@code load_state_dict} needs (BatchNorm's {@code num_batches_tracked}), read
 * and ignored, written as 0; {@code constants} are neuron settings stored as tensors (snnTorch's
 * {@code beta}, {@code threshold}, ...) that must equal the spec's, checked on import and written
 * on export.
 *
 * <p>A JSON map file has the same three fields:
 * <pre>{"tensors": {"stem.1.weight": "features.0.weight", ...},
 * "counters": ["features.1.num_batches_tracked"],
 * "constants": {"lif1.beta": "tau", "lif1.threshold": "vth"}}</pre>
 */
public record StateDictLayout(
        String name, Map<String, String> tensors, List<String> counters, Map<String, Constant> constants) {
    /** A neuron setting stored as a scalar tensor. */
    public enum Constant {
        /** the LIF decay: snnTorch's {@code beta} */
        TAU,
        /** the firing threshold */
        VTH,
        /** snnTorch's {@code graded_spikes_factor}: 1 for spikes of height 1 */
        ONE,
        /** snnTorch's {@code reset_mechanism_val}: 1 is reset to zero, spikebit's reset */
        RESET_TO_ZERO;

        static Constant parse(String s, Path file) {
            return switch (s) {
                case "tau" -> TAU;
                case "vth" -> VTH;
                case "one" -> ONE;
                case "reset-to-zero" -> RESET_TO_ZERO;
                default ->
                    throw new SpikebitException(
                            file + ": unknown constant \"" + s + "\" (tau, vth, one or reset-to-zero)");
            };
        }
    }

    public StateDictLayout {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        counters = List.copyOf(counters);
        constants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(constants));
    }

    /** The built-in layouts of a zoo model: plain PyTorch, snnTorch and SpikingJelly. */
    public static StateDictLayout builtIn(String model, String layout) {
        if (!model.equals("fmnist-cnn") && !model.equals("fmnist-cnn-avg")) {
            throw new SpikebitException("no built-in PyTorch layout for model " + model
                    + " (built in: fmnist-cnn, fmnist-cnn-avg); give a JSON map with --map");
        }
        // spikebit's layer paths: stem.k for the conv and BN of the stem, body.k for the body's layers.
        boolean avg = model.equals("fmnist-cnn-avg");
        String conv1 = avg ? "stem.0" : "stem.1";
        String bn1 = avg ? "stem.1" : "stem.2";
        String[] spikebit = {conv1, bn1, "body.2", "body.3", "body.7", "body.9"};
        String[] kinds = {"conv", "bn", "conv", "bn", "linear", "linear"};
        String[] torch;
        String[] neurons = {};
        switch (layout) {
            // A module with named attributes, input normalisation outside the state dict.
            case "plain" -> torch = new String[] {"conv1", "bn1", "conv2", "bn2", "fc1", "fc2"};
            // nn.Sequential(Conv2d, BatchNorm2d, Leaky, MaxPool2d, Conv2d, BatchNorm2d, Leaky, MaxPool2d,
            //               Flatten, Linear, Leaky, Linear)
            case "snntorch" -> {
                torch = new String[] {"0", "1", "4", "5", "9", "11"};
                neurons = new String[] {"2", "6", "10"};
            }
            // SpikingJelly's CSNN example layout: conv_fc = nn.Sequential(layer.Conv2d, layer.BatchNorm2d,
            // neuron.LIFNode, layer.MaxPool2d, ..., layer.Flatten, layer.Linear, neuron.LIFNode, layer.Linear);
            // its layer.* modules keep torch.nn's tensor names and its neurons have none
            case "spikingjelly" ->
                torch = new String[] {"conv_fc.0", "conv_fc.1", "conv_fc.4", "conv_fc.5", "conv_fc.9", "conv_fc.11"};
            default ->
                throw new SpikebitException(
                        "unknown PyTorch layout \"" + layout + "\" (plain, snntorch, spikingjelly)");
        }
        Map<String, String> tensors = new LinkedHashMap<>();
        List<String> counters = new ArrayList<>();
        for (int i = 0; i < spikebit.length; i++) {
            String s = spikebit[i];
            String t = torch[i];
            switch (kinds[i]) {
                case "conv" -> tensors.put(s + ".weight", t + ".weight");
                case "linear" -> {
                    tensors.put(s + ".weight", t + ".weight");
                    tensors.put(s + ".bias", t + ".bias");
                }
                default -> {
                    for (String field : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                        tensors.put(s + "." + field, t + "." + field);
                    }
                    counters.add(t + ".num_batches_tracked");
                }
            }
        }
        Map<String, Constant> constants = new LinkedHashMap<>();
        for (String n : neurons) {
            constants.put(n + ".threshold", Constant.VTH);
            constants.put(n + ".graded_spikes_factor", Constant.ONE);
            constants.put(n + ".reset_mechanism_val", Constant.RESET_TO_ZERO);
            constants.put(n + ".beta", Constant.TAU);
        }
        return new StateDictLayout(model + "/" + layout, tensors, counters, constants);
    }

    /** Reads a JSON map file. */
    public static StateDictLayout read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SpikebitException(file + ": not a readable JSON map: " + e.getMessage(), e);
        }
        try {
            return read(JsonObject.parse(text, "the map"), file);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(file + ": not a valid JSON map: " + e.getMessage());
        }
    }

    private static StateDictLayout read(JsonObject root, Path file) {
        JsonObject names = root.object("tensors");
        if (names == null) {
            throw new SpikebitException(file + ": a map needs an object \"tensors\" (spikebit name -> PyTorch name)");
        }
        Map<String, String> tensors = new LinkedHashMap<>();
        for (String key : names.keys()) {
            String name = names.text(key, null);
            if (name == null) {
                throw new SpikebitException(file + ": tensors." + key + " must be a string");
            }
            tensors.put(key, name);
        }
        List<String> counters = new ArrayList<>();
        List<?> listed = root.array("counters");
        for (Object counter : listed == null ? List.of() : listed) {
            if (!(counter instanceof String name)) {
                throw new SpikebitException(file + ": counters must hold tensor names (strings), got " + counter);
            }
            counters.add(name);
        }
        Map<String, Constant> constants = new LinkedHashMap<>();
        JsonObject settings = root.object("constants");
        for (String key : settings == null ? List.<String>of() : settings.keys()) {
            constants.put(key, Constant.parse(settings.text(key, ""), file));
        }
        return new StateDictLayout(file.toString(), tensors, counters, constants);
    }
}
