package io.thinkloop.engine.checkpoint;

/** The safetensors element types the engine reads. */
public enum DType {
    F32(4),
    BF16(2),
    F8_E4M3(1);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** The enum for a safetensors dtype string, or null when the engine cannot read it. */
    public static DType parse(String s) {
        for (DType d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }
}
