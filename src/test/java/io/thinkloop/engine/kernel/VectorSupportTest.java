package io.thinkloop.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VectorSupportTest {

    /** Run in a child JVM: prints whether the Vector API was found. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.print(VectorSupport.available());
        }
    }

    @Test
    void theVectorApiIsFoundWhereTheModuleIsAdded() {
        assertTrue(VectorSupport.available(), "the tests run with --add-modules=jdk.incubator.vector");
    }

    @Test
    void aJvmWithoutTheModuleIsToldSoInsteadOfFailingToLink() throws Exception {
        assertEquals("false", runProbe(List.of()));
        assertEquals("true", runProbe(List.of("--add-modules=jdk.incubator.vector")));
    }

    private static String runProbe(List<String> jvmArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = Path.of("target", "classes") + File.pathSeparator + Path.of("target", "test-classes");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", cp, Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not exit");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
