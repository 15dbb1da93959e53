package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local canary server that outlived the day0 that started it. A SIGKILLed day0 runs no shutdown hook, so its
 * server keeps the GPUs and the port; what it was is recorded in {@value #FILE} in the work directory while it
 * runs (its pid and start instant, and those of the day0 that started it). The next run or resume on that work
 * directory ends it, but only while it is still the same process (same pid and same start instant, so a reused pid
 * is never touched) and the day0 that started it is gone (so a run still going is never disturbed).
 */
final class CanaryLeftover {
    static final String FILE = "canary-server.json";
    /** The state.json note (stages.canary) that records a leftover server ended. */
    static final String NOTE = "leftover_server_ended";
    private static final long GRACE_SECONDS = 5;

    private CanaryLeftover() {
    }

    /** Records the server just started, before anything can kill this day0. */
    static void record(Path workdir, Process server, List<String> command, Redactor redactor) {
        ObjectNode json = Json.object();
        json.put("schema", "day0.canary.server/v1");
        json.put("pid", server.pid());
        json.put("started_at", startOf(server.toHandle()).map(Instant::toString).orElse(null));
        json.put("command", String.join(" ", command));
        ProcessHandle self = ProcessHandle.current();
        json.put("day0_pid", self.pid());
        json.put("day0_started_at", startOf(self).map(Instant::toString).orElse(null));
        new RedactingWriter(redactor).text(workdir.resolve(FILE), Json.write(json) + "\n");
    }

    /** The server was ended by the day0 that started it: nothing is left over. */
    static void cleared(Path workdir) {
        try {
            Files.deleteIfExists(workdir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ends the recorded server when it is a leftover; returns what was done (for state.json and the console), or
     * null when nothing was recorded. A record whose server is gone, or is now another process, is dropped.
     */
    static String end(Path workdir) {
        Path file = workdir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode json = Json.read(file);
        long pid = json.path("pid").asLong(-1);
        String started = json.path("started_at").asText(null);
        if (alive(json.path("day0_pid").asLong(-1), json.path("day0_started_at").asText(null)).isPresent()) {
            // The day0 that started it still runs (another process on this work directory): not a leftover.
            return null;
        }
        Optional<ProcessHandle> server = alive(pid, started);
        String what;
        if (server.isEmpty()) {
            what = "the canary server recorded in " + file + " (pid " + pid + ", started " + started
                    + ") had already ended";
        } else {
            List<ProcessHandle> tree = server.get().descendants().toList();
            tree.forEach(ProcessHandle::destroy);
            server.get().destroy();
            try {
                server.get().onExit().get(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                server.get().destroyForcibly();
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            what = "ended the canary server a killed day0 left running (pid " + pid + ", started " + started
                    + ", " + tree.size() + " descendant(s)): " + json.path("command").asText("");
        }
        cleared(workdir);
        return what;
    }

    /** The process with this pid, when it is alive and started at the recorded instant. */
    private static Optional<ProcessHandle> alive(long pid, String startedAt) {
        if (pid <= 0 || startedAt == null) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(handle -> startOf(handle).map(Instant::toString).filter(startedAt::equals).isPresent());
    }

    private static Optional<Instant> startOf(ProcessHandle handle) {
        return handle.info().startInstant();
    }
}
