package dev.day0.sota;

import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the bash script of a reproduction job.
 *
 * <p>What the script guarantees, in order: it runs under {@code set -euo pipefail}; it refuses to start when
 * results of an earlier run are already in place or a declared secret is missing from its environment; it records
 * the sanitized source reference, the recipe and the claims under {@code /workspace/results/config/}; it runs the
 * setup and run commands, each phase as its own bash process reading from {@code /dev/null} and logging to
 * {@code /workspace/results/logs/}; it collects {@code metrics.json} and checks it is non-empty and (when python3
 * is there) holds every claimed metric as a finite number; and only then prints {@code JOB_DONE}.
 *
 * <p>The recipe's commands are written verbatim into phase scripts that are run as separate processes: a command
 * with an unbalanced quote or an unterminated here-document fails its own phase, it cannot swallow the checks
 * that guard {@code JOB_DONE}. The finished text passes through the {@link Redactor} before anyone sees it.
 */
public final class JobScript {
    public static final String JOB_DONE = "JOB_DONE";

    private JobScript() {
    }

    /** The script, redacted. Deterministic: the same inputs give the same bytes (no timestamps). */
    public static String render(SourceRef source, Claims claims, Recipe recipe, String day0Version,
                                Redactor redactor) {
        String recipeJson = Json.write(recipe.toJson());
        String claimsJson = Json.write(claims.toJson());
        StringBuilder s = new StringBuilder();
        s.append("#!/usr/bin/env bash\n");
        s.append("# Reproduction job \"").append(recipe.name()).append("\", written by day0 sota plan (day0 ")
                .append(day0Version).append(").\n");
        s.append("# Source: ").append(source.display()).append('\n');
        s.append("# Results go to ").append(Recipe.RESULTS_DIR).append("/ (metrics.json, logs/, config/); ")
                .append(JOB_DONE).append(" is printed\n# only after they are written and checked. Secrets are read ")
                .append("from the job environment; this file holds none.\n");
        s.append("set -euo pipefail\n\n");
        s.append("readonly RESULTS_DIR=").append(Recipe.RESULTS_DIR).append('\n');
        s.append("readonly WORK_DIR=").append(quote(recipe.workdir())).append('\n');
        s.append("readonly METRICS_SOURCE=").append(quote(recipe.metricsFile())).append('\n');
        s.append("readonly SOURCE_REF=").append(quote(source.display())).append('\n');
        s.append("export DAY0_RESULTS_DIR=\"$RESULTS_DIR\" DAY0_SOURCE_REF=\"$SOURCE_REF\"\n");
        if (recipe.seed() != null) {
            s.append("export DAY0_SEED=").append(recipe.seed()).append('\n');
        }
        s.append("trap 'rc=$?; if [ \"$rc\" -ne 0 ]; then echo \"day0: the job failed with exit code $rc; ")
                .append(JOB_DONE).append(" not printed\" >&2; fi' EXIT\n\n");

        s.append("echo \"day0: job ").append(recipe.name()).append(" for $SOURCE_REF\"\n");
        s.append("for earlier in \"$RESULTS_DIR/metrics.json\" \"$METRICS_SOURCE\"; do\n");
        s.append("  if [ -e \"$earlier\" ]; then\n");
        s.append("    echo \"day0: $earlier exists before the run started; refusing to mix the results of two runs\""
                + " >&2\n");
        s.append("    exit 3\n  fi\ndone\n");
        s.append("mkdir -p \"$RESULTS_DIR/logs\" \"$RESULTS_DIR/config\" \"$WORK_DIR\"\n");
        s.append("printf '%s\\n' \"$SOURCE_REF\" > \"$RESULTS_DIR/config/source_ref.txt\"\n\n");

        if (!recipe.secrets().isEmpty()) {
            s.append("# Secrets the recipe needs, by name; their values come from the job environment.\n");
            s.append("for name in");
            recipe.secrets().forEach(name -> s.append(' ').append(name));
            s.append("; do\n");
            s.append("  if [ -z \"${!name:-}\" ]; then\n");
            s.append("    echo \"day0: the secret $name is not set in the job environment\" >&2\n");
            s.append("    exit 3\n  fi\ndone\n\n");
        }
        if (!recipe.env().isEmpty()) {
            s.append("# Settings from the recipe (literal values, not secrets).\n");
            recipe.env().forEach((name, value) -> s.append("export ").append(name).append('=').append(quote(value))
                    .append('\n'));
            s.append('\n');
        }

        s.append("cat > \"$RESULTS_DIR/config/recipe.json\" <<'DAY0_RECIPE_JSON'\n").append(recipeJson)
                .append("\nDAY0_RECIPE_JSON\n");
        s.append("cat > \"$RESULTS_DIR/config/claims.json\" <<'DAY0_CLAIMS_JSON'\n").append(claimsJson)
                .append("\nDAY0_CLAIMS_JSON\n\n");

        phase(s, "setup", recipe.setup(), recipe.workdir());
        phase(s, "run", recipe.run(), recipe.workdir());

        s.append("echo \"day0: collecting results\"\n");
        s.append("if [ \"$METRICS_SOURCE\" != \"$RESULTS_DIR/metrics.json\" ]; then\n");
        s.append("  if [ ! -f \"$METRICS_SOURCE\" ]; then\n");
        s.append("    echo \"day0: the run did not write $METRICS_SOURCE\" >&2\n");
        s.append("    exit 4\n  fi\n");
        s.append("  cp -- \"$METRICS_SOURCE\" \"$RESULTS_DIR/metrics.json\"\nfi\n");
        for (String config : recipe.configFiles()) {
            s.append("cp -- ").append(quote(config)).append(" \"$RESULTS_DIR/config/\"\n");
        }
        s.append("if [ ! -s \"$RESULTS_DIR/metrics.json\" ]; then\n");
        s.append("  echo \"day0: $RESULTS_DIR/metrics.json is missing or empty\" >&2\n");
        s.append("  exit 4\nfi\n");
        s.append("if command -v python3 >/dev/null 2>&1; then\n");
        s.append("  python3 - \"$RESULTS_DIR/metrics.json\"");
        for (ClaimedMetric metric : claims.metrics()) {
            s.append(' ').append(quote(metric.name())).append(' ')
                    .append(quote(metric.pointer() == null ? "" : metric.pointer()));
        }
        s.append(" <<'DAY0_CHECK_METRICS'\n").append(CHECK_METRICS).append("DAY0_CHECK_METRICS\n");
        s.append("else\n");
        s.append("  echo \"day0: python3 is not installed: metrics.json was checked for presence only "
                + "(day0 sota assess checks its content)\" >&2\n");
        s.append("fi\n");
        s.append("sync\n");
        s.append("echo ").append(JOB_DONE).append('\n');
        return redactor.redact(s.toString());
    }

    public static String sha256(String script) {
        return FileDigest.sha256(script.getBytes(StandardCharsets.UTF_8));
    }

    /** A phase: its commands go into their own script file, run by a separate bash with its log kept. */
    private static void phase(StringBuilder s, String phase, List<String> commands, String workdir) {
        if (commands.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add("set -euo pipefail");
        lines.add("cd " + quote(workdir));
        for (int i = 0; i < commands.size(); i++) {
            lines.add("echo \"day0: " + phase + " step " + (i + 1) + " of " + commands.size() + "\"");
            lines.add(commands.get(i));
        }
        String body = String.join("\n", lines);
        String delimiter = delimiter(phase, body);
        s.append("cat > \"$RESULTS_DIR/config/").append(phase).append(".sh\" <<'").append(delimiter).append("'\n")
                .append(body).append('\n').append(delimiter).append('\n');
        s.append("echo \"day0: ").append(phase).append(" phase\"\n");
        s.append("bash \"$RESULTS_DIR/config/").append(phase).append(".sh\" < /dev/null 2>&1 | ")
                .append("tee \"$RESULTS_DIR/logs/")
                .append(phase).append(".log\"\n\n");
    }

    /** A here-document delimiter that no line of the body equals. */
    static String delimiter(String phase, String body) {
        String base = "DAY0_" + phase.toUpperCase(Locale.ROOT) + "_"
                + sha256(body).substring(0, 12).toUpperCase(Locale.ROOT);
        String candidate = base;
        int attempt = 0;
        while (body.lines().anyMatch(candidate::equals)) {
            candidate = base + "_" + (++attempt);
        }
        return candidate;
    }

    /** Single-quotes a value for bash: nothing inside is expanded. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /** Checks, on the GPU machine, that metrics.json is a JSON object holding every claimed metric as a number. */
    private static final String CHECK_METRICS = """
            import json, math, sys

            path, pairs = sys.argv[1], sys.argv[2:]
            with open(path, encoding="utf-8") as handle:
                try:
                    document = json.load(handle)
                except ValueError as error:
                    sys.exit("day0: metrics.json is not valid JSON: %s" % error)
            if not isinstance(document, dict):
                sys.exit("day0: metrics.json is not a JSON object")
            container = document["metrics"] if isinstance(document.get("metrics"), dict) else document
            missing = []
            for name, pointer in zip(pairs[0::2], pairs[1::2]):
                if pointer:
                    node = document
                    for part in pointer.split("/")[1:]:
                        part = part.replace("~1", "/").replace("~0", "~")
                        if isinstance(node, dict) and part in node:
                            node = node[part]
                        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                            node = node[int(part)]
                        else:
                            node = None
                            break
                else:
                    node = container.get(name)
                if isinstance(node, bool) or not isinstance(node, (int, float)) or not math.isfinite(node):
                    missing.append(name)
            if missing:
                sys.exit("day0: metrics.json has no finite number for: " + ", ".join(missing))
            print("day0: metrics.json holds all %d claimed metrics" % (len(pairs) // 2))
            """;
}
