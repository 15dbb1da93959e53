package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import org.junit.Test;

/** The top-level command: it builds only the subcommand a command line names, and users must not notice. */
public class Day0Test {
    private static final String[] COMMAND_NAMES = {"release", "gate", "inspect", "probe", "mlflow", "rockie", "slurm", "sota",
        "triage", "publish", "report", "help"};

    @Test
    public void shouldListEveryCommandInTheTopLevelHelp() {
        CliRun run = CliRun.run("--help");

        assertThat(run.exitCode()).isZero();
        for (String name : COMMAND_NAMES) {
            assertThat(run.out()).as("day0 --help lists %s", name).containsPattern("(?m)^\\s+" + name + "\\s");
        }
    }

    @Test
    public void shouldGiveTheSameHelpForACommandThroughHelpAndThroughItsOwnOption() {
        CliRun viaHelp = CliRun.run("help", "gate");
        CliRun viaOption = CliRun.run("gate", "--help");

        assertThat(viaHelp.exitCode()).isZero();
        assertThat(viaHelp.out()).contains("Usage: day0 gate").isEqualTo(viaOption.out());
    }

    @Test
    public void shouldPrintTheVersionWithoutAnyCommand() {
        CliRun run = CliRun.run("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("day0 ");
    }

    @Test
    public void shouldRefuseAnUnknownCommandWithExitTwoAndAPointerToTheHelp() {
        CliRun run = CliRun.run("gat", "compare");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'gat'").contains("day0 --help");
    }

    @Test
    public void shouldRefuseNoCommandWithExitTwo() {
        assertThat(CliRun.run().exitCode()).isEqualTo(2);
    }
}
