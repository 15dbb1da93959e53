package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import java.util.Map;
import org.junit.Test;
import picocli.CommandLine.Command;

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
    public void shouldDispatchEachNameToTheCommandThatCarriesIt() {
        assertThat(Day0.COMMANDS.keySet()).containsExactly(COMMAND_NAMES);
        for (Map.Entry<String, Class<?>> entry : Day0.COMMANDS.entrySet()) {
            Command command = entry.getValue().getAnnotation(Command.class);
            assertThat(command.name()).as("@Command(name) of %s", entry.getValue().getName()).isEqualTo(entry.getKey());
            assertThat(command.aliases()).as("aliases of %s (the name table has none)", entry.getKey()).isEmpty();
        }
    }

    @Test
    public void shouldRunACommandReachedByItsNameAsItsOwnHelpDescribesIt() {
        for (String name : COMMAND_NAMES) {
            if (name.equals("help")) {
                continue;
            }
            CliRun run = CliRun.run(name, "--help");
            assertThat(run.exitCode()).as("day0 %s --help", name).isZero();
            assertThat(run.out()).as("day0 %s --help", name).startsWith("Usage: day0 " + name + " ");
        }
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
