package dev.day0.cli.serving;

import dev.day0.cli.ExitCodeFamily;
import dev.day0.cli.Console;
import dev.day0.cli.EngineCommand;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.OutFile;
import dev.day0.cli.Subcommands;
import dev.day0.core.CommonExit;
import dev.day0.evidence.serving.ServingEvidence;
import dev.day0.evidence.serving.ServingProbe;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 probe serving}: evidence that a model server answers before an evaluation is trusted to it. */
@Command(name = "probe",
        description = "Collect evidence from a running service.",
        mixinStandardHelpOptions = true,
        footer = {"", "Exit code 0 is healthy, 1 unhealthy (the evidence says why)."})
@ExitCodeFamily(CommonExit.class)
@Subcommands({ProbeCommand.Serving.class})
public final class ProbeCommand {
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(7 * 24 * 3600);

    private ProbeCommand() {
    }

    @Command(name = "serving", mixinStandardHelpOptions = true,
            description = {"Probe a vLLM OpenAI-compatible server: poll GET /health until it answers 200, then "
                    + "GET /v1/models, then one greedy completion of \"" + ServingProbe.PROMPT + "\".",
                "Writes evidence JSON {healthy, detail, url, model, checks[{name, status, http_status, "
                        + "latency_ms}]} for 'day0 gate run --serving'."},
            footer = {"", "Exit code 0 is healthy, 1 unhealthy (the evidence says why)."})
    public static final class Serving extends EngineCommand {
        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "Server root, e.g. http://127.0.0.1:8000 (an OpenAI base URL ending in /v1 is "
                        + "accepted).")
        String url;

        @Option(names = "--model", paramLabel = "NAME",
                description = "The model that must be served (default: the first one /v1/models lists).")
        String model;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "How long to wait for /health to answer 200 (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5",
                description = "Pause between /health attempts; decimals allowed (default: ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "Longest wait for one answer, the completion included (default: ${DEFAULT-VALUE}).")
        String requestTimeout;

        @Option(names = "--expect", paramLabel = "TEXT",
                description = "Text the completion must contain, case-insensitive (e.g. Paris).")
        String expect;

        @Option(names = "--api-key-env", paramLabel = "VAR",
                description = "Environment variable holding the server's API key (vLLM --api-key); sent as a "
                        + "bearer token, never written.")
        String apiKeyEnv;

        @Mixin
        OutFile out = new OutFile();

        @Override
        public Integer call() {
            URI root = ServingProbe.serverRoot(url);
            if (model != null && model.isBlank()) {
                throw new InputException("--model", "", "is empty");
            }
            if (expect != null && expect.isBlank()) {
                throw new InputException("--expect", "", "is empty");
            }
            String apiKey = null;
            Redactor redactor = console().redactor();
            if (apiKeyEnv != null) {
                apiKey = env().get(apiKeyEnv);
                if (apiKey == null || apiKey.isBlank()) {
                    throw new InputException("--api-key-env", "", "environment variable " + apiKeyEnv
                            + " is not set or empty");
                }
                apiKey = apiKey.trim();
                redactor = redactor.and(Set.of(apiKey));
            }
            ServingProbe probe = new ServingProbe(seconds("--timeout", timeout), seconds("--interval", interval),
                    seconds("--request-timeout", requestTimeout), apiKey);
            Instant checkedAt = Instant.now();
            ServingEvidence evidence = probe.probe(root, model, expect);

            // A server may echo the key back in an error body; mask it in every value before anything is written.
            ObjectNode document = (ObjectNode) redactor.redactJson(evidence.toJson(root.toString(), checkedAt));
            int code = out.answer(console(), document, evidence.healthy() ? CommonExit.OK : CommonExit.FAILED);
            console().info("day0 probe serving: " + (evidence.healthy() ? "healthy" : "UNHEALTHY") + ": "
                    + redactor.redact(evidence.detail()));
            return code;
        }

        private static Duration seconds(String option, String value) {
            BigDecimal parsed;
            try {
                parsed = new BigDecimal(value.trim());
            } catch (NumberFormatException e) {
                throw new InputException(option, "", "must be a number of seconds, found \"" + value + "\"");
            }
            if (parsed.signum() <= 0) {
                throw new InputException(option, "", "must be more than 0 seconds, found " + value);
            }
            if (parsed.compareTo(MAX_SECONDS) > 0) {
                throw new InputException(option, "", "must be at most " + MAX_SECONDS + " seconds, found " + value);
            }
            long millis = parsed.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            return Duration.ofMillis(millis);
        }
    }
}
