package dev.day0.cli.rockie;

import dev.day0.cli.ExitCodeFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.OutFile;
import dev.day0.cli.Subcommands;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.redact.UnmaskableSecretException;
import dev.day0.rockie.Approval;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.ApprovalLedger;
import dev.day0.rockie.Events;
import dev.day0.rockie.GpuType;
import dev.day0.rockie.JobSpec;
import dev.day0.rockie.Money;
import dev.day0.rockie.Preflight;
import dev.day0.rockie.Pricing;
import dev.day0.rockie.Quotes;
import dev.day0.rockie.Render;
import dev.day0.rockie.RockieClient;
import dev.day0.rockie.RockieConfig;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.RockieExit;
import dev.day0.rockie.SubmitFlow;
import dev.day0.rockie.SubmitRequest;
import dev.day0.rockie.TermSheet;
import dev.day0.rockie.TransientRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 rockie quote|render|approve|submit}: GPU jobs on the Rockie platform, gated by a term sheet. */
@Command(name = "rockie",
        description = "Run a GPU job on the Rockie platform: quote a term sheet, show it, approve it, submit it.",
        mixinStandardHelpOptions = true,
        footer = {"", "Environment: ROCKIELAB_API_URL, ROCKIELAB_TENANT_TOKEN, ROCKIELAB_TENANT_ID.",
            "See docs/rockie.md."})
@ExitCodeFamily(RockieExit.class)
@Subcommands({RockieCommand.Quote.class, RockieCommand.Render.class, RockieCommand.Approve.class,
    RockieCommand.Submit.class})
public final class RockieCommand {
    static final Set<String> MONITORING_PROFILES = SubmitRequest.MONITORING_PROFILES;
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern SECRET_NAME = SubmitRequest.SECRET_NAME;

    private RockieCommand() {
    }

    @Command(name = "quote", mixinStandardHelpOptions = true,
            description = "Quote a budget term sheet for a job spec from the platform's GPU market (or its price "
                    + "list when the market route is missing), or from a saved market response.",
            footer = {"", "The job spec (JSON, or YAML for .yaml/.yml): job_shape, gpu_type, gpu_count, region, "
                    + "tier, wallclock_minutes, optional budget_cents and confidence.",
                "Exit codes: 0 sheet printed (it may say unavailable), 2 bad spec or environment, 3 network, "
                        + "5 the platform refused or garbled the price request."})
    static final class Quote extends EngineCommand {
        @Option(names = "--job-spec", required = true, paramLabel = "FILE", description = "What to run.")
        Path jobSpec;

        @Option(names = "--market-json", paramLabel = "FILE",
                description = "A saved GET /api/gpu/market ({rows: [...]}) or /api/gpu/prices ({prices: {...}}) "
                        + "answer; no network call is made.")
        Path marketJson;

        @Mixin
        OutFile out = new OutFile();

        @Option(names = "--http-timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
        double httpTimeout;

        @Option(names = "--max-retries", paramLabel = "N", defaultValue = "5",
                description = "Retries of a failed price request (default: ${DEFAULT-VALUE}).")
        int maxRetries;

        @Option(names = "--retry-interval", paramLabel = "SECONDS", defaultValue = "1",
                description = "First retry delay, doubled each time (default: ${DEFAULT-VALUE}).")
        double retryInterval;

        @Override
        public Integer call() throws InterruptedException {
            Events events = new Events(console(), console().redactor());
            try {
                requirePositive("--http-timeout", httpTimeout);
                requirePositive("--retry-interval", retryInterval);
                requireNonNegative("--max-retries", maxRetries);
                JobSpec spec = JobSpec.read(jobSpec);
                Pricing pricing = marketJson != null ? fromFile(spec) : fromPlatform(spec, events);
                ObjectNode sheet = Quotes.termSheet(spec, pricing, Instant.now());
                // The answer is the sheet itself, without an exit block: its content is hashed into the approval.
                console().document(sheet, out.file());
                TermSheet quoted = TermSheet.of(sheet, "quote");
                events.say("rockie: quote " + quoted.quoteId() + ": " + quoted.availability() + ", estimate "
                        + Money.format(quoted.estimateCents()) + ", recommended budget "
                        + Money.format(quoted.recommendedBudgetCents()) + " (" + pricing.confidence()
                        + " confidence)" + (out.file() == null ? "" : "; written to " + out.file())
                        + ". Show it with 'day0 rockie render', approve it with 'day0 rockie approve'.");
                return RockieExit.DONE.code();
            } catch (RockieException e) {
                return events.refused("day0 rockie quote", e);
            }
        }

        private Pricing fromFile(JobSpec spec) {
            JsonNode doc = Json.read(marketJson);
            String name = marketJson.toString();
            if (doc.isObject() && doc.has("prices")) {
                return Pricing.fromPrices(doc, name, spec, "prices_file");
            }
            if (doc.isArray() || doc.isObject() && (doc.has("rows") || doc.has("options") || doc.has("gpu_type"))) {
                return Pricing.fromMarket(doc, name, spec, "market_file");
            }
            throw new InputException(name, "", "expected a market answer ({\"rows\": [...]}, {\"options\": "
                    + "[...]}, a list of rows or one row) or a price list {\"prices\": {...}}");
        }

        private Pricing fromPlatform(JobSpec spec, Events events) throws InterruptedException {
            RockieClient client = new RockieClient(RockieConfig.fromEnvironment(env()), seconds(httpTimeout));
            Map<String, String> query = Quotes.marketQuery(spec);
            RockieClient.Response market = priceRequest("GET /api/gpu/market", events,
                    () -> client.getMarket(query));
            Pricing state = Pricing.fromStatus(market.status(), "market");
            if (state != null) {
                return state;
            }
            if (Pricing.isRouteMissing(market.status(), market.body())) {
                events.say("rockie: the platform has no market route (HTTP 404); using its price list");
                RockieClient.Response prices = priceRequest("GET /api/gpu/prices", events,
                        () -> client.getPrices(Map.of("gpu_type", spec.gpuType().name())));
                Pricing pricesState = Pricing.fromStatus(prices.status(), "prices");
                if (pricesState != null) {
                    return pricesState;
                }
                return Pricing.fromPrices(answer(prices, "GET /api/gpu/prices"), "GET /api/gpu/prices", spec,
                        "prices");
            }
            if (market.status() == 404) {
                return new Pricing("unavailable", "no_sku_fits", "The market has no offer for " + spec.gpuCount()
                        + " x " + spec.gpuType() + " (HTTP 404).", null, "low", "No offer, no estimate.", "market");
            }
            return Pricing.fromMarket(answer(market, "GET /api/gpu/market"), "GET /api/gpu/market", spec,
                    "market");
        }

        private JsonNode answer(RockieClient.Response response, String what) {
            if (!response.ok()) {
                throw new RockieException(RockieExit.SUBMIT_ERROR.code(), "PLATFORM_ERROR", what + " answered HTTP "
                        + response.status());
            }
            try {
                return Json.parse(response.body(), what);
            } catch (InputException e) {
                throw new RockieException(RockieExit.SUBMIT_ERROR.code(), "PLATFORM_ERROR", e.getMessage());
            }
        }

        /** A price read with retries on transient failures; no quote is made from a failing platform. */
        private RockieClient.Response priceRequest(String what, Events events, TransientRetry.Call call)
                throws InterruptedException {
            TransientRetry retry = new TransientRetry(events, maxRetries, retryInterval, delay -> delay);
            RockieClient.Response response = retry.run(what, call);
            if (response == null && retry.lastResponse() != null
                    && Pricing.fromStatus(retry.lastResponse().status(), what) != null) {
                // 502 and 503 are quote states (source failed, out of stock) once retries are spent.
                return retry.lastResponse();
            }
            if (response == null) {
                throw new RockieException(RockieExit.NETWORK.code(), "NETWORK", what + ": " + retry.lastProblem()
                        + ", still failing after " + maxRetries + " retries");
            }
            return response;
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Show a term sheet for the person deciding: shape, wall-clock, estimate, budget, stages, "
                    + "and what approving it means.")
    @ExitCodeFamily(value = RockieExit.class, codes = {0, 2, 9})
    static final class Render extends EngineCommand {
        @Option(names = "--term-sheet", required = true, paramLabel = "FILE", description = "The sheet.")
        Path termSheet;

        @Override
        public Integer call() {
            Events events = new Events(console(), console().redactor());
            try {
                console().print(dev.day0.rockie.Render.text(TermSheet.read(termSheet, console().redactor())));
                return RockieExit.DONE.code();
            } catch (RockieException e) {
                return events.refused("day0 rockie render", e);
            }
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve a pending term sheet for exactly one submission, optionally with another "
                    + "budget (never below the estimate).",
            footer = {"", "Prints the approved sheet (decision.state approve or modify_then_approve, "
                    + "approved_for_submit, approved_by, approved_at, quote_sha256).",
                "Exit codes: 0 approved, 2 usage, 9 no term sheet, 10 not approvable or already decided, "
                        + "11 budget below the estimate."})
    static final class Approve extends EngineCommand {
        @Option(names = "--term-sheet", required = true, paramLabel = "FILE", description = "The pending sheet.")
        Path termSheet;

        @Option(names = "--approver", required = true, paramLabel = "ID",
                description = "Who approves (recorded in the sheet).")
        String approver;

        @Option(names = "--budget-cents", paramLabel = "N",
                description = "Approve this budget instead of the sheet's user_budget_cents (modify_then_approve).")
        Long budgetCents;

        @Mixin
        OutFile out = new OutFile();

        @Override
        public Integer call() {
            Events events = new Events(console(), console().redactor());
            try {
                if (budgetCents != null && budgetCents <= 0) {
                    throw RockieException.usage("--budget-cents must be positive, got " + budgetCents);
                }
                TermSheet sheet = TermSheet.read(termSheet, console().redactor());
                ObjectNode approved = Approval.approve(sheet, approver, budgetCents, Instant.now(),
                        ApprovalKey.forApproving(env()));
                console().document(approved, out.file());
                JsonNode decision = approved.get(TermSheet.DECISION);
                events.say("rockie: " + sheet.quoteId() + " " + decision.path("state").asText() + " by "
                        + decision.path("approved_by").asText() + ": budget "
                        + Money.format(approved.path("user_budget_cents").longValue()) + " for one submission; "
                        + "quote_sha256 " + decision.path("quote_sha256").asText()
                        + (out.file() == null ? "" : "; written to " + out.file()));
                return RockieExit.DONE.code();
            } catch (RockieException e) {
                return events.refused("day0 rockie approve", e);
            }
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Submit a job script under an approved term sheet, at most once, then follow it to the "
                    + "end and download its artifacts.",
            footer = {"", "Refuses before any network call unless the sheet is available, approved, unchanged, "
                    + "unused, and matches --gpu-type/--gpu-count/--region/--tier and --timeout "
                    + "(quoted - 60 < timeout <= quoted). There is no option to skip these checks.",
                "stdout: JSON event lines (submitted, reattached, job_state, credit_gate, artifact, refused, "
                        + "result); stderr: progress for people.",
                "Exit codes: 0 DONE, 1 FAILED or could not be judged, 2 usage, 3 network, 4 HTTP 402, 5 other "
                        + "submit error, 6 job not found, 7 other job read error, 8 no job id (NEEDS_HUMAN), "
                        + "9 no term sheet, 10 not approved/mismatch/used, 11 budget, 130 cancelled."})
    static final class Submit extends EngineCommand {
        @Option(names = "--script", required = true, paramLabel = "FILE", description = "The bash job script.")
        Path script;

        @Option(names = "--gpu-type", required = true, paramLabel = "TYPE",
                description = "A40_48GB, A100_80GB, H100_SXM, H200 or B200; must equal the sheet's.")
        String gpuType;

        @Option(names = "--gpu-count", required = true, paramLabel = "N", description = "Must equal the sheet's.")
        int gpuCount;

        @Option(names = "--timeout", required = true, paramLabel = "SECONDS",
                description = "Job timeout: more than quoted - 60 and at most quoted (wallclock_minutes x 60).")
        long timeout;

        @Option(names = "--region", required = true, paramLabel = "R", description = "Must equal the sheet's.")
        String region;

        @Option(names = "--tier", required = true, paramLabel = "T", description = "Must equal the sheet's.")
        String tier;

        @Option(names = "--term-sheet", required = true, paramLabel = "FILE", description = "The approved sheet.")
        Path termSheet;

        @Option(names = "--env", paramLabel = "K=V|K",
                description = "Job environment; repeatable. K alone passes this process's value of K (the way "
                        + "to pass a secret: it never appears on a command line).")
        List<String> envEntries = new ArrayList<>();

        @Option(names = "--origin-skill", paramLabel = "S", defaultValue = "day0",
                description = "Dashboard origin_skill (default: ${DEFAULT-VALUE}).")
        String originSkill;

        @Option(names = "--monitoring-profile-id", paramLabel = "P",
                description = "common.default.v1, experiment.ml_baseline.v1 or inference.batch_baseline.v1 "
                        + "(default: chosen from the software the script runs).")
        String monitoringProfileId;

        @Option(names = "--notebook-id", paramLabel = "ID",
                description = "Dashboard notebook (default: $ROCKIELAB_NOTEBOOK_ID); adds the dashboard block.")
        String notebookId;

        @Option(names = "--run-name", paramLabel = "NAME", description = "Dashboard run name.")
        String runName;

        @Option(names = "--run-id", paramLabel = "ID",
                description = "Run id of this submission, recorded in the state file and the approval ledger "
                        + "(default: a new UUID).")
        String runId;

        @Option(names = "--state-file", paramLabel = "FILE", defaultValue = "rockie-state.json",
                description = "The submission's state file (default: ${DEFAULT-VALUE} in the working directory).")
        Path stateFile;

        @Option(names = "--artifacts-dir", paramLabel = "DIR",
                description = "Where artifacts go (default: rockie-artifacts/<job id> next to the state file).")
        Path artifactsDir;

        @Option(names = "--ledger-dir", paramLabel = "DIR",
                description = "Record of used approvals (default: $DAY0_ROCKIE_LEDGER_DIR, else "
                        + "~/.day0/rockie-ledger).")
        Path ledgerDir;

        @Option(names = "--no-wait", description = "Submit (or re-attach) and return without following the job.")
        boolean noWait;

        @Option(names = "--confirm-resubmit",
                description = "After a crash between the POST and the state update (exit 8), post again with the "
                        + "same Idempotency-Key: only once you have checked the platform has no such job.")
        boolean confirmResubmit;

        @Option(names = "--poll-interval", paramLabel = "SECONDS", defaultValue = "10",
                description = "Polling interval, with +-20 %% jitter; also the first retry delay (default: "
                        + "${DEFAULT-VALUE}).")
        double pollInterval;

        @Option(names = "--http-timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
        double httpTimeout;

        @Option(names = "--max-retries", paramLabel = "N", defaultValue = "5",
                description = "Consecutive transient failures tolerated before INFRA_TRANSIENT (default: "
                        + "${DEFAULT-VALUE}).")
        int maxRetries;

        @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "1800",
                description = "How long past --timeout a job may stay unfinished before a person is asked to look "
                        + "(default: ${DEFAULT-VALUE}).")
        long grace;

        @Override
        public Integer call() {
            Events events = new Events(console(), console().redactor());
            try {
                SubmitRequest request = request();
                Set<String> namedSecrets = secretValues(request, false);
                Redactor redactor = configuredRedactor(request);
                events = new Events(console(), redactor);
                RockieConfig config = RockieConfig.fromEnvironment(env());
                Redactor scriptCheck = console().redactor().and(namedSecrets);
                if (scriptCheck.containsSecret(request.script())) {
                    throw RockieException.usage(script + ": the script carries a secret-shaped value (line "
                            + firstSecretLine(scriptCheck, request.script()) + "); pass secrets with --env NAME "
                            + "so they come from the environment, never from the script text");
                }
                // The sheet is read with the base redactor only: its hash must not depend on this run's env values.
                TermSheet sheet = TermSheet.read(termSheet, console().redactor());
                Preflight.check(sheet, request);
                ApprovalKey approvalKey = ApprovalKey.forChecking(env());
                Approval.verify(sheet, approvalKey);
                Events flowEvents = events;
                return new SubmitFlow(request, new RockieClient(config, seconds(httpTimeout)), flowEvents,
                        new ApprovalLedger(request.ledgerDir()), approvalKey).submit(sheet).exitCode();
            } catch (RockieException e) {
                return events.refused("day0 rockie submit", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                events.say("day0 rockie submit: interrupted; the state file is kept: re-run the same command to "
                        + "re-attach");
                return RockieExit.CANCELLED.code();
            }
        }

        private SubmitRequest request() {
            GpuType type = GpuType.parse(gpuType).orElseThrow(() -> RockieException.usage("--gpu-type: unknown "
                    + "GPU type \"" + gpuType + "\" (known: " + GpuType.known() + ")"));
            if (gpuCount < 1 || gpuCount > JobSpec.MAX_GPUS) {
                throw RockieException.usage("--gpu-count must be between 1 and " + JobSpec.MAX_GPUS);
            }
            if (timeout < 1) {
                throw RockieException.usage("--timeout must be a positive number of seconds");
            }
            requirePositive("--poll-interval", pollInterval);
            requirePositive("--http-timeout", httpTimeout);
            requireNonNegative("--max-retries", maxRetries);
            requireNonNegative("--grace", grace);
            if (blank(region) || blank(tier)) {
                throw RockieException.usage("--region and --tier must not be empty");
            }
            if (runId != null && !JobSpec.TOKEN.matcher(runId).matches()) {
                throw RockieException.usage("--run-id: letters, digits, '_', '.', '-', up to 64 characters");
            }
            String notebook = notebookId != null ? notebookId : env().get("ROCKIELAB_NOTEBOOK_ID");
            if (notebook != null && notebook.isBlank()) {
                notebook = null;
            }
            String profile = monitoringProfileId;
            if (profile != null && !MONITORING_PROFILES.contains(profile)) {
                throw RockieException.usage("--monitoring-profile-id: unknown profile \"" + profile + "\" (known: "
                        + String.join(", ", MONITORING_PROFILES.stream().sorted().toList()) + ")");
            }
            if (notebook == null && (profile != null || runName != null)) {
                throw RockieException.usage("--monitoring-profile-id and --run-name go into the dashboard block, "
                        + "which needs a notebook: give --notebook-id (or ROCKIELAB_NOTEBOOK_ID)");
            }
            // Without --monitoring-profile-id the profile follows from the software the script runs (docs/rockie.md).
            Path ledger = ledgerDir != null ? ledgerDir : ApprovalLedger.defaultDir(env());
            return SubmitRequest.builder().readScript(script).shape(type, gpuCount, timeout, region, tier)
                    .termSheet(termSheet).jobEnv(jobEnv()).originSkill(originSkill)
                    .dashboard(notebook, profile, runName).runId(runId).stateFile(stateFile)
                    .artifactsDir(artifactsDir).ledgerDir(ledger).noWait(noWait).confirmResubmit(confirmResubmit)
                    .pollIntervalSeconds(pollInterval).httpTimeoutSeconds(httpTimeout).maxRetries(maxRetries)
                    .graceSeconds(grace).build();
        }

        private Map<String, String> jobEnv() {
            Map<String, String> result = new LinkedHashMap<>();
            for (String entry : envEntries) {
                int eq = entry.indexOf('=');
                String name = eq < 0 ? entry : entry.substring(0, eq);
                if (!ENV_NAME.matcher(name).matches()) {
                    throw RockieException.usage("--env: \"" + name + "\" is not a variable name");
                }
                if (name.equals(RockieConfig.TENANT_TOKEN)) {
                    throw RockieException.usage("--env: the tenant token never goes into a job");
                }
                String value = eq < 0 ? env().get(name) : entry.substring(eq + 1);
                if (value == null) {
                    throw RockieException.usage("--env " + name + ": not set in this environment");
                }
                if (result.put(name, value) != null) {
                    throw RockieException.usage("--env: " + name + " given twice");
                }
            }
            return result;
        }

        /**
         * Values the redactor must mask: those whose variable name says it is a secret and, with {@code byName},
         * also every value passed by name (the documented way to pass a secret).
         */
        private Set<String> secretValues(SubmitRequest request, boolean byName) {
            Set<String> secrets = new LinkedHashSet<>();
            for (String entry : envEntries) {
                int eq = entry.indexOf('=');
                String name = eq < 0 ? entry : entry.substring(0, eq);
                if (byName && eq < 0 || SECRET_NAME.matcher(name).matches()) {
                    secrets.add(request.jobEnv().get(name));
                }
            }
            return secrets;
        }

        /**
         * The console's redactor plus every --env value passed by name or under a secret name. A value whose name
         * says it is a secret and that is too short to mask is a usage error.
         */
        private Redactor configuredRedactor(SubmitRequest request) {
            Map<String, String> named = new LinkedHashMap<>();
            for (String entry : envEntries) {
                int eq = entry.indexOf('=');
                String name = eq < 0 ? entry : entry.substring(0, eq);
                if (SECRET_NAME.matcher(name).matches() || Redactor.SECRET_ENV.contains(name)) {
                    named.put("--env " + name, request.jobEnv().get(name));
                }
            }
            try {
                return console().redactor().and(secretValues(request, true)).andConfigured(named);
            } catch (UnmaskableSecretException e) {
                throw RockieException.usage(e.getMessage());
            }
        }

        private static int firstSecretLine(Redactor redactor, String text) {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (redactor.containsSecret(lines[i])) {
                    return i + 1;
                }
            }
            return 0;
        }
    }

    static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.max(1L, Math.round(seconds * 1000)));
    }

    static void requirePositive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw RockieException.usage(option + " must be a positive number");
        }
    }

    static void requireNonNegative(String option, long value) {
        if (value < 0) {
            throw RockieException.usage(option + " must not be negative");
        }
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
