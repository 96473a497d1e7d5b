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
        if (!Float.isFinite(base) || base <= 0) {
            throw new SpikebitException("the learning rate must be a finite number > 0, got " + base);
        }
        String[] parts = spec.split(":", -1);
        return switch (parts[0]) {
            case "cosine" -> new Cosine(base, totalSteps, 0f);
            case "constant" -> new Constant(base);
            case "step" -> {
                if (parts.length != 3) {
                    throw new SpikebitException(
                            "schedule \"" + spec + "\": expected step:EVERY_STEPS:GAMMA, e.g. step:1000:0.5");
                }
                long every;
                float gamma;
                try {
                    every = Long.parseLong(parts[1]);
                    gamma = Float.parseFloat(parts[2]);
                } catch (NumberFormatException e) {
                    throw new SpikebitException("schedule \"" + spec + "\": EVERY must be a whole number and GAMMA a "
                            + "number, e.g. step:1000:0.5");
                }
                if (every < 1) {
                    throw new SpikebitException("schedule \"" + spec + "\": EVERY must be >= 1 steps, got " + parts[1]);
                }
                if (!(gamma > 0 && gamma <= 1)) {
                    throw new SpikebitException("schedule \"" + spec + "\": GAMMA must be in (0, 1], got " + parts[2]);
                }
                yield new Step(base, every, gamma);
            }
            default ->
                throw new SpikebitException(
                        "unknown schedule \"" + spec + "\": expected cosine, constant or step:EVERY_STEPS:GAMMA");
        };
    }
}
