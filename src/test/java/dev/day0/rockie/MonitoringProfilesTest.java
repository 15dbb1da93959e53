package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;

/** Software and profile choice as the platform's submit helper's tests expect (test_submit_headers.py). */
public class MonitoringProfilesTest {
    @Test
    public void shouldInferTheSoftwareAndProfileFromTheScript() {
        String training = "#!/bin/bash\naccelerate launch train.py\n";
        String serving = "#!/bin/bash\nvllm serve /ckpt --port 8000\n";
        String physics = "#!/bin/bash\npw.x -input silicon.in > silicon.out\n";

        assertThat(MonitoringProfiles.inferSoftware(training, null)).isEqualTo("pytorch");
        assertThat(MonitoringProfiles.profileId(null, "pytorch")).isEqualTo("experiment.ml_baseline.v1");
        assertThat(MonitoringProfiles.inferSoftware(serving, null)).isEqualTo("vllm");
        assertThat(MonitoringProfiles.profileId(null, "vllm")).isEqualTo("inference.batch_baseline.v1");
        assertThat(MonitoringProfiles.inferSoftware(physics, null)).isEqualTo("quantum-espresso");
        assertThat(MonitoringProfiles.profileId(null, "quantum-espresso")).isEqualTo("physics.electronic_structure.v1");
        assertThat(MonitoringProfiles.inferSoftware("echo hi", null)).isNull();
        assertThat(MonitoringProfiles.profileId(null, null)).isEqualTo(MonitoringProfiles.FALLBACK);
        assertThat(MonitoringProfiles.inferSoftware(training, "jax")).isEqualTo("jax");
    }

    @Test
    public void shouldSnapshotTheProfileWithItsCadence() {
        ObjectNode snapshot = MonitoringProfiles.snapshot("experiment.ml_baseline.v1", "train model submit test",
                "experiment", "pytorch", false);

        assertThat(snapshot.path("profile_id").asText()).isEqualTo("experiment.ml_baseline.v1");
        assertThat(snapshot.path("run_name").asText()).isEqualTo("train model submit test");
        assertThat(snapshot.path("cadence_bounds").path("cadence_seconds").asInt()).isEqualTo(240);
        assertThat(snapshot.path("metrics").size()).isPositive();
        assertThat(snapshot.path("safe_to_auto_stop").asBoolean()).isFalse();
        assertThat(snapshot.path("unprofiled").asBoolean()).isFalse();
    }

    @Test
    public void shouldSnapshotAnUnbundledProfileFromTheFallbackAndSaySo() {
        ObjectNode physics = MonitoringProfiles.snapshot("physics.electronic_structure.v1", "qe run", null,
                "quantum-espresso", false);
        ObjectNode unknown = MonitoringProfiles.snapshot(MonitoringProfiles.FALLBACK, "x", null, null, false);

        assertThat(physics.path("profile_id").asText()).isEqualTo(MonitoringProfiles.FALLBACK);
        assertThat(physics.path("requested_profile_id").asText()).isEqualTo("physics.electronic_structure.v1");
        assertThat(unknown.path("unprofiled").asBoolean()).isTrue();
    }
}
