package dev.spikebit.core.profile;

/** The kinds of work a training step is split into by {@link OpProfiler}. */
public enum OpKind {
    DATA("data loading"),
    CONV("convolution (excl. GEMM and im2col)"),
    IM2COL("im2col / col2im"),
    GEMM_CONV("GEMM in convolutions"),
    /** im2col + GEMM (forward) and GEMM + col2im (input gradient), fused tile by tile. */
    CONV_TILES("convolution tile by tile (im2col + GEMM forward, GEMM + col2im input gradient)"),
    /** The input gradient of 3x3, stride-1 convolutions by Winograd's F(2x2, 3x3). */
    WINOGRAD("convolution by Winograd F(2x2, 3x3) (input gradient)"),
    /** The weight gradient of 3x3, stride-1 convolutions by Winograd's F(2x2, 3x3), on denser inputs. */
    WINOGRAD_WEIGHTS("convolution by Winograd F(2x2, 3x3) (weight gradient)"),
    /** Both gradients of such a convolution by Winograd in one pass (when both go by Winograd). */
    WINOGRAD_BOTH("convolution by Winograd F(2x2, 3x3) (both gradients)"),
    EVENT_CONV("event-driven convolution on spikes (forward, weight gradient)"),
    GEMM_LINEAR("GEMM in linear layers"),
    BATCH_NORM("batch norm"),
    NEURON("neurons (LIF)"),
    POOLING("pooling"),
    ELEMENTWISE("element-wise and time ops"),
    LOSS("loss"),
    OPTIMIZER("optimizer and zeroGrad");

    private final String label;

    OpKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
