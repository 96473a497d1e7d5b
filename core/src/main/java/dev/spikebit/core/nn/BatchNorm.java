package dev.spikebit.core.nn;

import dev.spikebit.core.ops.BatchNormOp;
import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Batch normalisation over the channel axis (axis 1 of the single-step input). {@link #of2d}
 * normalises {@code [N, C, H, W]}, {@link #of1d} {@code [N, C]}; both accept a leading time axis.
 * Defaults as PyTorch: eps 1e-5, momentum 0.1, gamma 1, beta 0.
 */
public final class BatchNorm extends Module {
    private final int channels;
    private final int singleStepRank;
    private final Tensor gamma;
    private final Tensor beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private final float eps = 1e-5f;
    private final float momentum = 0.1f;

    private BatchNorm(int channels, int singleStepRank) {
        this.channels = channels;
        this.singleStepRank = singleStepRank;
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        this.gamma = registerParameter("weight", Tensor.of(ones, channels), ParamRole.NORM);
        this.beta = registerParameter("bias", Tensor.zeros(channels), ParamRole.NORM);
        this.runningMean = registerBuffer("running_mean", new float[channels], channels);
        this.runningVar = registerBuffer("running_var", ones.clone(), channels);
    }

    public static BatchNorm of2d(int channels) {
        return new BatchNorm(channels, 4);
    }

    public static BatchNorm of1d(int channels) {
        return new BatchNorm(channels, 2);
    }

    @Override
    public Tensor forward(Tensor x) {
        return MultiStep.apply(
                x,
                singleStepRank,
                in -> BatchNormOp.batchNorm(in, gamma, beta, runningMean, runningVar, isTraining(), momentum, eps));
    }

    public Tensor gamma() {
        return gamma;
    }

    public Tensor beta() {
        return beta;
    }

    public float[] runningMean() {
        return runningMean;
    }

    public float[] runningVar() {
        return runningVar;
    }

    public float eps() {
        return eps;
    }

    public float momentum() {
        return momentum;
    }

    /** Whether this is the two-dimensional form ({@link #of2d}), normalising planes per channel. */
    public boolean is2d() {
        return singleStepRank == 4;
    }

    public int channels() {
        return channels;
    }

    @Override
    public String describe() {
        return "BatchNorm" + (singleStepRank == 4 ? "2d" : "1d") + "(" + channels + ")";
    }
}
