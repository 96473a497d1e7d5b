package dev.spikebit.core.optim;

import dev.spikebit.core.SpikebitException;

/**
 * A learning-rate schedule as a run names it, before the run's length is known: the closed family
 * {@code cosine}, {@code constant} and {@code step:EVERY:GAMMA} that the command line and checkpoints
 * spell. {@link #over} turns it into the {@link LrSchedule} of a run with a base rate and a number
 * of steps.
 */
public sealed interface ScheduleSpec {
    /** Cosine decay to 0 over the whole run (the default). */
    record Cosine() implements ScheduleSpec {
        @Override
        public String id() {
            return "cosine";
        }

        @Override
        public LrSchedule over(float base, long totalSteps) {
            return new LrSchedule.Cosine(checked(base), totalSteps, 0f);
        }
    }

    /** The base rate throughout. */
    record Constant() implements ScheduleSpec {
        @Override
        public String id() {
            return "constant";
        }

        @Override
        public LrSchedule over(float base, long totalSteps) {
            return new LrSchedule.Constant(checked(base));
        }
    }

    /** The rate times {@code gamma} every {@code every} steps. */
    record Step(long every, float gamma) implements ScheduleSpec {
        public Step {
            String wrong = wrong(every, gamma);
            if (wrong != null) {
                throw new SpikebitException("schedule step: " + wrong);
            }
        }

        /** What is wrong with these parameters, or null when they make a schedule. */
        private static String wrong(long every, float gamma) {
            if (every < 1) {
                return "EVERY must be >= 1 steps, got " + every;
            }
            if (!(gamma > 0 && gamma <= 1)) {
                return "GAMMA must be in (0, 1], got " + gamma;
            }
            return null;
        }

        @Override
        public String id() {
            return "step:" + every + ":" + gamma;
        }

        @Override
        public LrSchedule over(float base, long totalSteps) {
            return new LrSchedule.Step(checked(base), every, gamma);
        }
    }

    ScheduleSpec COSINE = new Cosine();
    ScheduleSpec CONSTANT = new Constant();

    /** The name {@link #parse} reads back ({@code step:1000:0.5} for a step schedule). */
    String id();

    /** The schedule of a run at base rate {@code base} that takes {@code totalSteps} steps. */
    LrSchedule over(float base, long totalSteps);

    /**
     * Parses {@code cosine}, {@code constant} or {@code step:EVERY:GAMMA}.
     *
     * @throws SpikebitException a one-line error quoting {@code text} and the accepted forms
     */
    static ScheduleSpec parse(String text) {
        String[] parts = text.split(":", -1);
        return switch (parts[0]) {
            case "cosine" -> parts.length == 1 ? COSINE : unknown(text);
            case "constant" -> parts.length == 1 ? CONSTANT : unknown(text);
            case "step" -> {
                if (parts.length != 3) {
                    throw new SpikebitException(
                            "schedule \"" + text + "\": expected step:EVERY_STEPS:GAMMA, e.g. step:1000:0.5");
                }
                long every;
                float gamma;
                try {
                    every = Long.parseLong(parts[1]);
                    gamma = Float.parseFloat(parts[2]);
                } catch (NumberFormatException e) {
                    throw new SpikebitException("schedule \"" + text + "\": EVERY must be a whole number and GAMMA a "
                            + "number, e.g. step:1000:0.5");
                }
                String wrong = Step.wrong(every, gamma);
                if (wrong != null) {
                    throw new SpikebitException("schedule \"" + text + "\": " + wrong);
                }
                yield new Step(every, gamma);
            }
            default -> unknown(text);
        };
    }

    private static ScheduleSpec unknown(String text) {
        throw new SpikebitException(
                "unknown schedule \"" + text + "\": expected cosine, constant or step:EVERY_STEPS:GAMMA");
    }

    private static float checked(float base) {
        if (!Float.isFinite(base) || base <= 0) {
            throw new SpikebitException("the learning rate must be a finite number > 0, got " + base);
        }
        return base;
    }
}
