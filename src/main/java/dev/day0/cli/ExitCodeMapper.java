package dev.day0.cli;

import dev.day0.core.CommonExit;
import dev.day0.io.InputException;
import dev.day0.redact.UnmaskableSecretException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Which exit code an exception that escaped a command ends the process with: unusable input (a bad file, field or
 * option, an unreadable path, a secret too short to mask) is 2; anything else is a defect in day0, 70.
 */
final class ExitCodeMapper implements CommandLine.IExitCodeExceptionMapper {
    @Override
    public int getExitCode(Throwable exception) {
        return exitFor(exception).code();
    }

    static CommonExit exitFor(Throwable exception) {
        if (exception instanceof InputException || exception instanceof UncheckedIOException
                || exception instanceof CommandLine.ParameterException
                || exception instanceof UnmaskableSecretException) {
            return CommonExit.INPUT;
        }
        return CommonExit.INTERNAL;
    }
}
