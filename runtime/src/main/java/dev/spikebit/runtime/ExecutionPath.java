package dev.spikebit.runtime;

/**
 * How the sign layers visit their input (docs/runtime.md): {@code DENSE} reads every input,
 * {@code EVENTS} only the non-zero ones (each adding its signed value into the outputs it
 * reaches), {@code AUTO} picks per layer and per step from the measured input density: events
 * below the layer's crossover density ({@link Plan#EVENTS_BELOW_CONV}, {@link Plan#EVENTS_BELOW_CONV_PIXELS},
 * {@link Plan#EVENTS_BELOW_LINEAR}).
 * All three give the same result up to float rounding.
 */
public enum ExecutionPath {
    AUTO,
    DENSE,
    EVENTS
}
