package dev.day0.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.core.Decision;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/** Both rules over the published release tables, as docs/noise.md reports them. */
public class PublishedPairsStudyTest {
    private static List<PublishedPairsStudy.Release> releases;

    @BeforeClass
    public static void runStudy() {
        releases = PublishedPairsStudy.run(PublishedPairsStudy.PAIRS, PublishedPairsStudy.SIZES);
    }

    private static PublishedPairsStudy.Release release(String model) {
        return releases.stream().filter(r -> r.model().equals(model)).findFirst().orElseThrow();
    }

    private static JsonNode noiseRow(String model, String task) {
        return release(model).noiseRule().body().path("per_task").path(task);
    }

    @Test
    public void shouldConfirmTheLlamaMmluDropAsARealRegression() {
        PublishedPairsStudy.Release llama = release("nvidia/Llama-3.3-70B-Instruct-FP4");

        assertThat(llama.noiseRule().decision()).isEqualTo(Decision.REGRESSION);
        assertThat(noiseRow(llama.model(), "MMLU").path("verdict").asText()).isEqualTo("BREACH");
        assertThat(noiseRow(llama.model(), "GSM8K_COT").path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
    }

    @Test
    public void shouldCallSmallBenchmarkDropsInconclusiveNotRegressions() {
        JsonNode humanEvalPlus = noiseRow("Qwen/Qwen3-8B NVFP4 PTQ (basetenlabs)", "HE+");
        JsonNode math500 = noiseRow("nvidia/DeepSeek-R1-FP4", "MATH-500");

        assertThat(humanEvalPlus.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(humanEvalPlus.path("evidence_needed").path("items").asLong()).isGreaterThan(164);
        assertThat(math500.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(release("nvidia/DeepSeek-R1-FP4").pointRule().decision()).isEqualTo(Decision.REGRESSION);
        assertThat(release("nvidia/DeepSeek-R1-FP4").noiseRule().decision()).isEqualTo(Decision.NEEDS_HUMAN);
    }

    @Test
    public void shouldCertifyATinyDropOnALargeBenchmark() {
        assertThat(noiseRow("nvidia/DeepSeek-R1-FP4", "MMLU").path("verdict").asText()).isEqualTo("PASS");
    }

    @Test
    public void shouldHaveNoIntervalWhereTheItemCountIsUnknown() {
        JsonNode bfcl = noiseRow("Qwen/Qwen3-8B NVFP4 PTQ (basetenlabs)", "BFCL");

        assertThat(bfcl.path("interval").isNull()).isTrue();
        assertThat(bfcl.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
    }

    @Test
    public void shouldNeverAcceptWhatThePointRuleRejects() {
        for (PublishedPairsStudy.Release release : releases) {
            if (release.pointRule().decision() == Decision.REGRESSION) {
                assertThat(release.noiseRule().decision()).as(release.model()).isNotEqualTo(Decision.ACCEPT);
            }
        }
        assertThat(releases.stream().filter(r -> r.pointRule().decision() == Decision.REGRESSION)).hasSize(3);
        assertThat(releases.stream().filter(r -> r.noiseRule().decision() == Decision.REGRESSION)).hasSize(1);
    }
}
