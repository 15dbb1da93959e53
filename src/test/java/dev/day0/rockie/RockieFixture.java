package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.testing.ApprovalKeys;
import dev.day0.testing.CliRun;
import dev.day0.testing.SecretCorpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Shared set-up of the rockie tests: a work directory per test under one root per test class, a job spec, an
 * approved term sheet made by the real quote and approve commands, a job script, the environment for a
 * {@link RockieTestServer}, and the standard submit flags. Every stdout and stderr goes through {@link #run} so
 * the class can scan all of them, and every file under the root, for secrets at the end.
 */
public final class RockieFixture {
    /** The environment of an approval: the tests' approval key, nothing else. */
    private static final Map<String, String> KEYED = ApprovalKeys.with(Map.of());

    /** The tenant token: it must never appear in any output or file. */
    public static final String TOKEN = "rkt_live_Zq8Xv3Lm9Np2Rs7Tw4Yb";
    public static final String TENANT = "tenant-acme";
    /** A job secret passed with --env HF_TOKEN (by name): a plain-looking value only known-value masking catches. */
    public static final String ENV_SECRET = "plainEnvSecretValue77";
    public static final Path REFERENCE = Path.of("src", "test", "resources", "reference", "rockie");
    public static final Path MARKET_AVAILABLE = REFERENCE.resolve("budget-term-sheet-fixtures/market_available.json");
    public static final String SCRIPT = "#!/usr/bin/env bash\nset -euo pipefail\necho \"training\"\n"
            + "python train.py --seed \"$SEED\"\nmkdir -p /workspace/results\necho JOB_DONE\n";

    private final Path root;
    private final List<String> outputs = new CopyOnWriteArrayList<>();
    private int counter;

    public RockieFixture() {
        try {
            root = Files.createTempDirectory("day0-rockie-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** A fresh directory for one test. */
    public synchronized Path newDir() {
        try {
            return Files.createDirectories(root.resolve("t" + (++counter)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CliRun run(Map<String, String> env, String... args) {
        CliRun result = CliRun.run(env, args);
        outputs.add(result.out());
        outputs.add(result.err());
        return result;
    }

    /** Remembers output produced elsewhere (a process run) for the final scan. */
    public void record(String... texts) {
        outputs.addAll(Arrays.asList(texts));
    }

    /** Fails when a corpus secret, the tenant token or the job secret is in any output or file so far. */
    public void assertNoSecretLeaked() {
        SecretCorpus.get().assertNoSecretIn(outputs, List.of(root), List.of(TOKEN, ENV_SECRET, ApprovalKeys.KEY));
    }

    public void delete() {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> env(RockieTestServer server, Path dir) {
        Map<String, String> env = new LinkedHashMap<>(server.env(TOKEN, TENANT));
        env.put(ApprovalLedger.ENV, dir.resolve("ledger").toString());
        env.put(ApprovalKey.ENV, ApprovalKeys.KEY);
        env.put("HF_TOKEN", ENV_SECRET);
        return env;
    }

    public static Path spec(Path dir, String gpuType, int count, int minutes) {
        Path spec = dir.resolve("spec.json");
        ObjectNode json = Json.object();
        json.put("job_shape", "lora_finetune");
        json.put("gpu_type", gpuType);
        json.put("gpu_count", count);
        json.put("region", "us");
        json.put("tier", "spot");
        json.put("wallclock_minutes", minutes);
        write(spec, Json.write(json));
        return spec;
    }

    /** A pending sheet quoted by the real command from the reference market answer (A100_80GB x1, 60 min). */
    public Path pendingSheet(Path dir) {
        Path sheet = dir.resolve("quote.json");
        CliRun quote = run(Map.of(), "rockie", "quote", "--job-spec", spec(dir, "A100_80GB", 1, 60).toString(),
                "--market-json", MARKET_AVAILABLE.toString(), "--out", sheet.toString());
        if (quote.exitCode() != 0) {
            throw new AssertionError("quote failed: " + quote);
        }
        return sheet;
    }

    /** A sheet quoted and approved by the real commands: estimate 18000, budget 27000, 60 min. */
    public Path approvedSheet(Path dir) {
        Path pending = pendingSheet(dir);
        Path sheet = dir.resolve("approved.json");
        CliRun approve = run(KEYED, "rockie", "approve", "--term-sheet", pending.toString(), "--approver",
                "alice@example.com", "--out", sheet.toString());
        if (approve.exitCode() != 0) {
            throw new AssertionError("approve failed: " + approve);
        }
        return sheet;
    }

    public static Path script(Path dir) {
        Path script = dir.resolve("job.sh");
        write(script, SCRIPT);
        return script;
    }

    public static String scriptSha256() {
        return FileDigest.sha256(SCRIPT.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The standard submit command line for an approved A100_80GB x1 sheet, 60 min. An option in {@code extra}
     * replaces the standard one of that name; other extra arguments are appended.
     */
    public static String[] submit(Path dir, Path sheet, String... extra) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--script", script(dir).toString());
        options.put("--gpu-type", "A100_80GB");
        options.put("--gpu-count", "1");
        options.put("--timeout", "3600");
        options.put("--region", "us");
        options.put("--tier", "spot");
        options.put("--term-sheet", sheet.toString());
        options.put("--state-file", dir.resolve("state.json").toString());
        options.put("--poll-interval", "0.01");
        options.put("--http-timeout", "2");
        options.put("--max-retries", "3");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < extra.length; i++) {
            boolean takesValue = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            if (options.containsKey(extra[i]) && takesValue) {
                options.put(extra[i], extra[++i]);
            } else {
                flags.add(extra[i]);
            }
        }
        List<String> args = new ArrayList<>(List.of("rockie", "submit"));
        options.forEach((option, value) -> {
            args.add(option);
            args.add(value);
        });
        args.addAll(List.of("--env", "SEED=42", "--env", "HF_TOKEN"));
        args.addAll(flags);
        return args.toArray(String[]::new);
    }

    public static JsonNode read(Path file) {
        return Json.read(file);
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON event lines of a run's stdout. */
    public static List<JsonNode> events(CliRun run) {
        return events(run.out());
    }

    public static List<JsonNode> events(String stdout) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : stdout.split("\\R")) {
            if (line.startsWith("{\"event\"")) {
                events.add(Json.parse(line, "stdout"));
            }
        }
        return events;
    }

    public static JsonNode event(CliRun run, String name) {
        return events(run).stream().filter(e -> name.equals(e.path("event").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " event in\n" + run));
    }

    /** Each log line of the corpus, as a job would print them while running. */
    public static List<String> secretLogLines() {
        return SecretCorpus.get().ofKind("log_line").stream().map(SecretCorpus.Entry::text).toList();
    }

    public static Map<String, byte[]> files(String... nameThenContent) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            files.put(nameThenContent[i], nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }
}
