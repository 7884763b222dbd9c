package io.thinkloop.backend.remote;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives every {@link ReplayServer} field of a test a fresh server on loopback before each test and closes
 * whatever server the field holds after it (a test may replace it), so remote backend tests declare
 * {@code ReplayServer server;} and nothing else.
 */
final class ReplayServerExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Object test = context.getRequiredTestInstance();
        for (Field f : fields(test)) {
            f.set(test, new ReplayServer());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Object test = context.getRequiredTestInstance();
        Exception first = null;
        for (Field f : fields(test)) {
            if (f.get(test) instanceof ReplayServer s) {
                try {
                    s.close();
                } catch (Exception e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static List<Field> fields(Object test) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = test.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == ReplayServer.class && !Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    out.add(f);
                }
            }
        }
        return out;
    }
}
