package io.thinkloop.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a session's Server-Sent Events stream until an event of a given type. */
final class SseReader {
    private SseReader() {}

    static List<JsonNode> read(URI base, String sessionId, long lastSeq, String untilType) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        base.resolve("/v1/sessions/" + sessionId + "/events?lastSeq=" + lastSeq))
                .header("Authorization", "Bearer " + RuntimeTestProfile.KEY)
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<InputStream> resp = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("SSE status " + resp.statusCode());
        }
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            String id = null;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    JsonNode e = Json.MAPPER.readTree(line.substring(5).trim());
                    if (!String.valueOf(e.path("seq").asLong()).equals(id)) {
                        throw new IllegalStateException("SSE id " + id + " differs from seq in " + e);
                    }
                    out.add(e);
                    if (e.path("type").asText().equals(untilType)) {
                        return out;
                    }
                }
            }
        }
        return out;
    }
}
