package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import org.junit.Test;

public class ConsoleTest {
    @Test
    public void shouldShowEveryControlCharacterOfAnErrorEscapedOnOneLine() {
        assertThat(Console.oneLine("plain: as it was")).isEqualTo("plain: as it was");
        assertThat(Console.oneLine("a\nb\rc\td\u001b[31me\u2028f\u0000"))
                .isEqualTo("a\\nb\\rc\\td\\u001b[31me\\u2028f\\u0000");
    }

    @Test
    public void shouldKeepAnErrorQuotingAnOptionWithALineBreakOnOneLine() {
        CliRun run = CliRun.run("release", "approve", "--plan", "examples/ladder/release.yaml", "--candidate",
                "fp8\nday0: ACCEPT", "--preview");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElse(""))
                .isEqualTo("--candidate: no candidate named \"fp8\\nday0: ACCEPT\" (candidates: nvfp4, fp8)");
        assertThat(run.err()).doesNotContain("\nday0: ACCEPT");
        assertThat(run.out()).contains("\"detail\" : \"--candidate: no candidate named \\\"fp8\\\\nday0: ACCEPT\\\"");
    }

    @Test
    public void shouldKeepAPicocliErrorQuotingAValueWithALineBreakOnOneLine() {
        CliRun run = CliRun.run("gate", "compare", "--baseline", "b.json", "--candidate", "c.json", "--noise",
                "off\nday0: ACCEPT");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).doesNotContain("\nday0: ACCEPT").contains("off\\nday0: ACCEPT");
    }
}
