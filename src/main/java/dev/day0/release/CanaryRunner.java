package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.evidence.serving.ServingCanary;
import dev.day0.evidence.serving.ServingProbe;
import dev.day0.io.InputException;
import dev.day0.io.LineLog;
import dev.day0.io.RedactingWriter;
import dev.day0.publish.CheckpointFingerprint;
import dev.day0.slurm.JobStateFile;
import dev.day0.slurm.SlurmClient;
import dev.day0.slurm.SlurmJobSpec;
import dev.day0.slurm.SlurmJobs;
import dev.day0.slurm.SlurmOptions;
import dev.day0.core.FailureClass;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The serving canary's work: start the server for the as-exported checkpoint (a local process, or a Slurm job),
 * find its address, probe it in-process with {@link ServingCanary}, then end the server. Its evidence is the
 * canary's verdict ({@code canary.json}, servable or not, every path explicit), the server's log and the
 * checkpoint's fingerprint taken right before the server read it; {@code canary_gate} judges the verdict.
 *
 * <p>The server learns where to announce itself from {@code DAY0_CANARY_URL_FILE}: it writes its root URL
 * ({@code http://host:port}) there once it listens, which is how a Slurm job on a node day0 cannot predict is
 * found. A plan that fixes {@code probe.url} needs no file. A local server also gets {@code DAY0_CANARY_PORT}, a
 * loopback port that was free when the stage started.
 */
final class CanaryRunner implements StageRunner {
    static final String URL_FILE = "server-url";
    static final String VERDICT_FILE = "canary.json";
    static final String FINGERPRINT_FILE = "checkpoint-fingerprint.json";
    private static final long URL_POLL_MILLIS = 200;

    private final CanaryPlan canary;

    CanaryRunner(CanaryPlan canary) {
        this.canary = canary;
    }

    /** The server being probed, however it runs. */
    private interface Server {
        /** The server's process (or a view of its job), so its end stops the wait; null when it cannot start. */
        Process process();

        /** The server's log as a file day0 can read. */
        Path log();

        /** The URL file's content, or null while the server has not written it. */
        String readUrlFile(Path file) throws InterruptedException;

        /** Ends the server; what it printed so far stays in its log. */
        void stop() throws InterruptedException;
    }

    @Override
    public StepResult run(StageContext ctx) {
        ReleasePlan.StageSpec spec = canary.stage();
        Stage stage = Stage.CANARY;
        Path stageDir = ctx.stageDir(stage);
        boolean slurm = spec.runner() == ReleasePlan.Runner.SLURM;
        int attempt = slurm ? SlurmJobRunner.attempt(ctx, stage) : ctx.state().runs(stage);
        Path jobState = SlurmJobRunner.jobDir(ctx).resolve(stage.key() + "-a" + attempt + ".json");
        if (!slurm || !Files.exists(jobState)) {
            StageContext.deleteTree(stageDir);
        }
        StageContext.createDirectories(stageDir);
        Path checkpoint = checkpoint(ctx);
        Path fingerprintFile = stageDir.resolve(FINGERPRINT_FILE);
        ctx.writeOutput(fingerprintFile, CheckpointFingerprint.of(checkpoint).toJson());
        ctx.output("checkpoint_fingerprint", fingerprintFile);

        Path urlFile = stageDir.resolve(URL_FILE);
        Map<String, String> variables = new HashMap<>(LocalProcessRunner.day0Variables(ctx, stage, stageDir,
                attempt));
        variables.put("DAY0_CHECKPOINT", checkpoint.toString());
        variables.put("DAY0_CANARY_URL_FILE", urlFile.toString());
        List<String> argv = new ArrayList<>();
        List<String> command = slurm ? spec.slurm().command() : spec.local().command();
        for (String arg : command) {
            argv.add(LocalProcessRunner.substitute(ctx, arg, stageDir));
        }
        ServingCanary probe = new ServingCanary(canary.settings(ctx.env()), ctx.redactor());
        Progress progress = ctx.progress();
        progress.stage(stage, (slurm ? "slurm" : "local") + ": serving " + checkpoint + " with "
                + String.join(" ", argv) + " (ceiling " + canary.ceiling().toSeconds() + " s, log "
                + ctx.logFile(stage) + ")");
        progress.waiting("canary: waiting for the server");
        Server server = null;
        ServingCanary.Result result;
        String url = canary.url();
        try {
            server = slurm ? slurmServer(ctx, argv, variables, stageDir, attempt, jobState)
                    : localServer(ctx, argv, variables, stageDir);
            long deadline = System.nanoTime() + canary.ceiling().toNanos();
            if (url == null) {
                url = awaitUrl(server, urlFile, deadline);
            }
            if (url == null) {
                Process process = server.process();
                String exit = process.isAlive() ? null : "exited with code " + process.exitValue();
                result = probe.notServed(exit == null ? "the server wrote no URL to DAY0_CANARY_URL_FILE ("
                        + urlFile + ") within the ceiling of " + canary.ceiling().toSeconds() + " s"
                        : "the server process " + exit + " before it wrote its URL (see the server log)",
                        server.log(), exit);
            } else {
                URI root;
                try {
                    root = ServingProbe.serverRoot(url);
                } catch (InputException e) {
                    return StepResult.failed(FailureClass.USER_CONFIG_ERROR, "the server wrote \"" + url
                            + "\" to " + urlFile + ": not an http(s) URL with a host");
                }
                result = probe.check(root, server.log(), server.process());
            }
        } catch (ServerNotStarted e) {
            return StepResult.failed(e.failureClass, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = null;
        } finally {
            progress.doneWaiting();
            stopQuietly(server);
        }
        // An interrupt (SIGINT/SIGTERM) is cleared here so the verdict and closeout can still be written.
        if (Thread.interrupted() || result == null) {
            return StepResult.failed(FailureClass.UNKNOWN, "the run was interrupted while the canary waited; "
                    + "the server was ended");
        }
        result = probe.withFreshLogTail(result);
        Path verdict = stageDir.resolve(VERDICT_FILE);
        ObjectNode json = result.toJson(url, Instant.now());
        json.put("checkpoint", checkpoint.toString());
        ctx.writeOutput(verdict, json);
        ctx.output("canary", verdict);
        ctx.output("server_log", server.log());
        progress.output(stage.key(), result.resultLine());
        return StepResult.ok("the canary ended with an explicit result: " + result.resultLine());
    }

    /** The checkpoint served: the plan's {@code probe.checkpoint}, else what the ptq gate inspected. */
    private Path checkpoint(StageContext ctx) {
        PathTemplate template = canary.checkpoint() != null ? canary.checkpoint()
                : ctx.plan().ptq().evidence().output();
        Path dir = ctx.resolve(template, Stage.PTQ);
        if (!Files.isDirectory(dir)) {
            throw new InputException(ctx.plan().file().toString(), canary.checkpoint() != null
                    ? CanaryPlan.FIELD + ".probe.checkpoint" : "stages.ptq.evidence.output", dir
                    + " is not a directory: there is no checkpoint to serve");
        }
        return dir;
    }

    /** Waits for the URL file until the deadline or the server's end; null when neither gave an address. */
    private static String awaitUrl(Server server, Path urlFile, long deadline) throws InterruptedException {
        while (true) {
            String text = server.readUrlFile(urlFile);
            if (text != null && !text.isBlank()) {
                return text.strip();
            }
            if (!server.process().isAlive() || System.nanoTime() >= deadline) {
                text = server.readUrlFile(urlFile);
                return text == null || text.isBlank() ? null : text.strip();
            }
            Thread.sleep(URL_POLL_MILLIS);
        }
    }

    private static void stopQuietly(Server server) {
        if (server == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            server.stop();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------ local

    private Server localServer(StageContext ctx, List<String> argv, Map<String, String> variables, Path stageDir)
            throws ServerNotStarted {
        ReleasePlan.LocalSpec local = canary.stage().local();
        Path cwd = local.cwd() == null ? ctx.plan().dir() : local.cwd().resolve(ctx.plan().dir(), ctx.workdir(),
                stageDir);
        if (!Files.isDirectory(cwd)) {
            throw new ServerNotStarted(FailureClass.USER_CONFIG_ERROR, ctx.plan().file() + ": "
                    + CanaryPlan.FIELD + ".cwd: " + cwd + " is not a directory");
        }
        Map<String, String> env = new HashMap<>(ctx.env());
        env.keySet().removeIf(name -> name.startsWith("DAY0_"));
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.putAll(variables);
        env.put("DAY0_CANARY_PORT", Integer.toString(freePort()));
        env.putAll(local.env());
        ProcessBuilder builder = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        Path log = ctx.logFile(Stage.CANARY);
        LineLog writer;
        Process process;
        try {
            writer = new RedactingWriter(ctx.redactor()).appendLog(log);
        } catch (IOException e) {
            throw new ServerNotStarted(FailureClass.UNKNOWN, "cannot write the log " + log + ": " + e.getMessage());
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            closeQuietly(writer);
            throw new ServerNotStarted(FailureClass.USER_CONFIG_ERROR, "the server command could not run: cannot "
                    + "start " + argv.get(0) + ": " + e.getMessage());
        }
        AtomicLong activity = new AtomicLong(System.nanoTime());
        Thread pump = new Thread(() -> LocalProcessRunner.pump(process.getInputStream(), writer,
                line -> ctx.progress().output(Stage.CANARY.key(), line), activity), "day0-canary-output");
        pump.setDaemon(true);
        pump.start();
        // A day0 ended by SIGTERM or SIGINT while the canary waits must not leave the server holding the GPUs.
        Thread reaper = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, "day0-canary-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        return new Server() {
            @Override
            public Process process() {
                return process;
            }

            @Override
            public Path log() {
                return log;
            }

            @Override
            public String readUrlFile(Path file) {
                return readLocal(file);
            }

            @Override
            public void stop() throws InterruptedException {
                try {
                    if (process.isAlive()) {
                        LocalProcessRunner.killTree(process);
                    }
                    LocalProcessRunner.drain(pump, activity);
                } finally {
                    closeQuietly(writer);
                    try {
                        Runtime.getRuntime().removeShutdownHook(reaper);
                    } catch (IllegalStateException shuttingDown) {
                        // The hook is running already and ends the same process.
                    }
                }
            }
        };
    }

    private static int freePort() throws ServerNotStarted {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ServerNotStarted(FailureClass.INFRA_TRANSIENT, "no free loopback port for the server: "
                    + e.getMessage());
        }
    }

    private static String readLocal(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(LineLog writer) {
        try {
            writer.close();
        } catch (IOException e) {
            // The log is already flushed line by line.
        }
    }

    // ------------------------------------------------------------------------------------------------ slurm

    /**
     * The server as one Slurm job, submitted at most once per attempt as any slurm stage is ({@link SlurmJobs}):
     * a resume while the job runs re-attaches to it. The job is followed on a thread of its own while the probe
     * runs; the canary cancels it once it has its verdict.
     */
    private Server slurmServer(StageContext ctx, List<String> argv, Map<String, String> variables, Path stageDir,
                               int attempt, Path jobState) throws ServerNotStarted {
        ReleasePlan.SlurmSpec slurm = canary.stage().slurm();
        Stage stage = Stage.CANARY;
        StageContext.createDirectories(SlurmJobRunner.jobDir(ctx));
        Path output = SlurmJobRunner.jobDir(ctx).resolve(stage.key() + "-a" + attempt + ".out");
        SlurmOptions options = slurm.options();
        if (options.workdir() == null) {
            options = new SlurmOptions(options.cluster(), options.partition(), options.account(), options.qos(),
                    options.nodes(), options.gpus(), options.gres(), options.time(), options.constraint(),
                    options.extra(), options.environment(), ctx.plan().dir().toString());
        }
        String runKey = ctx.workdir() + "@" + ctx.state().toJson().path("created_at").asText();
        SlurmJobSpec job;
        try {
            job = new SlurmJobSpec(ctx.plan().name(), stage.key(), attempt, runKey, argv, variables, options,
                    output.toString());
        } catch (IllegalArgumentException e) {
            throw new ServerNotStarted(FailureClass.USER_CONFIG_ERROR, ctx.plan().file() + ": " + CanaryPlan.FIELD
                    + ": " + e.getMessage());
        }
        SlurmClient client = SlurmJobRunner.clients.apply(slurm.prefix());
        SlurmJobs jobs = new SlurmJobs(client, ctx.redactor(), SlurmJobs.realTime(),
                Duration.ofMillis((long) (slurm.pollIntervalSeconds() * 1000)));
        Path log = ctx.logFile(stage);
        LineLog writer;
        try {
            writer = new RedactingWriter(ctx.redactor()).appendLog(log);
        } catch (IOException e) {
            throw new ServerNotStarted(FailureClass.UNKNOWN, "cannot write the log " + log + ": " + e.getMessage());
        }
        AtomicReference<SlurmJobs.Result> ended = new AtomicReference<>();
        Thread follower = new Thread(() -> ended.set(jobs.submitOrAttach(job, jobState, ctx.env(),
                new SlurmJobs.Listener() {
                    @Override
                    public void onOutput(String line) {
                        writer.append(line);
                        ctx.progress().output(stage.key(), line);
                    }

                    @Override
                    public void onEvent(String message) {
                        writer.append("# day0: " + message);
                        ctx.progress().output(stage.key(), message);
                    }
                })), "day0-canary-slurm");
        follower.setDaemon(true);
        follower.start();
        Process view = new SlurmJobProcess(follower, ended);
        return new Server() {
            @Override
            public Process process() {
                return view;
            }

            @Override
            public Path log() {
                return log;
            }

            @Override
            public String readUrlFile(Path file) throws InterruptedException {
                if (slurm.prefix().isEmpty()) {
                    return readLocal(file);
                }
                String text = client.readOutput(file.toString(), 0).text();
                return text == null || text.isEmpty() ? null : text;
            }

            @Override
            public void stop() throws InterruptedException {
                try {
                    JobStateFile state = JobStateFile.readIfExists(jobState);
                    if (follower.isAlive() && state != null && state.jobId() != null) {
                        try {
                            client.cancel(state.jobId());
                            writer.append("# day0: the canary has its verdict; cancelled the server job "
                                    + state.jobId());
                        } catch (SlurmClient.SlurmException e) {
                            writer.append("# day0: could not cancel the server job " + state.jobId() + ": "
                                    + e.getMessage());
                        }
                    }
                    follower.join(Duration.ofSeconds(60).toMillis());
                    ctx.state().note(stage, SlurmJobRunner.ENDED_ATTEMPT, Integer.toString(attempt));
                    if (Files.isRegularFile(jobState)) {
                        ctx.output("slurm_job", jobState);
                    }
                } finally {
                    closeQuietly(writer);
                }
            }
        };
    }

    /** The server could not be started at all: no verdict on the checkpoint. */
    private static final class ServerNotStarted extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient FailureClass failureClass;

        ServerNotStarted(FailureClass failureClass, String message) {
            super(message);
            this.failureClass = failureClass;
        }
    }

}
