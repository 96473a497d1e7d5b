package dev.spikebit.core.optim;

import dev.spikebit.core.SpikebitException;

/** The learning rate as a function of the training step (docs/methods.md 5: cosine by default). */
public sealed interface LrSchedule {
    float lr(long step);

    /** A fixed rate. */
    record Constant(float base) implements LrSchedule {
        @Override
        public float lr(long step) {
            return base;
        }
    }

    /** Cosine decay from {@code base} to {@code min} over {@code totalSteps}, as PyTorch's CosineAnnealingLR. */
    record Cosine(float base, long totalSteps, float min) implements LrSchedule {
        @Override
        public float lr(long step) {
            double progress = Math.min(1.0, (double) step / Math.max(1, totalSteps));
            return (float) (min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * progress)));
        }
    }

    /** Multiplies by {@code gamma} every {@code every} steps, as PyTorch's StepLR. */
    record Step(float base, long every, float gamma) implements LrSchedule {
        @Override
        public float lr(long step) {
            return (float) (base * Math.pow(gamma, step / Math.max(1, every)));
        }
    }

    /** Parses {@code cosine}, {@code step:EVERY:GAMMA} or {@code constant} for a run of {@code totalSteps}. */
    static LrSchedule parse(String spec, float base, long totalSteps) {
        String[] parts = spec.split(":");
        return switch (parts[0]) {
            case "cosine" -> new Cosine(base, totalSteps, 0f);
            case "constant" -> new Constant(base);
            case "step" -> {
                if (parts.length != 3) {
                    throw new SpikebitException(
                            "schedule \"" + spec + "\": expected step:EVERY_STEPS:GAMMA, e.g. step:1000:0.5");
                }
                yield new Step(base, Long.parseLong(parts[1]), Float.parseFloat(parts[2]));
            }
            default ->
                throw new SpikebitException(
                        "unknown schedule \"" + spec + "\": expected cosine, constant or step:EVERY_STEPS:GAMMA");
        };
    }
}
