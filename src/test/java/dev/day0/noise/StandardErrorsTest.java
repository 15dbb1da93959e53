package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;
import org.junit.Test;

public class StandardErrorsTest {
    private static final Path NEGOTIATION = Path.of(
            "src/test/resources/reference/lm_eval/fork-negotiationtom__Qwen3-8B__results_2026-07-08T16-04-34.json");

    @Test
    public void shouldReadATaskMapWithNotAvailableEntries() {
        StandardErrors errors = StandardErrors.parse(
                Json.parse("{\"mmlu\": 0.4, \"gpqa\": \"N/A\", \"aime\": null}", "se.json"), "se.json");

        assertThat(errors.lookup("mmlu", null).value()).isEqualTo(0.4);
        assertThat(errors.lookup("gpqa", null).value()).isNull();
        assertThat(errors.lookup("gpqa", null).unavailable()).contains("not available");
        assertThat(errors.lookup("aime", null).value()).isNull();
        assertThat(errors.lookup("hle", null).unavailable()).contains("no entry for hle");
    }

    @Test
    public void shouldTreatZeroAndNaNAsNotAvailable() {
        StandardErrors errors = StandardErrors.parse(Json.parse("{\"a\": 0, \"b\": NaN}", "se.json"), "se.json");

        assertThat(errors.lookup("a", null).value()).isNull();
        assertThat(errors.lookup("a", null).unavailable()).contains("is 0");
        assertThat(errors.lookup("b", null).unavailable()).contains("NaN");
    }

    @Test
    public void shouldRejectNegativeBooleanAndTextValues() {
        for (String bad : new String[] {"-0.1", "true", "\"0.4\""}) {
            assertThatThrownBy(() -> StandardErrors.parse(Json.parse("{\"mmlu\": " + bad + "}", "se.json"), "se.json"))
                    .isInstanceOf(InputException.class)
                    .hasMessageContaining("se.json: mmlu: must be a standard error");
        }
    }

    @Test
    public void shouldReadTheStderrOfARealLmEvalResultsFile() {
        StandardErrors errors = StandardErrors.read(NEGOTIATION);

        StandardErrors.Entry belief = errors.lookup("negotiationtom_belief", null);
        assertThat(belief.value()).isEqualTo(0.11413288653790232);
        assertThat(belief.reportedScore()).isEqualTo(0.45);
    }

    @Test
    public void shouldReportTheLmEvalNotAvailableStderrAsMissing() {
        StandardErrors errors = StandardErrors.read(NEGOTIATION);

        StandardErrors.Entry microF1 = errors.lookup("negotiationtom_intention", "micro_f1,none");
        assertThat(microF1.value()).isNull();
        assertThat(microF1.reportedScore()).isEqualTo(0.30188679245283023);
    }

    @Test
    public void shouldAskForTheCanonicalMetricWhenATaskHasSeveral() {
        StandardErrors errors = StandardErrors.read(NEGOTIATION);

        assertThatThrownBy(() -> errors.lookup("negotiationtom_intention", null))
                .hasMessageContaining("results.negotiationtom_intention: has several metrics");
    }
}
