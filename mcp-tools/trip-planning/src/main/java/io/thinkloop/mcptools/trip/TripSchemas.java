package io.thinkloop.mcptools.trip;

/** The JSON Schemas of the trip tools' arguments and structured results (draft 2020-12). */
final class TripSchemas {
    private TripSchemas() {}

    static final String NO_ARGS = """
            {"type": "object", "properties": {}, "additionalProperties": false}""";

    static String oneString(String field, String description) {
        return """
                {"type": "object",
                 "properties": {"%s": {"type": "string", "minLength": 1, "maxLength": 200, "description": "%s"}},
                 "required": ["%s"], "additionalProperties": false}""".formatted(field, description, field);
    }

    static final String CITY_ARG = oneString("city", "City name, as get_all_cities lists it");
    static final String HOTEL_ARG = oneString("hotel", "Hotel name, as get_all_hotels_by_city lists it");
    static final String ATTRACTION_ARG =
            oneString("attraction", "Attraction name, as get_all_attractions_by_city lists it");
    static final String RESTAURANT_ARG =
            oneString("restaurant", "Restaurant name, as get_all_restaurants_by_city lists it");

    static final String INTER_CITY_ARGS = """
            {"type": "object",
             "properties": {
               "from_city": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Departure city"},
               "to_city": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Arrival city"}},
             "required": ["from_city", "to_city"], "additionalProperties": false}""";

    static final String WEATHER_ARGS = """
            {"type": "object",
             "properties": {
               "city": {"type": "string", "minLength": 1, "maxLength": 200, "description": "City name"},
               "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "Date as YYYY-MM-DD"}},
             "required": ["city", "date"], "additionalProperties": false}""";

    private static final String NAME = """
            {"type": "string", "minLength": 1, "maxLength": 200}""";
    private static final String CLOCK = """
            {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}""";

    static final String SUBMIT_ARGS = """
            {"type": "object",
             "properties": {
               "days": {"type": "array", "minItems": 1, "maxItems": 60, "description": "The itinerary, one entry per day in order",
                 "items": {"type": "object",
                   "properties": {
                     "day": {"type": "integer", "minimum": 1, "maximum": 60, "description": "Day number, from 1"},
                     "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD"},
                     "city": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The city where this day is spent (after any travel)"},
                     "hotel": {"type": ["string", "null"], "maxLength": 200, "description": "Hotel for the night, or null"},
                     "attractions": {"type": "array", "maxItems": 10, "items": {"type": "object",
                       "properties": {"name": %1$s, "time_slot": {"type": "string", "enum": ["morning", "afternoon", "evening"]}},
                       "required": ["name", "time_slot"], "additionalProperties": false}},
                     "meals": {"type": "array", "maxItems": 6, "items": {"type": "object",
                       "properties": {"meal": {"type": "string", "enum": ["breakfast", "lunch", "dinner"]}, "restaurant": %1$s},
                       "required": ["meal", "restaurant"], "additionalProperties": false}},
                     "transport": {"type": "array", "maxItems": 6, "description": "Inter-city legs travelled this day",
                       "items": {"type": "object",
                         "properties": {
                           "mode": {"type": "string", "enum": ["flight", "high-speed rail", "train", "coach", "car"]},
                           "from_city": %1$s, "to_city": %1$s,
                           "service": {"type": "string", "maxLength": 40, "description": "Service id, e.g. G1234"},
                           "departure_time": %2$s},
                         "required": ["mode", "from_city", "to_city"], "additionalProperties": false}},
                     "local_transport": {"type": "string", "maxLength": 200, "description": "How to get around in the city, e.g. metro"}},
                   "required": ["day", "city"], "additionalProperties": false}},
               "summary": {"type": "string", "maxLength": 4000, "description": "Optional notes on the plan"},
               "total_cost": {"type": "number", "minimum": 0, "description": "Optional estimated total cost in CNY"}},
             "required": ["days"], "additionalProperties": false}""".formatted(NAME, CLOCK);

    private static final String STRINGS = """
            {"type": "array", "items": {"type": "string"}}""";

    static String nameList(String cityField, String listField) {
        return """
                {"type": "object",
                 "properties": {%s"%s": %s, "count": {"type": "integer", "minimum": 0}},
                 "required": [%s"%s", "count"], "additionalProperties": false}""".formatted(
                        cityField == null ? "" : "\"" + cityField + "\": {\"type\": \"string\"}, ",
                        listField,
                        STRINGS,
                        cityField == null ? "" : "\"" + cityField + "\", ",
                        listField);
    }

    static String cityOf(String venueField) {
        return """
                {"type": "object",
                 "properties": {"%s": {"type": "string"}, "city": {"type": "string"}},
                 "required": ["%s", "city"], "additionalProperties": false}""".formatted(venueField, venueField);
    }

    static final String CITY = """
            {"type": "object",
             "properties": {
               "id": {"type": "string"}, "name": {"type": "string"}, "province": {"type": "string"},
               "latitude": {"type": "number"}, "longitude": {"type": "number"}, "description": {"type": "string"},
               "highlights": %s, "average_daily_budget": {"type": "integer", "minimum": 0}},
             "required": ["id", "name", "province", "latitude", "longitude", "description", "highlights", "average_daily_budget"],
             "additionalProperties": false}""".formatted(STRINGS);

    static final String HOTEL = """
            {"type": "object",
             "properties": {
               "id": {"type": "string"}, "name": {"type": "string"}, "city": {"type": "string"},
               "stars": {"type": "integer", "minimum": 1, "maximum": 5},
               "price_per_night": {"type": "integer", "minimum": 0}, "rating": {"type": "number", "minimum": 1, "maximum": 5},
               "amenities": %s, "address": {"type": "string"},
               "check_in_time": %s, "check_out_time": %s},
             "required": ["id", "name", "city", "stars", "price_per_night", "rating", "amenities", "address", "check_in_time", "check_out_time"],
             "additionalProperties": false}""".formatted(STRINGS, CLOCK, CLOCK);

    static final String ATTRACTION = """
            {"type": "object",
             "properties": {
               "id": {"type": "string"}, "name": {"type": "string"}, "city": {"type": "string"}, "type": {"type": "string"},
               "ticket_price": {"type": "integer", "minimum": 0}, "rating": {"type": "number", "minimum": 1, "maximum": 5},
               "opening_hours": {"type": "string"}, "closed_on": %s, "recommended_hours": {"type": "number", "minimum": 0},
               "indoor": {"type": "boolean"}, "description": {"type": "string"}},
             "required": ["id", "name", "city", "type", "ticket_price", "rating", "opening_hours", "closed_on", "recommended_hours", "indoor", "description"],
             "additionalProperties": false}""".formatted(STRINGS);

    static final String RESTAURANT = """
            {"type": "object",
             "properties": {
               "id": {"type": "string"}, "name": {"type": "string"}, "city": {"type": "string"}, "cuisine": {"type": "string"},
               "average_price": {"type": "integer", "minimum": 0}, "rating": {"type": "number", "minimum": 1, "maximum": 5},
               "opening_hours": {"type": "string"},
               "meals": {"type": "array", "items": {"type": "string", "enum": ["breakfast", "lunch", "dinner"]}},
               "features": %s, "signature_dishes": %s},
             "required": ["id", "name", "city", "cuisine", "average_price", "rating", "opening_hours", "meals", "features", "signature_dishes"],
             "additionalProperties": false}""".formatted(STRINGS, STRINGS);

    static final String CITY_TRANSPORT = """
            {"type": "object",
             "properties": {
               "city": {"type": "string"},
               "options": {"type": "array", "items": {"type": "object",
                 "properties": {
                   "mode": {"type": "string"}, "base_fare": {"type": "number", "minimum": 0},
                   "fare_per_km": {"type": "number", "minimum": 0}, "operating_hours": {"type": "string"}, "notes": {"type": "string"}},
                 "required": ["mode", "base_fare", "fare_per_km", "operating_hours", "notes"], "additionalProperties": false}}},
             "required": ["city", "options"], "additionalProperties": false}""";

    static final String INTER_CITY = """
            {"type": "object",
             "properties": {
               "from_city": {"type": "string"}, "to_city": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
               "options": {"type": "array", "items": {"type": "object",
                 "properties": {
                   "id": {"type": "string"}, "mode": {"type": "string", "enum": ["flight", "high-speed rail", "train", "coach"]},
                   "from_city": {"type": "string"}, "to_city": {"type": "string"},
                   "departure_time": %1$s, "arrival_time": %1$s,
                   "arrival_day_offset": {"type": "integer", "minimum": 0},
                   "duration_minutes": {"type": "integer", "minimum": 1}, "price": {"type": "integer", "minimum": 0},
                   "distance_km": {"type": "integer", "minimum": 0}},
                 "required": ["id", "mode", "from_city", "to_city", "departure_time", "arrival_time", "arrival_day_offset", "duration_minutes", "price", "distance_km"],
                 "additionalProperties": false}}},
             "required": ["from_city", "to_city", "count", "options"], "additionalProperties": false}""".formatted(CLOCK);

    static final String WEATHER = """
            {"type": "object",
             "properties": {
               "city": {"type": "string"}, "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
               "condition": {"type": "string"}, "temperature_high": {"type": "integer"}, "temperature_low": {"type": "integer"},
               "precipitation_chance": {"type": "integer", "minimum": 0, "maximum": 100}, "wind": {"type": "string"},
               "weekday": {"type": "string", "enum": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}},
             "required": ["city", "date", "condition", "temperature_high", "temperature_low", "precipitation_chance", "wind", "weekday"],
             "additionalProperties": false}""";

    static final String SUBMIT_RESULT = """
            {"type": "object",
             "properties": {
               "submission_id": {"type": "string"}, "status": {"type": "string", "enum": ["accepted"]},
               "day_count": {"type": "integer", "minimum": 1}, "message": {"type": "string"}},
             "required": ["submission_id", "status", "day_count", "message"], "additionalProperties": false}""";
}
