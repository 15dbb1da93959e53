package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import org.junit.Test;

/** The exit-code section of every command's help: codes right-aligned as picocli's own lists print them. */
public class ExitCodeHelpTest {
    @Test
    public void shouldAlignEveryCodeAsThreeColumnDecimalFormattingDoes() {
        for (int code : new int[] {0, 1, 2, 9, 10, 70, 99, 100, 255, 1000, -1, -42}) {
            assertThat(ExitCodeHelp.rightAligned(code)).as("code %d", code).isEqualTo(String.format("%3d", code));
        }
    }

    @Test
    public void shouldListTheCodesOfTheCommandsFamilyInItsHelp() {
        CliRun run = CliRun.run("gate", "compare", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Exit codes:").containsPattern("(?m)^ {4}0 {3}OK: ")
                .containsPattern("(?m)^ {3}70 {3}INTERNAL: ");
    }
}
