package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;

/**
 * The credit error of an HTTP 402 on submit. The platform puts it under {@code detail.error}, {@code detail} or
 * {@code error} (an object with code, balance, needed, message, or only a message string); this reads all three.
 */
public final class CreditError {
    private CreditError() {
    }

    /** The {@code credit_gate} event: code, balance, needed, message (null where the platform said nothing). */
    public static ObjectNode event(String body) {
        JsonNode root = null;
        try {
            root = Json.mapper().readTree(body == null ? "" : body);
        } catch (Exception e) {
            root = null;
        }
        JsonNode error = null;
        if (root != null && root.isObject()) {
            JsonNode detail = root.get("detail");
            if (detail != null && detail.path("error").isObject()) {
                error = detail.get("error");
            } else if (detail != null && detail.isObject()) {
                error = detail;
            } else if (root.path("error").isObject()) {
                error = root.get("error");
            } else if (detail != null && detail.isTextual()) {
                error = Json.object().put("message", detail.textValue());
            } else if (root.path("error").isTextual()) {
                error = Json.object().put("message", root.get("error").textValue());
            }
        }
        ObjectNode event = Json.object();
        event.put("event", "credit_gate");
        copy(error, "code", event);
        copy(error, "balance", event);
        copy(error, "needed", event);
        copy(error, "message", event);
        if (error == null) {
            event.put("message", "HTTP 402 without a readable credit error");
        }
        return event;
    }

    private static void copy(JsonNode from, String name, ObjectNode to) {
        JsonNode value = from == null ? null : from.get(name);
        if (value == null || value.isMissingNode() || value.isContainerNode()) {
            to.putNull(name);
        } else {
            to.set(name, value);
        }
    }
}
