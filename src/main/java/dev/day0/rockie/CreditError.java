package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The credit error of an HTTP 402 on submit, as the platform's submit helper reads it: under {@code detail.error},
 * {@code detail} or {@code error} an object with {@code code}, {@code balance_cents}, {@code needed_cents},
 * {@code message} (or only a message string). The {@code credit_gate} event carries those and the top-up checkout
 * ({@code checkout.kind}, {@code checkout.skus}) that the platform's UI offers.
 */
public final class CreditError {
    /** The top-up packs the platform offers when the answer names none. */
    static final List<String> DEFAULT_SKUS = List.of("compute:20", "compute:50", "compute:200", "compute:1000");
    static final String DEFAULT_CODE = "insufficient_balance";
    static final String DEFAULT_MESSAGE = "Rockie GPU credit is empty. Top up compute credit to run this job.";

    private CreditError() {
    }

    /**
     * The {@code credit_gate} event: {@code version}, {@code code}, {@code balance_cents}, {@code needed_cents},
     * {@code message}, {@code checkout}. Balances the platform did not state are null, never guessed.
     */
    public static ObjectNode event(String body) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body == null ? "" : body);
        } catch (Exception e) {
            root = null;
        }
        JsonNode error = null;
        String plainMessage = null;
        if (root != null && root.isObject()) {
            JsonNode detail = root.get("detail");
            if (detail != null && detail.path("error").isObject()) {
                error = detail.get("error");
            } else if (detail != null && detail.isObject()) {
                error = detail;
            } else if (root.path("error").isObject()) {
                error = root.get("error");
            } else if (detail != null && detail.isTextual()) {
                plainMessage = detail.textValue();
            } else if (root.path("error").isTextual()) {
                plainMessage = root.get("error").textValue();
            }
        }
        ObjectNode event = Json.object();
        event.put("event", "credit_gate");
        event.put("version", 1);
        JsonNode code = scalar(error, "code");
        event.put("code", code == null || code.asText().isBlank() ? DEFAULT_CODE : code.asText());
        event.set("balance_cents", cents(error, "balance_cents", "balance"));
        event.set("needed_cents", cents(error, "needed_cents", "needed"));
        JsonNode message = scalar(error, "message");
        if (message != null && !message.asText().isBlank()) {
            event.put("message", message.asText());
        } else if (plainMessage != null && !plainMessage.isBlank()) {
            event.put("message", plainMessage);
        } else if (root == null || !root.isObject()) {
            event.put("message", "HTTP 402 without a readable credit error. " + DEFAULT_MESSAGE);
        } else {
            event.put("message", DEFAULT_MESSAGE);
        }
        ObjectNode checkout = event.putObject("checkout");
        JsonNode offered = checkout(error, root);
        checkout.put("kind", offered.path("kind").isTextual() ? offered.path("kind").asText() : "compute_top_up");
        ArrayNode skus = checkout.putArray("skus");
        List<String> named = new ArrayList<>();
        offered.path("skus").forEach(sku -> {
            if (sku.isTextual() && !sku.asText().isBlank()) {
                named.add(sku.asText());
            }
        });
        (named.isEmpty() ? DEFAULT_SKUS : named).forEach(skus::add);
        return event;
    }

    private static JsonNode checkout(JsonNode error, JsonNode root) {
        if (error != null && error.path("checkout").isObject()) {
            return error.get("checkout");
        }
        if (root != null && root.path("checkout").isObject()) {
            return root.get("checkout");
        }
        return Json.object();
    }

    private static JsonNode scalar(JsonNode from, String name) {
        JsonNode value = from == null ? null : from.get(name);
        return value == null || value.isNull() || value.isContainerNode() ? null : value;
    }

    /** A whole number of cents under {@code name}, else under the older {@code legacy} name, else null. */
    private static JsonNode cents(JsonNode from, String name, String legacy) {
        JsonNode value = scalar(from, name);
        if (value == null) {
            value = scalar(from, legacy);
        }
        return value != null && value.isIntegralNumber() ? value : Json.object().nullNode();
    }
}
