package io.thinkloop.api;

import java.util.regex.Pattern;

/**
 * The explicit allow-list of {@link ApiSecurity}: what may be fetched without an API key. Everything else
 * needs one (deny by default).
 *
 * <p>A path is public only when the request spells it in canonical form: segments of letters, digits,
 * {@code _ - .} (not starting with a dot, so no {@code .}/{@code ..} segments and no hidden files), no
 * {@code //}, no {@code ;} (matrix parameters), no {@code %} (encoded characters), at most one trailing
 * slash; and lower-case as listed. Such a path means the same to every router (Vert.x, RESTEasy, the static
 * handler), so "public" here is exactly what gets dispatched. A request that spells a public path any other
 * way merely needs the key; a request that spells a protected path any way at all can never look public.
 */
final class PublicPaths {
    private static final Pattern CANONICAL = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*/?");

    private PublicPaths() {}

    /**
     * @param rawPath the request's path as sent (before any decoding or normalisation), without the query
     * @param metricsPublic {@code thinkloop.security.metrics-public}: also {@code /q/metrics}
     */
    static boolean isPublic(String rawPath, boolean metricsPublic) {
        if (rawPath == null || rawPath.isEmpty() || !CANONICAL.matcher(rawPath).matches()) {
            return false;
        }
        return rawPath.equals("/")
                || rawPath.equals("/index.html") // the web console's page
                || rawPath.startsWith("/console/") // its scripts and styles
                || rawPath.equals("/q/health")
                || rawPath.startsWith("/q/health/")
                || metricsPublic && (rawPath.equals("/q/metrics") || rawPath.equals("/q/metrics/"));
    }
}
