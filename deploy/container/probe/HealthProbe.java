import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The image's health check. The image has no shell and no curl, so the check is this class run by the image's
 * own java: it exits 0 when the URL answers 200 (readiness by default) and 1 otherwise. It needs only java.base;
 * build.sh compiles it into /opt/probe.
 */
public final class HealthProbe {
    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/q/health/ready";
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(3000);
            int status = c.getResponseCode();
            c.disconnect();
            System.exit(status == 200 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("health probe: " + e);
            System.exit(1);
        }
    }
}
