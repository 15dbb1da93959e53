package dev.day0.slurm;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs one command and collects what it printed. The Slurm client talks to the cluster only through this, so tests
 * can replay recorded outputs and the real runner can go through a remote prefix such as {@code ssh login-node}.
 */
public interface CommandRunner {

    /** How a command ended. exitCode is -1 when it could not start or timed out; problem then says why. */
    record Result(int exitCode, String stdout, String stderr, String problem) {
        public Result {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }

        public boolean succeeded() {
            return exitCode == 0 && problem == null;
        }

        /** The first non-blank line of stderr, else of the problem, for one-line error messages. */
        public String firstError() {
            for (String text : new String[] {stderr, problem, stdout}) {
                if (text == null) {
                    continue;
                }
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) {
                        return line.strip();
                    }
                }
            }
            return "exit " + exitCode + " with no output";
        }
    }

    /**
     * Runs argv with stdin (null for none) and the given variables added to this process's environment.
     *
     * @throws InterruptedException when the calling thread is interrupted (the run is being aborted); the
     *                              command is ended first
     */
    Result run(List<String> argv, String stdin, Map<String, String> environment, Duration timeout)
            throws InterruptedException;
}
