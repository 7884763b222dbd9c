package io.thinkloop.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapping used everywhere: code outside CDI uses {@link #MAPPER}; the Quarkus REST
 * layer is customized to the same settings by {@link JsonCustomizer}.
 */
public final class Json {
    public static final ObjectMapper MAPPER = configure(JsonMapper.builder().build());

    private Json() {}

    static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
