package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One way of getting around inside a city: a fare of {@code baseFare} plus {@code farePerKm} (CNY). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LocalTransport(String mode, double baseFare, double farePerKm, String operatingHours, String notes) {}
