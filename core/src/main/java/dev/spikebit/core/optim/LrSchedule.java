package dev.spikebit.core.optim;

/**
 * The learning rate as a function of the training step (docs/methods.md 5: cosine by default); a
 * {@link ScheduleSpec} names one and builds it for a run.
 */
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
}
