package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.io.LineLog;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import dev.day0.core.FailureClass;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@code local} stage: the plan's command as a subprocess with a timeout, its stdout and stderr merged and
 * streamed line by line, redacted, to the console and to the stage's log. On timeout the whole process tree is
 * ended, so a script's children do not outlive the stage. Exit 0 is done; a timeout or one of the plan's
 * transient exit codes is INFRA_TRANSIENT (retried by triage); any other exit is UNKNOWN.
 */
final class LocalProcessRunner implements StageRunner {
    /**
     * Longest line kept whole, so one endless line cannot exhaust memory. A longer line is split at its last space
     * (a secret never contains one, so no secret is cut in two and missed by the redactor); a run this long with
     * no space at all is a binary or base64 blob and is left out of the log, with a note saying so.
     */
    static final int MAX_LINE = 1 << 20;
    private static final long GRACE_MILLIS = 5_000;

    /** How the command ended. exitCode is -1 when it timed out or could not start. */
    record Outcome(int exitCode, boolean timedOut, String startError, double elapsedSeconds) {
        boolean succeeded() {
            return !timedOut && startError == null && exitCode == 0;
        }
    }

    private final ReleasePlan.StageSpec spec;

    LocalProcessRunner(ReleasePlan.StageSpec spec) {
        this.spec = spec;
    }

    @Override
    public StepResult run(StageContext ctx) {
        ReleasePlan.LocalSpec local = spec.local();
        Stage stage = spec.stage();
        Path stageDir = ctx.stageDir(stage);
        StageContext.deleteTree(stageDir);
        StageContext.createDirectories(stageDir);
        Path log = ctx.logFile(stage);
        List<String> argv = new ArrayList<>();
        for (String arg : local.command()) {
            argv.add(substitute(ctx, arg, stageDir));
        }
        ReleasePlan plan = ctx.plan();
        Path cwd = local.cwd() == null ? plan.dir() : local.cwd().resolve(plan.dir(), ctx.workdir(), stageDir);
        if (!Files.isDirectory(cwd)) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, plan.file() + ": stages." + spec.key()
                    + ".cwd: " + cwd + " is not a directory");
        }
        int run = ctx.state().runs(stage);
        Progress progress = ctx.progress();
        progress.stage(stage, "local: " + String.join(" ", argv) + " (timeout " + local.timeoutSeconds()
                + " s, run " + run + ", log " + log + ")");
        progress.waiting(spec.key() + " running");
        Outcome outcome;
        try {
            outcome = execute(argv, cwd, childEnvironment(ctx, stageDir, run), local.timeoutSeconds(), log,
                    ctx.redactor(), line -> progress.output(spec.key(), line));
        } finally {
            progress.doneWaiting();
        }
        String took = String.format(Locale.ROOT, " after %.1f s; log: %s", outcome.elapsedSeconds(), log);
        if (outcome.succeeded()) {
            return StepResult.ok("local command exited 0" + took);
        }
        if (outcome.startError() != null) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, "the command could not run: "
                    + outcome.startError());
        }
        if (outcome.timedOut()) {
            return StepResult.failed(FailureClass.INFRA_TRANSIENT, "timed out after " + local.timeoutSeconds()
                    + " s and was ended" + took);
        }
        if (local.transientExitCodes().contains(outcome.exitCode())) {
            return StepResult.failed(FailureClass.INFRA_TRANSIENT, "exited " + outcome.exitCode()
                    + " (a transient failure by the plan's transient_exit_codes)" + took);
        }
        return StepResult.failed(FailureClass.UNKNOWN, "exited " + outcome.exitCode() + took);
    }

    private Map<String, String> childEnvironment(StageContext ctx, Path stageDir, int run) {
        Map<String, String> child = new HashMap<>(ctx.env());
        child.keySet().removeIf(name -> name.startsWith("DAY0_"));
        child.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        child.putAll(day0Variables(ctx, spec.stage(), stageDir, run));
        child.putAll(spec.local().env());
        return child;
    }

    /** The variables day0 gives every stage command, whichever runner starts it; none is a secret. */
    static Map<String, String> day0Variables(StageContext ctx, Stage stage, Path stageDir, int run) {
        ReleasePlan plan = ctx.plan();
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("DAY0_WORKDIR", ctx.workdir().toString());
        vars.put("DAY0_PLAN_DIR", plan.dir().toString());
        vars.put("DAY0_STAGE", stage.key());
        vars.put("DAY0_STAGE_DIR", stageDir.toString());
        vars.put("DAY0_RUN", Integer.toString(run));
        vars.put("DAY0_MODEL", plan.model());
        vars.put("DAY0_RECIPE", plan.recipe());
        vars.put("DAY0_TASKS", String.join(",", plan.tasks()));
        if (stage != Stage.PTQ) {
            vars.put("DAY0_PTQ_DIR", ctx.stageDir(Stage.PTQ).toString());
        }
        return vars;
    }

    static String substitute(StageContext ctx, String text, Path stageDir) {
        return text.replace("{workdir}", ctx.workdir().toString()).replace("{stage_dir}", stageDir.toString())
                .replace("{plan_dir}", ctx.plan().dir().toString());
    }

    /** Runs one command to its end or its timeout; the log gets every line, redacted. */
    static Outcome execute(List<String> argv, Path cwd, Map<String, String> environment, long timeoutSeconds,
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
        try (LineLog log = new RedactingWriter(redactor).appendLog(logFile)) {
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                String problem = "cannot start " + argv.get(0) + ": " + e.getMessage();
                log.append(problem);
                return new Outcome(-1, false, problem, seconds(start));
            }
            AtomicLong lastActivity = new AtomicLong(System.nanoTime());
            Thread pump = new Thread(() -> pump(process.getInputStream(), log, onLine, lastActivity),
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
            log.append("# day0: " + last);
            return new Outcome(exit, !finished, null, seconds(start));
        } catch (IOException e) {
            return new Outcome(-1, false, "cannot write the log " + logFile + ": " + e.getMessage(), seconds(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, false, "interrupted", seconds(start));
        }
    }

    static void killTree(Process process) throws InterruptedException {
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
    static void drain(Thread pump, AtomicLong lastActivity) throws InterruptedException {
        while (pump.isAlive()) {
            pump.join(200);
            if ((System.nanoTime() - lastActivity.get()) / 1_000_000 > GRACE_MILLIS) {
                return;
            }
        }
    }

    static void pump(InputStream stream, LineLog log, Consumer<String> onLine, AtomicLong lastActivity) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader reader = new InputStreamReader(stream, decoder)) {
            StringBuilder line = new StringBuilder();
            int ch;
            while ((ch = reader.read()) >= 0) {
                lastActivity.set(System.nanoTime());
                if (ch == '\n') {
                    emit(line, log, onLine);
                    lastActivity.set(System.nanoTime());
                } else if (line.length() >= MAX_LINE) {
                    line.append((char) ch);
                    emitLongLine(line, log, onLine);
                    lastActivity.set(System.nanoTime());
                } else if (ch != '\r') {
                    line.append((char) ch);
                }
            }
            if (line.length() > 0) {
                emit(line, log, onLine);
            }
        } catch (IOException e) {
            // The process was ended; what it printed so far is already logged.
        }
    }

    /** Emits a line over {@link #MAX_LINE} up to its last space and keeps the rest, or drops a space-free blob. */
    static void emitLongLine(StringBuilder line, LineLog log, Consumer<String> onLine) {
        int cut = Math.max(line.lastIndexOf(" "), line.lastIndexOf("\t"));
        if (cut <= 0) {
            String note = "[day0: " + line.length() + " characters without a space left out of the log]";
            line.setLength(0);
            onLine.accept(log.append(note));
            return;
        }
        String rest = line.substring(cut + 1);
        line.setLength(cut);
        emit(line, log, onLine);
        line.append(rest);
    }

    /** The log redacts the line once; the console gets the same redacted text. */
    private static void emit(StringBuilder line, LineLog log, Consumer<String> onLine) {
        String text = log.append(line.toString());
        line.setLength(0);
        onLine.accept(text);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
