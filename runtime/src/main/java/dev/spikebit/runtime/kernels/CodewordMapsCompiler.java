package dev.spikebit.runtime.kernels;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Writes a codebook's {@link CodewordMaps} as a class of straight-line code, defined at load time
 * as a hidden class. Every codeword becomes two vector additions of registers chosen by its
 * pattern, {@code map_j = +-T0[a_j] +- T1[b_j] +- T2[c_j]}, where {@code T_r} are the positive-first
 * triples of tile row {@code r}: in Java source the choice would be an array index into memory (three
 * loads per map, which on this machine's cores cost as much as the rest of the map together);
 * written into the code, it is a register name. The code for a codebook of {@code K} codewords is
 * about {@code 25 K} bytes, split into methods of at most {@value #GROUP} codewords, each with its
 * own triples, so that every method stays small enough for the JIT to compile.
 *
 * <p>The generated methods read, for each lane vector, the three tile vectors
 * {@code x_kx = tile[off + kx]} of each row and form the triples from {@code x0 + x1} and
 * {@code x0 - x1}, as {@link SignConvKernel}'s row tables do:
 *
 * <pre>
 *   T[1] = (x0 - x1) - x2   (+ - -)      T[3] = (x0 + x1) - x2   (+ + -)
 *   T[5] = (x0 - x1) + x2   (+ - +)      T[7] = (x0 + x1) + x2   (+ + +)
 * </pre>
 *
 * and a row triple {@code t} with a leading minus is {@code -T[7 - t]}, exactly: rounding is
 * symmetric. A map whose three terms are all negative is the negated sum of their positives.
 */
final class CodewordMapsCompiler {
    /** Codewords per generated method: about 800 bytes of bytecode, well under the JIT's limit. */
    private static final int GROUP = 32;

    /** The kernels' species ({@link SignMasks#F}), which the generated code reads too. */
    private static final int LANES = SignMasks.F.length();

    private static final ClassDesc FLOAT_VECTOR = ClassDesc.of("jdk.incubator.vector.FloatVector");
    private static final ClassDesc VECTOR = ClassDesc.of("jdk.incubator.vector.Vector");
    private static final ClassDesc VECTOR_SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
    private static final ClassDesc SIGN_MASKS = ClassDesc.of(SignMasks.class.getName());
    private static final ClassDesc FLOATS = ConstantDescs.CD_float.arrayType();
    private static final MethodTypeDesc FROM_ARRAY =
            MethodTypeDesc.of(FLOAT_VECTOR, VECTOR_SPECIES, FLOATS, ConstantDescs.CD_int);
    private static final MethodTypeDesc BINARY = MethodTypeDesc.of(FLOAT_VECTOR, VECTOR);
    private static final MethodTypeDesc UNARY = MethodTypeDesc.of(FLOAT_VECTOR);
    private static final MethodTypeDesc INTO_ARRAY =
            MethodTypeDesc.of(ConstantDescs.CD_void, FLOATS, ConstantDescs.CD_int);
    /** {@code (float[] s, int tile, int pitch, int count, int dst, int mapPitch)}, as in {@link CodewordMaps}. */
    private static final MethodTypeDesc MAPS = MethodTypeDesc.of(
            ConstantDescs.CD_void,
            FLOATS,
            ConstantDescs.CD_int,
            ConstantDescs.CD_int,
            ConstantDescs.CD_int,
            ConstantDescs.CD_int,
            ConstantDescs.CD_int);

    // Local variable slots of a generated static method: its parameters, then the loop's state,
    // the triples of the three tile rows (four each, slot + (t >> 1) for T[t]), and temporaries.
    private static final int S = 0;
    private static final int TILE = 1;
    private static final int PITCH = 2;
    private static final int COUNT = 3;
    private static final int DST = 4;
    private static final int MAP_PITCH = 5;
    private static final int Y = 6;
    private static final int D = 7;
    private static final int OFF = 8;
    private static final int[] ROW = {9, 13, 17};
    private static final int X0 = 21;
    private static final int X1 = 22;
    private static final int X2 = 23;
    private static final int PLUS = 24;
    private static final int MINUS = 25;

    private CodewordMapsCompiler() {}

    /**
     * The maps of {@code codebook} (pattern ids, bit {@code 3 ky + kx} set where the sign is +1) as
     * compiled code, for the kernels' vectors ({@link SignMasks#F}).
     */
    static CodewordMaps compile(int[] codebook) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        ClassDesc self = ClassDesc.of(CodewordMapsCompiler.class.getPackageName(), "CompiledCodewordMaps");
        int groups = (codebook.length + GROUP - 1) / GROUP;
        byte[] bytes = ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withSuperclass(ConstantDescs.CD_Object);
            cb.withInterfaceSymbols(ClassDesc.of(CodewordMaps.class.getName()));
            cb.withMethodBody(
                    ConstantDescs.INIT_NAME,
                    ConstantDescs.MTD_void,
                    ClassFile.ACC_PUBLIC,
                    code -> code.aload(0)
                            .invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                            .return_());
            for (int g = 0; g < groups; g++) {
                int first = g * GROUP;
                int[] ids = java.util.Arrays.copyOfRange(codebook, first, Math.min(codebook.length, first + GROUP));
                cb.withMethodBody(
                        "rows" + g,
                        MAPS,
                        ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                        code -> emitLoop(code, ids, true));
                cb.withMethodBody(
                        "vectors" + g,
                        MAPS,
                        ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                        code -> emitLoop(code, ids, false));
            }
            for (String name : new String[] {"rows", "vectors"}) {
                cb.withMethodBody(name, MAPS, ClassFile.ACC_PUBLIC, code -> {
                    for (int g = 0; g < groups; g++) {
                        // The instance method's parameters sit one slot up, after "this".
                        code.aload(S + 1).iload(TILE + 1).iload(PITCH + 1).iload(COUNT + 1);
                        code.iload(DST + 1)
                                .iload(MAP_PITCH + 1)
                                .loadConstant(g * GROUP)
                                .imul()
                                .iadd();
                        code.iload(MAP_PITCH + 1);
                        code.invokestatic(self, name + g, MAPS);
                    }
                    code.return_();
                });
            }
        });
        try {
            Class<?> compiled = lookup.defineHiddenClass(bytes, true).lookupClass();
            return (CodewordMaps) lookup.findConstructor(compiled, MethodType.methodType(void.class))
                    .invoke();
        } catch (Throwable e) {
            throw new IllegalStateException(
                    "could not compile the codeword maps of codebook " + java.util.Arrays.toString(codebook), e);
        }
    }

    /**
     * One method: {@code for (y = 0; y < count; y++)} the maps of {@code ids} at {@code dst}, then
     * {@code tile} and {@code dst} one step on: a row ({@code pitch}) when {@code slide}, reusing two
     * rows of triples, else one vector.
     */
    private static void emitLoop(CodeBuilder code, int[] ids, boolean slide) {
        Label head = code.newLabel();
        Label end = code.newLabel();
        if (slide) {
            emitTriples(code, ROW[0], 0);
            emitTriples(code, ROW[1], 1);
        }
        code.loadConstant(0).istore(Y);
        code.labelBinding(head);
        code.iload(Y).iload(COUNT).if_icmpge(end);
        if (!slide) {
            emitTriples(code, ROW[0], 0);
            emitTriples(code, ROW[1], 1);
        }
        emitTriples(code, ROW[2], 2);
        code.iload(DST).istore(D);
        for (int id : ids) {
            emitMap(code, id);
            code.iload(D).iload(MAP_PITCH).iadd().istore(D);
        }
        if (slide) {
            for (int k = 0; k < 4; k++) {
                code.aload(ROW[1] + k).astore(ROW[0] + k);
                code.aload(ROW[2] + k).astore(ROW[1] + k);
            }
            code.iload(TILE).iload(PITCH).iadd().istore(TILE);
            code.iload(DST).iload(PITCH).iadd().istore(DST);
        } else {
            code.iinc(TILE, LANES);
            code.iinc(DST, LANES);
        }
        code.iinc(Y, 1);
        code.goto_(head);
        code.labelBinding(end);
        code.return_();
    }

    /** The four positive-first triples of tile row {@code tile + r * pitch} into slots {@code at .. at + 3}. */
    private static void emitTriples(CodeBuilder code, int at, int r) {
        code.iload(TILE);
        if (r > 0) {
            code.iload(PITCH).loadConstant(r).imul().iadd();
        }
        code.istore(OFF);
        for (int kx = 0; kx < 3; kx++) {
            code.getstatic(SIGN_MASKS, "F", VECTOR_SPECIES).aload(S).iload(OFF);
            if (kx > 0) {
                code.loadConstant(kx).iadd();
            }
            code.invokestatic(FLOAT_VECTOR, "fromArray", FROM_ARRAY).astore(X0 + kx);
        }
        binary(code, X0, "add", X1).astore(PLUS);
        binary(code, X0, "sub", X1).astore(MINUS);
        binary(code, MINUS, "sub", X2).astore(at); // T[1]
        binary(code, PLUS, "sub", X2).astore(at + 1); // T[3]
        binary(code, MINUS, "add", X2).astore(at + 2); // T[5]
        binary(code, PLUS, "add", X2).astore(at + 3); // T[7]
    }

    private static CodeBuilder binary(CodeBuilder code, int left, String op, int right) {
        return code.aload(left).aload(right).invokevirtual(FLOAT_VECTOR, op, BINARY);
    }

    /** {@code s[d ..] = +-T0[a] +- T1[b] +- T2[c]} for pattern {@code id}: two additions, a negation at most. */
    private static void emitMap(CodeBuilder code, int id) {
        int[] slots = new int[3];
        boolean[] plus = new boolean[3];
        int firstPlus = -1;
        for (int r = 0; r < 3; r++) {
            int t = id >>> (3 * r) & 7;
            plus[r] = (t & 1) != 0; // the row's leading sign
            int positive = plus[r] ? t : 7 - t; // the positive-first triple it is, or negates
            slots[r] = ROW[r] + (positive >>> 1);
            if (plus[r] && firstPlus < 0) {
                firstPlus = r;
            }
        }
        int start = Math.max(firstPlus, 0);
        code.aload(slots[start]);
        for (int r = 0; r < 3; r++) {
            if (r != start) {
                // All three negative: sum them and negate the sum below.
                boolean add = plus[r] || firstPlus < 0;
                code.aload(slots[r]).invokevirtual(FLOAT_VECTOR, add ? "add" : "sub", BINARY);
            }
        }
        if (firstPlus < 0) {
            code.invokevirtual(FLOAT_VECTOR, "neg", UNARY);
        }
        code.aload(S).iload(D).invokevirtual(FLOAT_VECTOR, "intoArray", INTO_ARRAY);
    }
}
