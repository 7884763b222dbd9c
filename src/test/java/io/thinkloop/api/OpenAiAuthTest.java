package io.thinkloop.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.backend.remote.Provider;
import io.thinkloop.backend.remote.RemoteChatBackend;
import io.thinkloop.backend.remote.RemoteConfig;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code thinkloop.api-key} set, the OpenAI endpoints want {@code Authorization: Bearer <key>}. */
@QuarkusTest
@TestProfile(OpenAiAuthTest.Secured.class)
class OpenAiAuthTest {
    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "thinkloop.api-key",
                    "s3cret-key",
                    "thinkloop.security.auth-enabled",
                    "true",
                    "thinkloop.security.api-keys",
                    "second-key");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void missingOrWrongKeyIs401InOpenAiShape() {
        // Whichever guard answers (these routes, or the service-wide API security filter once merged): 401 + Bearer.
        given().get("/v1/models")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.message", notNullValue());
        given().header("Authorization", "Bearer nope")
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer"))
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("invalid_api_key"));
        given().header("Authorization", "Bearer s3cret-key")
                .get("/v1/models")
                .then()
                .statusCode(200)
                .body("data.id", hasItem("dsml-test"));
        given().header("Authorization", "Bearer second-key")
                .get("/v1/models")
                .then()
                .statusCode(200);
    }

    @Test
    void theRemoteBackendSendsItsConfiguredKey() {
        RemoteConfig config = RemoteConfig.of(root.toString(), DsmlTestBackend.ID, Provider.OPENAI)
                .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1));
        CompletionRequest request = new CompletionRequest(
                List.of(ChatMessage.user("Hello")),
                List.of(),
                ThinkingMode.CHAT,
                null,
                CompletionRequest.Sampling.greedy(50));
        List<ModelChunk> ok = new RemoteChatBackend(config.withApiKey("s3cret-key"))
                .stream(request)
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitCompletion(Duration.ofSeconds(20))
                        .getItems();
        String text = ok.stream()
                .filter(c -> c instanceof ModelChunk.Parsed p && p.event() instanceof ParseEvent.TextDelta)
                .map(c -> ((ParseEvent.TextDelta) ((ModelChunk.Parsed) c).event()).text())
                .reduce("", String::concat);
        assertEquals("You said: Hello", text);
        Throwable denied = new RemoteChatBackend(config.withApiKey("wrong"))
                .stream(request)
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitFailure(Duration.ofSeconds(20))
                        .getFailure();
        assertEquals(401, ((BackendException) denied).httpStatus());
        assertEquals(false, ((BackendException) denied).retryable());
    }
}
