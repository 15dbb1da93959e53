package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.day0.core.Direction;
import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class NoisePolicyTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private NoisePolicy policy(String yaml) throws IOException {
        Path file = temp.newFolder().toPath().resolve("policy.yaml");
        Files.writeString(file, yaml);
        return NoisePolicy.read(file);
    }

    @Test
    public void shouldResolveATaskFromItsEntryThenTheDefaults() throws IOException {
        NoisePolicy policy = policy("""
                defaults:
                  tier: supporting
                  threshold: 0.02
                tasks:
                  gpqa_diamond:
                    tier: critical
                    relative_guard: 0.1
                    metric: acc,none
                    n: 198
                    samples: gpqa_diamond_cot
                  perplexity:
                    direction: lower
                """);

        TaskPolicy gpqa = policy.forTask("gpqa_diamond", 0.01);
        TaskPolicy perplexity = policy.forTask("perplexity", 0.01);
        TaskPolicy other = policy.forTask("mmlu", 0.01);

        assertThat(gpqa).isEqualTo(new TaskPolicy(Tier.CRITICAL, 0.02, Direction.HIGHER, 0.1, "acc,none", 198L,
                "gpqa_diamond_cot"));
        assertThat(perplexity.direction()).isEqualTo(Direction.LOWER);
        assertThat(perplexity.tier()).isEqualTo(Tier.SUPPORTING);
        assertThat(other).isEqualTo(new TaskPolicy(Tier.SUPPORTING, 0.02, Direction.HIGHER, null, null, null, null));
    }

    @Test
    public void shouldUseTheCommandThresholdWhenThePolicyHasNone() throws IOException {
        NoisePolicy policy = policy("tasks:\n  mmlu:\n    tier: advisory\n");

        assertThat(policy.forTask("mmlu", 0.03).threshold()).isEqualTo(0.03);
        assertThat(NoisePolicy.none().forTask("mmlu", 0.01)).isEqualTo(TaskPolicy.standard(0.01));
    }

    @Test
    public void shouldLowerTheLimitForLowBaselinesWithTheRelativeGuard() {
        TaskPolicy guarded = new TaskPolicy(Tier.CRITICAL, 0.01, Direction.HIGHER, 0.1, null, null, null);

        assertThat(guarded.limit(0.05)).isCloseTo(0.005, within(1e-15));
        assertThat(guarded.limit(0.80)).isEqualTo(0.01);
    }

    @Test
    public void shouldRejectAnUnknownKey() {
        assertThatThrownBy(() -> policy("tasks:\n  mmlu:\n    treshold: 0.02\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("policy.yaml: tasks.mmlu.treshold: is not a policy key");
    }

    @Test
    public void shouldRejectAMisspeltTier() {
        assertThatThrownBy(() -> policy("tasks:\n  mmlu:\n    tier: crtical\n"))
                .hasMessageContaining("tasks.mmlu.tier: must be one of critical, supporting, advisory");
    }

    @Test
    public void shouldRejectANegativeThresholdAndAFractionalItemCount() {
        assertThatThrownBy(() -> policy("defaults:\n  threshold: -0.01\n"))
                .hasMessageContaining("defaults.threshold: must be at least 0");
        assertThatThrownBy(() -> policy("tasks:\n  mmlu:\n    n: 19.5\n"))
                .hasMessageContaining("tasks.mmlu.n: must be a whole number");
    }

    @Test
    public void shouldRejectPerTaskKeysInTheDefaults() {
        assertThatThrownBy(() -> policy("defaults:\n  n: 100\n"))
                .hasMessageContaining("defaults.n: is not a policy key");
    }

    @Test
    public void shouldRejectATaskTheScoreFilesDoNotHave() throws IOException {
        NoisePolicy policy = policy("tasks:\n  mmlu_pro:\n    tier: critical\n");

        assertThatThrownBy(() -> policy.requireKnownTasks(List.of("mmlu", "gsm8k")))
                .hasMessageContaining("tasks.mmlu_pro: is not a task in the score files");
    }

    @Test
    public void shouldLetOnlyAdvisoryTasksNeverBlock() {
        assertThat(Tier.ADVISORY.blocks(Verdict.BREACH, 0.05, 0.01)).isFalse();
        assertThat(Tier.CRITICAL.blocks(Verdict.INSUFFICIENT_EVIDENCE, 0.0, 0.01)).isTrue();
        assertThat(Tier.SUPPORTING.blocks(Verdict.BREACH, 0.05, 0.01)).isTrue();
        assertThat(Tier.SUPPORTING.blocks(Verdict.INSUFFICIENT_EVIDENCE, 0.005, 0.01)).isFalse();
        assertThat(Tier.SUPPORTING.blocks(Verdict.INSUFFICIENT_EVIDENCE, 0.02, 0.01)).isTrue();
    }
}
