package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** The ways of getting around inside one city. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CityTransport(String city, List<LocalTransport> options) {
    public CityTransport {
        options = List.copyOf(options);
    }
}
