package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Direction;
import dev.day0.io.InputException;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ClaimsTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Claims read(String yaml) {
        return Claims.read(SotaFiles.write(temp.getRoot().toPath(), "claims.yaml", yaml));
    }

    private void assertRefused(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(InputException.class)
                .hasMessageContaining("claims.yaml: ").hasMessageContaining(message);
    }

    private static final String MINIMAL = """
            task: t
            dataset: {name: d}
            model: {name: m}
            metrics:
              - {name: acc, value: 0.9, direction: higher_is_better}
            """;

    @Test
    public void shouldReadEveryDocumentedField() {
        Claims claims = read(SotaFiles.CLAIMS);

        assertThat(claims.title()).isEqualTo("A test paper");
        assertThat(claims.datasetVersion()).isEqualTo("1.0");
        assertThat(claims.datasetSplit()).isEqualTo("validation");
        assertThat(claims.modelCheckpoint()).isEqualTo("rev-abc");
        assertThat(claims.seeds()).containsExactly(1L);
        assertThat(claims.hardware()).isEqualTo("1x A100");
        assertThat(claims.metrics()).extracting(ClaimedMetric::name).containsExactly("accuracy", "loss");
        assertThat(claims.metric("loss").direction()).isEqualTo(Direction.LOWER);
        assertThat(claims.metric("loss").tolerance()).isEqualTo(new Tolerance(0, 0.1, "metric"));
    }

    @Test
    public void shouldLeaveWhatTheSourceOmitsEmptyInsteadOfFillingItIn() {
        Claims claims = read(MINIMAL);

        assertThat(claims.seeds()).isEmpty();
        assertThat(claims.datasetVersion()).isNull();
        assertThat(claims.hardware()).isNull();
        assertThat(claims.hyperparameters()).isNull();
        assertThat(claims.metric("acc").tolerance()).isEqualTo(Tolerance.DEFAULT);
    }

    @Test
    public void shouldApplyTheFileDefaultToleranceToMetricsWithoutTheirOwn() {
        Claims claims = read(MINIMAL + "tolerance: {absolute: 0.01}\n");

        assertThat(claims.metric("acc").tolerance()).isEqualTo(new Tolerance(0.01, 0, "claims"));
    }

    @Test
    public void shouldAcceptSeedListsAndNumericVersions() {
        Claims claims = read(MINIMAL.replace("dataset: {name: d}", "dataset: {name: d, version: 2.1}")
                + "seed: [1, 2]\n");

        assertThat(claims.seeds()).containsExactly(1L, 2L);
        assertThat(claims.datasetVersion()).isEqualTo("2.1");
    }

    @Test
    public void shouldRefuseMissingRequiredFieldsNamingThem() {
        assertRefused("dataset: {name: d}\nmodel: {name: m}\nmetrics: [{name: a, value: 1, direction: higher}]\n",
                "task: is missing");
        assertRefused(MINIMAL.replace("dataset: {name: d}\n", ""), "dataset: is missing");
        assertRefused(MINIMAL.replace("model: {name: m}", "model: {checkpoint: x}"), "model.name: is missing");
        assertRefused("task: t\ndataset: {name: d}\nmodel: {name: m}\n", "metrics: is missing");
        assertRefused("task: t\ndataset: {name: d}\nmodel: {name: m}\nmetrics: []\n", "metrics: is empty");
    }

    @Test
    public void shouldRefuseBadMetricFieldsNamingTheIndex() {
        assertRefused(MINIMAL.replace("value: 0.9", "value: \"0.9\""), "metrics[0].value: must be a finite number");
        assertRefused(MINIMAL.replace("value: 0.9", "value: .nan"), "invalid YAML at line 5");
        assertRefused(MINIMAL.replace(", value: 0.9", ""), "metrics[0].value: is missing");
        assertRefused(MINIMAL.replace("higher_is_better", "up"), "metrics[0].direction: must be higher_is_better");
        assertRefused(MINIMAL.replace(", direction: higher_is_better", ""), "metrics[0].direction: is missing");
        assertRefused(MINIMAL.replace("direction:", "direciton:"), "metrics[0].direciton: unknown field");
        assertRefused(MINIMAL + "  - {name: acc, value: 1, direction: higher}\n", "metrics[1].name: \"acc\" is "
                + "claimed twice");
        assertRefused(MINIMAL.replace("higher_is_better}", "higher_is_better, pointer: results}"),
                "metrics[0].pointer: must be a JSON Pointer");
        assertRefused(MINIMAL.replace("higher_is_better}", "higher_is_better, tolerance: {relative: 2}}"),
                "metrics[0].tolerance.relative: must be a fraction between 0 and 1");
        assertRefused(MINIMAL.replace("higher_is_better}", "higher_is_better, tolerance: {absolute: -1}}"),
                "metrics[0].tolerance.absolute: must be at least 0");
        assertRefused(MINIMAL.replace("higher_is_better}", "higher_is_better, tolerance: {}}"),
                "metrics[0].tolerance: give absolute and/or relative");
    }

    @Test
    public void shouldRefuseUnknownTopLevelFieldsAndWrongTypes() {
        assertRefused(MINIMAL + "seeds: [1]\n", "seeds: unknown field");
        assertRefused(MINIMAL + "seed: -1\n", "seed: must be a whole number of at least 0");
        assertRefused(MINIMAL + "seed: []\n", "seed: is an empty list");
        assertRefused(MINIMAL + "hardware: 8\n", "hardware: must be a string");
        assertRefused(MINIMAL.replace("task: t", "task: \"  \""), "task: is blank");
        assertRefused("- just a list\n", "must be an object");
    }

    @Test
    public void shouldRefuseAnUnreadableFileNamingIt() {
        Path missing = temp.getRoot().toPath().resolve("nope.yaml");

        assertThatThrownBy(() -> Claims.read(missing)).isInstanceOf(InputException.class)
                .hasMessageContaining("nope.yaml").hasMessageContaining("file not found");
        assertRefused("task: [unclosed\n", "invalid YAML");
    }

    @Test
    public void shouldRenderItselfForThePlanWithTheComputedAllowance() {
        String json = read(SotaFiles.CLAIMS).toJson().toString();

        assertThat(json).contains("\"allowed_shortfall\":0.5").contains("\"direction\":\"lower_is_better\"");
    }
}
