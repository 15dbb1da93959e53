package dev.day0.evidence.checkpoint;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it. The data itself is never read.
 *
 * @param name the tensor's full name, e.g. {@code model.layers.0.mlp.down_proj.weight}
 * @param dtype the safetensors dtype code, e.g. {@code BF16}, {@code F8_E4M3}, {@code U8}
 * @param shape the dimensions
 * @param byteSize the length of the tensor's data in the file
 * @param shard the file name of the shard holding it
 */
public record TensorInfo(String name, String dtype, long[] shape, long byteSize, String shard) {
    public int rank() {
        return shape.length;
    }

    /** The number of elements; 1 for a scalar. */
    public long numel() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that && name.equals(that.name) && dtype.equals(that.dtype)
                && Arrays.equals(shape, that.shape) && byteSize == that.byteSize && shard.equals(that.shard);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeText();
    }
}
