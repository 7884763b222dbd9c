package io.thinkloop.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {
    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsAndOpenApiAreServed() {
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("jvm_"))
                .body(containsString("thinkloop_engine_queue_depth 0.0"))
                .body(containsString("thinkloop_sessions_active"))
                .body(containsString("thinkloop_turns_active 0.0"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("Thinkloop API"));
    }
}
