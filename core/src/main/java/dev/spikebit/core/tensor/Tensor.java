package dev.spikebit.core.tensor;

import dev.spikebit.core.kernels.VectorOps;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A float32 tensor, contiguous and row-major, that remembers how it was made.
 *
 * <p>The autograd design is micrograd's: a result of an operation keeps its inputs and a backward
 * function; {@link #backward()} orders the graph topologically and calls each backward in reverse,
 * every backward adding into its inputs' {@link #grad()}. Operations never modify their inputs;
 * only optimizers write into parameter data, and only outside of a graph.
 *
 * <p>A tensor records its history only when some input requires gradients and recording is on
 * (see {@link NoGrad}), so evaluation builds no graph at all.
 */
public final class Tensor {
    /** A backward function: reads the gradient of the result and adds into its inputs' gradients. */
    @FunctionalInterface
    public interface Backward {
        void apply(float[] gradOfResult);
    }

    private final float[] data;
    private final int[] shape;
    private float[] grad;
    private boolean requiresGrad;
    private Tensor[] inputs;
    private Backward backward;
    /** A reshape: its gradient is its input's, element for element (see {@link #backward(float[])}). */
    private boolean reshaped;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        long n = Shapes.count(s);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(s) + " holds " + n + " elements, data has " + data.length);
        }
        return new Tensor(data, s);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.checkedCount(shape)], shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shapes.checkedCount(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape.clone());
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /**
     * The result of an operation. It records {@code backward} only if some input requires
     * gradients and recording is on.
     */
    public static Tensor result(float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(data, shape);
        if (NoGrad.isRecording()) {
            if (OpProfiler.recording()) {
                // Time the backward as the kind of work that made this result.
                OpKind kind = OpProfiler.currentKind();
                Backward inner = backward;
                backward = g -> OpProfiler.backward(kind, () -> inner.apply(g));
            }
            for (Tensor in : inputs) {
                if (in != null && in.requiresGrad) {
                    out.requiresGrad = true;
                    out.inputs = inputs;
                    out.backward = backward;
                    break;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- accessors

    /** The elements, row-major. Shared, not copied: treat as read-only unless you own the tensor. */
    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    public float item() {
        if (data.length != 1) {
            throw new IllegalStateException("item() of a tensor with " + data.length + " elements");
        }
        return data[0];
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf (a parameter or an input) as needing its gradient. */
    public Tensor requiresGrad(boolean value) {
        if (backward != null) {
            throw new IllegalStateException("requiresGrad can only be set on a leaf tensor");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, allocated (as zeros) on first use. */
    public float[] grad() {
        if (grad == null) {
            grad = RecycledArrays.takeZeroed(data.length);
        }
        return grad;
    }

    public boolean hasGrad() {
        return grad != null;
    }

    /**
     * The gradient array of a tensor that has none yet ({@link #hasGrad()} false), with undefined
     * contents: for a backward that writes every element instead of adding into zeros, which saves
     * clearing and reading back an array of the tensor's size. To give the same bits as adding into
     * zeros, write {@code 0f + v} (which turns -0 into +0).
     */
    public float[] gradToOverwrite() {
        if (grad != null) {
            throw new IllegalStateException("gradToOverwrite: the tensor already has a gradient to add into");
        }
        grad = RecycledArrays.take(data.length);
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** A tensor over the same data with no history: gradients stop here. */
    public Tensor detach() {
        return new Tensor(data, shape);
    }

    /** A deep copy with no history. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape.clone());
    }

    // ---------------------------------------------------------------- autograd

    /** Back-propagates from this scalar (its gradient is taken as 1). */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape));
        }
        float[] seed = new float[] {1f};
        backward(seed);
    }

    /** Back-propagates from this tensor with the given gradient of the final objective. */
    public void backward(float[] gradient) {
        if (!requiresGrad) {
            throw new IllegalStateException("this tensor does not require gradients: nothing to back-propagate");
        }
        float[] g = grad();
        for (int i = 0; i < g.length; i++) {
            g[i] += gradient[i];
        }
        List<Tensor> order = topologicalOrder();
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backward != null && t.grad != null) {
                Tensor source = t.reshaped ? t.inputs[0] : null;
                if (source != null && source.grad == null) {
                    // A reshape whose input has no gradient yet: the input takes this one as it is.
                    source.grad = t.grad;
                } else {
                    t.backward.apply(t.grad);
                    // Nothing else holds an intermediate gradient: the next step may reuse it.
                    RecycledArrays.release(t.grad);
                }
                // Graph edges are no longer needed: free them early.
                t.grad = null;
                t.backward = null;
                t.inputs = null;
            }
        }
    }

    /** Nodes that require gradients, every node after all of its inputs (iterative DFS). */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor node = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] ins = node.inputs == null ? new Tensor[0] : node.inputs;
            if (next < ins.length) {
                frame[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(node);
            }
        }
        return order;
    }

    /** Visits this tensor's direct inputs (for tests and graph inspection). */
    public void forEachInput(Consumer<Tensor> visitor) {
        if (inputs != null) {
            for (Tensor in : inputs) {
                if (in != null) {
                    visitor.accept(in);
                }
            }
        }
    }

    // ---------------------------------------------------------------- shape

    /** The same data seen with another shape; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = Shapes.resolve(newShape, data.length);
        Tensor out = result(data, s, g -> VectorOps.addInto(inputGrad(this), g), this);
        out.reshaped = out.backward != null;
        return out;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " (grad)" : "");
    }

    /** The gradient buffer of an input, for backward functions. */
    static float[] inputGrad(Tensor t) {
        return t.grad();
    }
}
