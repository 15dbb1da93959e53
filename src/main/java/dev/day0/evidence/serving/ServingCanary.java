package dev.day0.evidence.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.core.FailureClass;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The serving canary: before any evaluation, the as-exported checkpoint is served once and must answer
 * {@code /health} and one coherent generation, so an unservable export costs minutes instead of a multi-hour eval.
 * Built on {@link ServingProbe}; written so it cannot lie: the poll ceiling defaults above realistic load times
 * (a large MoE loads for ~50 min), every path ends in an explicit {@link Result} with a {@code RESULT:} line, a
 * server process that dies ends the wait at once, and the server log is kept and its tail quoted on failure.
 */
public final class ServingCanary {
    public static final String SCHEMA = "day0.serving-canary/1";
    /** Above the ~50 min a large MoE takes to load: a ceiling below the load time fails a good export. */
    public static final Duration DEFAULT_CEILING = Duration.ofMinutes(90);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(5);
    static final int LOG_TAIL_LINES = 30;
    private static final int LOG_TAIL_BYTES = 64 * 1024;
    private static final long WATCH_MILLIS = 200;

    /**
     * @param ceiling how long {@code /health} may take to answer 200 (the load time)
     * @param interval the pause between two {@code /health} attempts
     * @param requestTimeout the longest wait for one answer, the generation included
     * @param apiKey bearer token for the {@code /v1} routes, or null
     * @param model the model name the server must serve, or null for the first listed
     * @param expect text the generation must contain (case-insensitive), or null
     */
    public record Settings(Duration ceiling, Duration interval, Duration requestTimeout, String apiKey, String model,
                           String expect) {
        public static Settings defaults() {
            return new Settings(DEFAULT_CEILING, DEFAULT_INTERVAL, DEFAULT_REQUEST_TIMEOUT, null, null, null);
        }
    }

    /**
     * The canary's verdict. {@code failureClass} is null when the checkpoint served, else CHECKPOINT_NOT_SERVABLE.
     *
     * @param evidence the probe's evidence; null only when the server died before the probe finished
     * @param serverExit how the server process ended, or null when it was still running (or not watched)
     * @param serverLogTail the last lines of the server log (redacted), kept on failure; empty on success
     */
    public record Result(boolean servable, FailureClass failureClass, String detail, ServingEvidence evidence,
                         Path serverLog, boolean serverLogExists, List<String> serverLogTail, String serverExit,
                         Duration ceiling) {
        /** The line a person and a log scraper read first; present on every path. */
        public String resultLine() {
            return servable ? "RESULT: PASS " + detail : "RESULT: FAIL " + failureClass.name() + " " + detail;
        }

        public ObjectNode toJson(String url, Instant checkedAt) {
            ObjectNode json = Json.object();
            json.put("schema", SCHEMA);
            json.put("servable", servable);
            json.put("failure_class", failureClass == null ? null : failureClass.name());
            json.put("detail", detail);
            json.put("result", resultLine());
            json.put("ceiling_seconds", ceiling.toSeconds());
            if (serverExit == null) {
                json.putNull("server_exit");
            } else {
                json.put("server_exit", serverExit);
            }
            ObjectNode log = json.putObject("server_log");
            log.put("path", serverLog == null ? null : serverLog.toString());
            log.put("exists", serverLogExists);
            ArrayNode tail = log.putArray("tail");
            serverLogTail.forEach(tail::add);
            if (evidence == null) {
                json.putNull("probe");
            } else {
                json.set("probe", evidence.toJson(url, checkedAt));
            }
            return json;
        }
    }

    private final Settings settings;
    private final Redactor redactor;

    public ServingCanary(Settings settings, Redactor redactor) {
        this.settings = settings;
        this.redactor = redactor;
    }

    /**
     * Waits for the server at {@code root} and checks it.
     *
     * @param serverLog where the server writes its log (on shared storage, so it outlives the node), or null
     * @param server the server process when this JVM started it, so its death ends the wait; or null
     */
    public Result check(URI root, Path serverLog, Process server) {
        ServingProbe probe = new ServingProbe(settings.ceiling(), settings.interval(), settings.requestTimeout(),
                settings.apiKey());
        ServingEvidence evidence;
        String serverExit = null;
        if (server == null) {
            evidence = probe.probe(root, settings.model(), settings.expect());
        } else {
            ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "day0-serving-canary");
                thread.setDaemon(true);
                return thread;
            });
            try {
                Future<ServingEvidence> running = executor.submit(() -> probe.probe(root, settings.model(),
                        settings.expect()));
                evidence = null;
                while (evidence == null) {
                    try {
                        evidence = running.get(WATCH_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillProbing) {
                        if (!server.isAlive()) {
                            running.cancel(true);
                            serverExit = "exited with code " + server.exitValue();
                            break;
                        }
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("the serving probe failed unexpectedly", e.getCause());
                    } catch (InterruptedException e) {
                        running.cancel(true);
                        Thread.currentThread().interrupt();
                        return finish(false, null, "the canary was interrupted before the server answered",
                                serverLog, null);
                    }
                }
            } finally {
                executor.shutdownNow();
            }
        }
        if (evidence == null) {
            return finish(false, null, "the server process " + serverExit + " before /health answered 200"
                    + " (see the server log)", serverLog, serverExit);
        }
        if (!evidence.healthy()) {
            return finish(false, evidence, evidence.detail(), serverLog, serverExit);
        }
        String text = completionText(evidence);
        String incoherent = Coherence.problem(text);
        if (incoherent != null) {
            return finish(false, evidence, "the generation is not coherent: " + incoherent, serverLog, serverExit);
        }
        return finish(true, evidence, evidence.detail(), serverLog, serverExit);
    }

    /**
     * The verdict when the server never gave an address to probe (it ended first, or the ceiling passed): not
     * servable, with the server log's tail, as any other failed path.
     */
    public Result notServed(String detail, Path serverLog, String serverExit) {
        return finish(false, null, detail, serverLog, serverExit);
    }

    /**
     * The same verdict with the server log's tail read again, for a caller that has since ended the server and
     * waited for its output to be written in full (a server that dies prints its last lines as it exits).
     */
    public Result withFreshLogTail(Result result) {
        if (result.servable() || result.serverLog() == null) {
            return result;
        }
        boolean exists = Files.isRegularFile(result.serverLog());
        return new Result(false, result.failureClass(), result.detail(), result.evidence(), result.serverLog(),
                exists, exists ? tail(result.serverLog()) : List.of(), result.serverExit(), result.ceiling());
    }

    private Result finish(boolean servable, ServingEvidence evidence, String detail, Path serverLog,
                          String serverExit) {
        boolean logExists = serverLog != null && Files.isRegularFile(serverLog);
        List<String> tail = servable || !logExists ? List.of() : tail(serverLog);
        String fullDetail = detail;
        if (serverLog != null && !logExists) {
            fullDetail += "; the server log " + serverLog + " does not exist";
        }
        return new Result(servable, servable ? null : FailureClass.CHECKPOINT_NOT_SERVABLE, fullDetail, evidence,
                serverLog, logExists, tail, serverExit, settings.ceiling());
    }

    private static String completionText(ServingEvidence evidence) {
        for (ServingEvidence.Check check : evidence.checks()) {
            if (check.name().equals("completion")) {
                return check.extra().path("text").asText("");
            }
        }
        return "";
    }

    /** The last lines of the log, read from its end so a multi-gigabyte log costs nothing. */
    private List<String> tail(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, LOG_TAIL_BYTES);
            byte[] bytes = new byte[size];
            file.seek(length - size);
            file.readFully(bytes);
            List<String> lines = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8)
                    .split("\r?\n")));
            if (size < length && !lines.isEmpty()) {
                lines.remove(0);
            }
            List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return last.stream().map(redactor::redact).toList();
        } catch (IOException e) {
            return List.of("(the server log could not be read: " + e.getMessage() + ")");
        }
    }

    /**
     * Whether a greedy generation reads as language. A checkpoint whose weights load but are wrongly scaled or
     * mis-named answers 200 with garbage: replacement characters, no letters at all, or one token repeated.
     */
    static final class Coherence {
        private Coherence() {
        }

        /** The problem with {@code text}, or null when it is coherent enough to start an evaluation. */
        static String problem(String text) {
            String stripped = text == null ? "" : text.strip();
            if (stripped.isEmpty()) {
                return "it is empty";
            }
            if (stripped.indexOf('\uFFFD') >= 0) {
                return "it contains undecodable bytes (U+FFFD): \"" + stripped + "\"";
            }
            if (stripped.codePoints().noneMatch(Character::isLetter)) {
                return "it has no letters: \"" + stripped + "\"";
            }
            String[] words = stripped.toLowerCase(Locale.ROOT).split("\\s+");
            if (words.length >= 4 && Arrays.stream(words).distinct().count() == 1) {
                return "one word repeated: \"" + stripped + "\"";
            }
            if (stripped.length() >= 8 && stripped.codePoints().distinct().count() <= 2) {
                return "one character repeated: \"" + stripped + "\"";
            }
            return null;
        }
    }
}
