package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;

/**
 * The outcome of one gate, rendered as the JSON object the gate prints: {@code pass}, {@code decision} (compare
 * only), {@code failure_class}, {@code detail}, then the gate's own fields in a fixed order.
 */
public final class GateResult {
    private final String gate;
    private final boolean pass;
    private final Decision decision;
    private final FailureClass failureClass;
    private final String detail;
    private final ObjectNode body;

    GateResult(String gate, boolean pass, Decision decision, FailureClass failureClass, String detail,
               ObjectNode body) {
        if (pass && failureClass != null) {
            throw new IllegalArgumentException("a passing gate has no failure class");
        }
        this.gate = gate;
        this.pass = pass;
        this.decision = decision;
        this.failureClass = failureClass;
        this.detail = detail;
        this.body = body == null ? Json.object() : body;
    }

    /** The result for input that could not be used, as every gate prints it with exit code 2. */
    public static ObjectNode inputError(String detail) {
        ObjectNode json = Json.object();
        json.put("pass", false);
        json.put("failure_class", FailureClass.USER_CONFIG_ERROR.name());
        json.put("detail", detail);
        return json;
    }

    public String gate() {
        return gate;
    }

    public boolean pass() {
        return pass;
    }

    /** The decision of the compare gate; null for the ptq and run gates, which only pass or fail. */
    public Decision decision() {
        return decision;
    }

    public FailureClass failureClass() {
        return failureClass;
    }

    public String detail() {
        return detail;
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("pass", pass);
        if ("compare".equals(gate)) {
            json.put("decision", decision == null ? null : decision.name());
        }
        json.put("failure_class", failureClass == null ? null : failureClass.name());
        json.put("detail", detail);
        body.fields().forEachRemaining(entry -> json.set(entry.getKey(), entry.getValue()));
        return json;
    }

    /** The gate's own fields (per_task, checks, notes). */
    public JsonNode body() {
        return body.deepCopy();
    }
}
