package dev.day0.evidence.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What a serving probe found, as the evidence file that {@code day0 gate run --serving} reads: {@code healthy} and
 * {@code detail} decide the gate; the checks say where the time went and which answer failed.
 *
 * @param healthy true only when health, models and completion all passed
 * @param detail one line: why the server is unhealthy, or what was seen when it is healthy
 * @param model the model probed (given, or the first one served); null when none was found
 * @param checks health, models and completion, in that order
 * @param elapsedMs the probe's wall time
 */
public record ServingEvidence(boolean healthy, String detail, String model, List<Check> checks, long elapsedMs) {
    public static final String SCHEMA = "day0.serving-probe/1";

    /** The state of one check. */
    public enum Status {
        PASS, FAIL, SKIPPED;

        String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One check: its HTTP status ({@code null} when no answer came) and latency of the last request it made.
     *
     * @param extra check-specific fields (attempts, models, completion text), or null
     */
    public record Check(String name, Status status, Integer httpStatus, Long latencyMs, String detail,
                        ObjectNode extra) {
        static Check pass(String name, int httpStatus, long latencyMs, ObjectNode extra) {
            return new Check(name, Status.PASS, httpStatus, latencyMs, null, extra);
        }

        static Check fail(String name, Integer httpStatus, long latencyMs, String detail, ObjectNode extra) {
            return new Check(name, Status.FAIL, httpStatus, latencyMs, detail, extra);
        }

        static Check skipped(String name) {
            return new Check(name, Status.SKIPPED, null, null, "not run: an earlier check failed", null);
        }

        public boolean passed() {
            return status == Status.PASS;
        }

        @Override
        public ObjectNode extra() {
            return extra == null ? Json.object() : extra;
        }
    }

    /** The evidence document; {@code url} should already be redacted. */
    public ObjectNode toJson(String url, Instant checkedAt) {
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        json.put("healthy", healthy);
        json.put("detail", detail);
        json.put("url", url);
        json.put("model", model);
        json.put("checked_at", checkedAt.truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("elapsed_ms", elapsedMs);
        ArrayNode list = json.putArray("checks");
        for (Check check : checks) {
            ObjectNode item = list.addObject();
            item.put("name", check.name());
            item.put("status", check.status().json());
            if (check.httpStatus() == null) {
                item.putNull("http_status");
            } else {
                item.put("http_status", check.httpStatus());
            }
            if (check.latencyMs() == null) {
                item.putNull("latency_ms");
            } else {
                item.put("latency_ms", check.latencyMs());
            }
            item.put("detail", check.detail());
            check.extra().fields().forEachRemaining(entry -> item.set(entry.getKey(), entry.getValue()));
        }
        return json;
    }
}
