package dev.day0.sota;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;

/**
 * What a sota judgment ends with: the verdict ({@link Assessment.Verdict} for a reproduction, {@link
 * DeltaReview.Outcome} for a delta), the failure class it suggests (or null), and the full JSON document.
 *
 * @param <V> the judgment's verdict vocabulary
 */
public record Judgment<V extends Enum<V>>(V verdict, SotaFailureClass failureClass, ObjectNode json) {

    /**
     * The head every judgment document starts with: the verdict's label under {@code field}, {@code pass}, the
     * suggested {@code failure_class} with its {@code triage_class} and reason, and {@code detail}.
     */
    static ObjectNode document(String field, String label, boolean pass, Attribution.Suggestion suggestion,
                               String detail) {
        ObjectNode json = Json.object();
        json.put(field, label);
        json.put("pass", pass);
        SotaFailureClass failureClass = suggestion == null ? null : suggestion.failureClass();
        json.put("failure_class", failureClass == null ? null : failureClass.label());
        json.put("triage_class", failureClass == null || failureClass.triage() == null ? null
                : failureClass.triage().name());
        json.put("failure_class_reason", suggestion == null ? null : suggestion.reason());
        json.put("detail", detail);
        return json;
    }
}
