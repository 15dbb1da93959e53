package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.core.FailureClass;

/**
 * How one stage ended: its result document ({@code pass}, {@code failure_class}, {@code detail}, then the gate's
 * own fields) and, when it failed, the failure class triage acts on.
 */
public record StepResult(boolean pass, FailureClass failureClass, String detail, ObjectNode result) {

    public static StepResult ok(String detail) {
        return fromJson(resultJson(true, null, detail));
    }

    public static StepResult failed(FailureClass failureClass, String detail) {
        return fromJson(resultJson(false, failureClass, detail));
    }

    /** A gate's JSON as the stage result; the failure class is read back from it. */
    public static StepResult fromJson(ObjectNode result) {
        boolean pass = result.path("pass").asBoolean(false);
        FailureClass failureClass = pass ? null
                : FailureClass.parse(result.path("failure_class").asText(null)).orElse(null);
        return new StepResult(pass, failureClass, result.path("detail").asText(""), result);
    }

    public static ObjectNode resultJson(boolean pass, FailureClass failureClass, String detail) {
        ObjectNode json = Json.object();
        json.put("pass", pass);
        json.put("failure_class", failureClass == null ? null : failureClass.name());
        json.put("detail", detail);
        return json;
    }
}
