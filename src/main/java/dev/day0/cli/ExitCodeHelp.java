package dev.day0.cli;

import dev.day0.core.ExitCode;
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

    /**
     * The rows of the list: code, then name and meaning. Built for every command of a call, help or not, so it
     * stays clear of String.format and streams, whose first use costs a gate call milliseconds of class loading.
     */
    static Map<String, String> list(ExitCodeFamily family) {
        Map<String, String> rows = new LinkedHashMap<>();
        int[] codes = family.codes();
        for (ExitCode exit : family.value().getEnumConstants()) {
            if (codes.length == 0 || contains(codes, exit.code())) {
                rows.put(rightAligned(exit.code()), exit.name() + ": " + exit.meaning());
            }
        }
        return rows;
    }

    private static boolean contains(int[] codes, int code) {
        for (int c : codes) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }

    /** The code right-aligned in three columns, as {@code %3d} prints it. */
    static String rightAligned(int code) {
        String digits = Integer.toString(code);
        return digits.length() >= 3 ? digits : "   ".substring(digits.length()) + digits;
    }
}
