package dev.day0.release;

import dev.day0.redact.Redactor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs a {@code local} stage's command: a subprocess with a timeout, its stdout and stderr merged and streamed line
 * by line, redacted, to the console and to a log file. On timeout the whole process tree is ended, so a script's
 * children do not outlive the stage.
 */
final class LocalCommand {
    /** Longest line kept whole; longer output is split, so one endless line cannot exhaust memory. */
    static final int MAX_LINE = 4096;
    private static final long GRACE_MILLIS = 5_000;

    /** How the command ended. exitCode is -1 when it timed out or could not start. */
    record Outcome(int exitCode, boolean timedOut, String startError, double elapsedSeconds) {
        boolean succeeded() {
            return !timedOut && startError == null && exitCode == 0;
        }
    }

    private LocalCommand() {
    }

    static Outcome run(List<String> argv, Path cwd, Map<String, String> environment, long timeoutSeconds,
                       Path logFile, Redactor redactor, Consumer<String> onLine) {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            return new Outcome(-1, false, "cannot create " + logFile.getParent() + ": " + e.getMessage(), 0);
        }
        try (BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                String problem = "cannot start " + argv.get(0) + ": " + e.getMessage();
                writeLog(log, redactor.redact(problem));
                return new Outcome(-1, false, problem, seconds(start));
            }
            AtomicLong lastActivity = new AtomicLong(System.nanoTime());
            Thread pump = new Thread(() -> pump(process.getInputStream(), log, redactor, onLine, lastActivity),
                    "day0-local-output");
            pump.setDaemon(true);
            pump.start();
            boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                killTree(process);
            }
            drain(pump, lastActivity);
            int exit = finished ? process.exitValue() : -1;
            String last = finished ? "exit " + exit : "timed out after " + timeoutSeconds + " s: process tree ended";
            writeLog(log, "# day0: " + last);
            return new Outcome(exit, !finished, null, seconds(start));
        } catch (IOException e) {
            return new Outcome(-1, false, "cannot write the log " + logFile + ": " + e.getMessage(), seconds(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, false, "interrupted", seconds(start));
        }
    }

    private static void killTree(Process process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until the output is fully read. The pipe closes when the command and every child holding it have
     * ended; a background child that keeps it open but prints nothing more is not waited for.
     */
    private static void drain(Thread pump, AtomicLong lastActivity) throws InterruptedException {
        while (pump.isAlive()) {
            pump.join(200);
            if ((System.nanoTime() - lastActivity.get()) / 1_000_000 > GRACE_MILLIS) {
                return;
            }
        }
    }

    private static void pump(InputStream stream, BufferedWriter log, Redactor redactor, Consumer<String> onLine,
                             AtomicLong lastActivity) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader reader = new InputStreamReader(stream, decoder)) {
            StringBuilder line = new StringBuilder();
            int ch;
            while ((ch = reader.read()) >= 0) {
                lastActivity.set(System.nanoTime());
                if (ch == '\n' || line.length() >= MAX_LINE) {
                    if (ch != '\n') {
                        line.append((char) ch);
                    }
                    emit(line, log, redactor, onLine);
                    lastActivity.set(System.nanoTime());
                } else if (ch != '\r') {
                    line.append((char) ch);
                }
            }
            if (line.length() > 0) {
                emit(line, log, redactor, onLine);
            }
        } catch (IOException e) {
            // The process was ended; what it printed so far is already logged.
        }
    }

    private static void emit(StringBuilder line, BufferedWriter log, Redactor redactor, Consumer<String> onLine) {
        String text = redactor.redact(line.toString());
        line.setLength(0);
        writeLog(log, text);
        onLine.accept(text);
    }

    private static void writeLog(BufferedWriter log, String text) {
        synchronized (log) {
            try {
                log.write(text);
                log.newLine();
                log.flush();
            } catch (IOException e) {
                // A full disk must not kill the stage; the console still shows the output.
            }
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
