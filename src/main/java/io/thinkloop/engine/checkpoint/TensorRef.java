package io.thinkloop.engine.checkpoint;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** One tensor of a checkpoint: its bytes stay in the mapped file ({@code data} is a slice of it). */
public record TensorRef(String name, DType dtype, long[] shape, MemorySegment data) {
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
