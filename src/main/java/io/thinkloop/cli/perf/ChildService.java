package io.thinkloop.cli.perf;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A service the load benchmarks start as a child process, so that client and server do not share a JVM:
 * waiting for its readiness is the same for every such benchmark.
 */
public final class ChildService {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChildService() {}

    /** Polls {@code /q/health/ready} until it answers 200 (two minutes at most); fails with the service's log. */
    public static void awaitReady(Process service, URI base, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited: " + Files.readString(log));
            }
            try {
                HttpRequest ready =
                        HttpRequest.newBuilder(base.resolve("/q/health/ready")).build();
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(250); // polling readiness, bounded by the deadline above
        }
        throw new IllegalStateException("the service did not become ready: " + Files.readString(log));
    }
}
