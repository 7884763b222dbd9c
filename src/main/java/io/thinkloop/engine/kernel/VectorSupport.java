package io.thinkloop.engine.kernel;

/**
 * Whether this runtime has the Vector API the kernels are written in. It is an incubator module: a JVM started
 * without {@code --add-modules=jdk.incubator.vector}, a jlink'd runtime without the module, or a native image
 * built without it cannot link the kernel classes, and the first use of the engine would fail with a
 * {@link NoClassDefFoundError} deep in class initialisation. Asking here first (this class names no vector type)
 * lets the embedded backend refuse to load with a message that says what to do, while the service and its other
 * backends stay up.
 */
public final class VectorSupport {
    /** What the embedded backend reports when the Vector API is missing. */
    public static final String MISSING = "the embedded engine needs the Vector API (module jdk.incubator.vector), "
            + "which this runtime lacks: start the JVM with --add-modules=jdk.incubator.vector (a native image: build "
            + "it with that module), or use a remote backend (thinkloop.model.backend=remote)";

    private static final boolean AVAILABLE = probe();

    private VectorSupport() {}

    public static boolean available() {
        return AVAILABLE;
    }

    private static boolean probe() {
        try {
            Class.forName("jdk.incubator.vector.FloatVector", true, VectorSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
