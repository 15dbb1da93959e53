package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard's monitoring profile for a job, chosen and snapshotted as the platform's submit helper does: the
 * software is inferred from the script (or given), the profile follows from the software, and the submission
 * carries a snapshot of the profile (heartbeat cadence, metrics, panels, red flags, stop policy) so the dashboard
 * judges the run by the profile as it was when the job was submitted. The profiles are the platform's, bundled.
 */
public final class MonitoringProfiles {
    public static final String FALLBACK = "common.default.v1";
    /** The profiles bundled with day0 (the platform's experiment, inference and common ones). */
    public static final List<String> BUNDLED = List.of(FALLBACK, "experiment.ml_baseline.v1",
            "inference.batch_baseline.v1");

    /** Script markers in the helper's order: the first software whose marker appears wins. */
    private static final List<Map.Entry<String, List<String>>> MARKERS = List.of(
            Map.entry("quantum-espresso", List.of("pw.x", "ph.x", "neb.x")),
            Map.entry("gromacs", List.of("gmx grompp", "gmx mdrun", "gmx ")),
            Map.entry("lammps", List.of("lmp ", "lmp_mpi", "lammps")),
            Map.entry("openmm", List.of("openmm")),
            Map.entry("cp2k", List.of("cp2k")),
            Map.entry("abinit", List.of("abinit")),
            Map.entry("vllm", List.of("vllm")),
            Map.entry("triton", List.of("tritonserver")),
            Map.entry("tei", List.of("text-embeddings-inference", "tei")),
            Map.entry("bentoml", List.of("bentoml")),
            Map.entry("sglang", List.of("sglang")),
            Map.entry("lmdeploy", List.of("lmdeploy")),
            Map.entry("torchrun", List.of("torchrun")),
            Map.entry("pytorch", List.of("accelerate launch", "python train.py", "python3 train.py", "trainer.fit",
                    "torch.nn")),
            Map.entry("jax", List.of("jax")));

    private static final Map<String, String> PROFILE_BY_SOFTWARE = Map.ofEntries(
            Map.entry("abinit", "physics.electronic_structure.v1"),
            Map.entry("bentoml", "inference.batch_baseline.v1"),
            Map.entry("cp2k", "physics.electronic_structure.v1"),
            Map.entry("gmx", "physics.molecular_dynamics.v1"),
            Map.entry("gromacs", "physics.molecular_dynamics.v1"),
            Map.entry("jax", "experiment.ml_baseline.v1"),
            Map.entry("lammps", "physics.molecular_dynamics.v1"),
            Map.entry("lmdeploy", "inference.batch_baseline.v1"),
            Map.entry("openmm", "physics.molecular_dynamics.v1"),
            Map.entry("pw.x", "physics.electronic_structure.v1"),
            Map.entry("pytorch", "experiment.ml_baseline.v1"),
            Map.entry("python-training", "experiment.ml_baseline.v1"),
            Map.entry("qe", "physics.electronic_structure.v1"),
            Map.entry("quantum-espresso", "physics.electronic_structure.v1"),
            Map.entry("sglang", "inference.batch_baseline.v1"),
            Map.entry("tei", "inference.batch_baseline.v1"),
            Map.entry("torchrun", "experiment.ml_baseline.v1"),
            Map.entry("triton", "inference.batch_baseline.v1"),
            Map.entry("vllm", "inference.batch_baseline.v1"));

    private MonitoringProfiles() {
    }

    /** The given software, else the first whose marker the script contains, else null. */
    public static String inferSoftware(String script, String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String lowered = script.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> marker : MARKERS) {
            if (marker.getValue().stream().anyMatch(lowered::contains)) {
                return marker.getKey();
            }
        }
        return null;
    }

    /** The profile id: the given one, else the software's, else {@link #FALLBACK}. */
    public static String profileId(String explicit, String software) {
        if (explicit != null) {
            return explicit;
        }
        return software == null ? FALLBACK : PROFILE_BY_SOFTWARE.getOrDefault(software, FALLBACK);
    }

    /**
     * The snapshot sent as {@code dashboard.monitoring_profile_snapshot}. A profile day0 does not bundle (the
     * physics ones) is snapshotted from {@link #FALLBACK}, with {@code requested_profile_id} naming the one asked.
     */
    public static ObjectNode snapshot(String requestedProfileId, String runName, String originSkill,
                                      String software, boolean explicitProfile) {
        String loadedId = BUNDLED.contains(requestedProfileId) ? requestedProfileId : FALLBACK;
        JsonNode profile = load(loadedId);
        ObjectNode snapshot = Json.object();
        snapshot.put("profile_id", loadedId);
        snapshot.put("requested_profile_id", requestedProfileId);
        snapshot.put("run_name", runName);
        snapshot.put("origin_skill", originSkill);
        snapshot.put("software", software);
        snapshot.set("domain", profile.path("domain"));
        snapshot.set("family", profile.path("family"));
        snapshot.set("duration_class", profile.path("expected_duration_class"));
        snapshot.set("expected_duration_class", profile.path("expected_duration_class"));
        JsonNode heartbeat = profile.path("heartbeat").isObject() ? profile.get("heartbeat") : Json.object();
        snapshot.set("heartbeat", heartbeat);
        ObjectNode cadence = snapshot.putObject("cadence_bounds");
        for (String field : List.of("min_threshold_seconds", "cadence_seconds", "max_gap_seconds")) {
            cadence.set(field, heartbeat.has(field) ? heartbeat.get(field) : Json.object().nullNode());
        }
        snapshot.set("metrics", array(profile, "metrics"));
        snapshot.set("panels", array(profile, "panels"));
        snapshot.set("red_flags", array(profile, "red_flags"));
        JsonNode stopPolicy = profile.path("stop_policy").isObject() ? profile.get("stop_policy") : Json.object();
        snapshot.set("stop_policy", stopPolicy);
        snapshot.put("safe_to_auto_stop", profile.has("safe_to_auto_stop")
                ? profile.get("safe_to_auto_stop").asBoolean(false)
                : "stop".equals(stopPolicy.path("default_action").asText()));
        snapshot.set("redaction", profile.path("redaction").isObject() ? profile.get("redaction") : Json.object());
        snapshot.put("unprofiled", FALLBACK.equals(loadedId) && !explicitProfile);
        return snapshot;
    }

    private static JsonNode array(JsonNode profile, String field) {
        return profile.path(field).isArray() ? profile.get(field) : Json.array();
    }

    private static final Map<String, JsonNode> CACHE = new LinkedHashMap<>();

    private static synchronized JsonNode load(String profileId) {
        return CACHE.computeIfAbsent(profileId, id -> {
            String resource = "monitoring-profiles/" + id + ".json";
            try (InputStream in = MonitoringProfiles.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled monitoring profile " + id + " is missing");
                }
                return Json.mapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bundled monitoring profile " + id, e);
            }
        });
    }
}
