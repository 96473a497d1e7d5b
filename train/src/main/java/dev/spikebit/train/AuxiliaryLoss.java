package dev.spikebit.train;

import dev.spikebit.core.tensor.Tensor;

/**
 * A term the {@link Trainer} adds to the task loss of every batch: MPFD distillation from a teacher
 * (docs/methods.md 3) is one. The trainer calls {@link #beforeForward} with the batch input, runs the
 * student, then adds {@link #loss()} to the cross-entropy before the backward pass.
 */
public interface AuxiliaryLoss {
    /** A short name for the log line, e.g. {@code lambda*MPFD}. */
    String name();

    /** Called with the batch input before the student's forward pass (a teacher runs here). */
    void beforeForward(Tensor input);

    /** The scalar term to add, with gradient to the student; called after the student's forward pass. */
    Tensor loss();

    /** What a resumed or reused run must agree on, e.g. {@code MPFD lambda 1000}. */
    String describe();

    /** Releases hooks the loss installed in the networks (after the last epoch). */
    default void close() {}
}
