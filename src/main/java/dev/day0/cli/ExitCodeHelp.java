package dev.day0.cli;

import dev.day0.core.ExitCode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Feeds each command's {@link ExitCodeFamily} to picocli's exit-code list, so {@code --help} shows the codes from
 * the same enum that fills the {@code exit} object of the JSON result, instead of a hand-written footer.
 */
final class ExitCodeHelp {
    private ExitCodeHelp() {
    }

    /** Sets the exit-code section of {@code commandLine} and of every subcommand below it. */
    static void apply(CommandLine commandLine) {
        apply(commandLine, null);
    }

    private static void apply(CommandLine commandLine, ExitCodeFamily inherited) {
        ExitCodeFamily family = family(commandLine.getCommand(), inherited);
        if (family != null) {
            commandLine.getCommandSpec().usageMessage()
                    .exitCodeListHeading("%nExit codes:%n")
                    .exitCodeList(list(family));
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            apply(sub, family);
        }
    }

    private static ExitCodeFamily family(Object command, ExitCodeFamily inherited) {
        ExitCodeFamily own = command == null ? null : command.getClass().getAnnotation(ExitCodeFamily.class);
        return own != null ? own : inherited;
    }

    /** The rows of the list: code, then name and meaning. */
    static Map<String, String> list(ExitCodeFamily family) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (ExitCode exit : family.value().getEnumConstants()) {
            if (family.codes().length == 0 || Arrays.stream(family.codes()).anyMatch(c -> c == exit.code())) {
                rows.put(String.format("%3d", exit.code()), exit.name() + ": " + exit.meaning());
            }
        }
        return rows;
    }
}
