package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.evidence.serving.ServingCanary;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The serving canary's stage in a plan ({@code stages.canary}): how the server for the as-exported checkpoint is
 * started (a {@code local} process or a {@code slurm} job, as any working stage) and how the in-process probe
 * waits for it and what it asks ({@code probe:}). A Rockie job has no address day0 can reach, so the canary does
 * not run there.
 *
 * @param stage the runner and its settings, as for any working stage (no evidence block: the probe is the evidence)
 * @param checkpoint the checkpoint directory served (its fingerprint goes into decision.json), or null for the ptq
 *                   stage's {@code evidence.output}
 * @param url the server root when the plan fixes it; null when the server writes it to {@code DAY0_CANARY_URL_FILE}
 * @param apiKeyEnv the environment variable holding the server's API key, or null
 */
public record CanaryPlan(ReleasePlan.StageSpec stage, PathTemplate checkpoint, String url, Duration ceiling,
                         Duration interval, Duration requestTimeout, String model, String expect, String apiKeyEnv) {
    static final String FIELD = "stages.canary";
    static final Set<String> PROBE_KEYS = Set.of("url", "ceiling_seconds", "interval_seconds",
            "request_timeout_seconds", "model", "expect", "api_key_env", "checkpoint");

    /** The probe's settings, with the API key taken from the environment now (it never reaches state or logs). */
    ServingCanary.Settings settings(java.util.Map<String, String> env) {
        String key = apiKeyEnv == null ? null : env.get(apiKeyEnv);
        return new ServingCanary.Settings(ceiling, interval, requestTimeout, key == null || key.isBlank() ? null
                : key.trim(), model, expect);
    }

    /** The canary stage of a plan, or null when the plan has none. */
    static CanaryPlan read(PlanReader r, ObjectNode stages, ReleasePlan.StageSpec ptq) {
        JsonNode raw = stages.get("canary");
        if (raw == null || raw.isNull()) {
            return null;
        }
        ObjectNode node = r.object(raw, FIELD);
        String runner = r.optionalChoice(node, "runner", FIELD, List.of("local", "slurm", "rockie", "reuse"), null);
        if ("rockie".equals(runner) || "reuse".equals(runner)) {
            throw r.error(FIELD + ".runner", runner + " cannot run a canary: day0 probes the server in-process, so "
                    + "it must be reachable from here (a local process, or a Slurm job on a network day0 reaches); "
                    + "use local or slurm");
        }
        ObjectNode probe = node.has("probe") && !node.get("probe").isNull() ? r.object(node.get("probe"),
                FIELD + ".probe") : dev.day0.io.Json.object();
        String field = FIELD + ".probe";
        r.onlyKnown(probe, field, PROBE_KEYS);
        ReleasePlan.StageSpec stage = StageSpecReader.stage(r, stages, "canary", false);
        long ceiling = r.optionalLong(probe, "ceiling_seconds", field, ServingCanary.DEFAULT_CEILING.toSeconds(),
                1, 30L * 86_400);
        long interval = r.optionalLong(probe, "interval_seconds", field,
                ServingCanary.DEFAULT_INTERVAL.toSeconds(), 1, 3600);
        long request = r.optionalLong(probe, "request_timeout_seconds", field,
                ServingCanary.DEFAULT_REQUEST_TIMEOUT.toSeconds(), 1, 86_400);
        if (stage.local() != null && stage.local().timeoutSeconds() <= ceiling) {
            throw r.error(FIELD + ".timeout_seconds", "must be more than probe.ceiling_seconds (" + ceiling
                    + "): the server is ended after timeout_seconds, so a shorter one would cut the load short "
                    + "(found " + stage.local().timeoutSeconds() + ")");
        }
        PathTemplate checkpoint = r.optionalPath(probe, "checkpoint", field);
        if (checkpoint == null && ptq.evidence().output() == null) {
            throw r.error(field + ".checkpoint", "is missing: the ptq stage gives a summary, not the checkpoint "
                    + "directory, so name the directory the server loads (its fingerprint goes into decision.json)");
        }
        String url = r.optionalString(probe, "url", field);
        if (url != null) {
            try {
                dev.day0.evidence.serving.ServingProbe.serverRoot(url);
            } catch (dev.day0.io.InputException e) {
                throw r.error(field + ".url", "must be an http(s) URL with a host, found \"" + url + "\"");
            }
        }
        String apiKeyEnv = r.optionalString(probe, "api_key_env", field);
        if (apiKeyEnv != null && !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw r.error(field + ".api_key_env", "is not an environment variable name: \"" + apiKeyEnv + "\"");
        }
        return new CanaryPlan(stage, checkpoint, url, Duration.ofSeconds(ceiling),
                Duration.ofSeconds(interval), Duration.ofSeconds(request), r.optionalString(probe, "model", field),
                r.optionalString(probe, "expect", field), apiKeyEnv);
    }
}
