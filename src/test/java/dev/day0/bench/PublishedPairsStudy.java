package dev.day0.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Threshold;
import dev.day0.gates.CompareGate;
import dev.day0.gates.GateResult;
import dev.day0.io.Json;
import dev.day0.noise.NoiseJudge;
import dev.day0.noise.NoiseMode;
import dev.day0.noise.NoisePolicy;
import dev.day0.noise.SampleCounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the point rule and the unpaired noise rule (binomial standard errors from the benchmarks' item counts)
 * over published baseline-vs-quantized release tables, through the real compare gate, and prints the tables of
 * docs/noise.md.
 *
 * <p>Run: {@code mvn -B -o -q package -DskipTests && java -cp target/day0.jar:target/test-classes
 * dev.day0.bench.PublishedPairsStudy [published_pairs.json] [benchmark_sizes.json]}.
 */
public final class PublishedPairsStudy {
    public static final Path PAIRS = Path.of("src/test/resources/reference/published_pairs.sample.json");
    public static final Path SIZES = Path.of("src/test/resources/noise/benchmark_sizes.json");

    /** Both rules' results for one release table. */
    public record Release(String model, GateResult pointRule, GateResult noiseRule) {
    }

    private PublishedPairsStudy() {
    }

    public static void main(String[] args) {
        Path pairs = args.length > 0 ? Path.of(args[0]) : PAIRS;
        Path sizes = args.length > 1 ? Path.of(args[1]) : SIZES;
        System.out.println(markdown(run(pairs, sizes)));
    }

    public static List<Release> run(Path pairs, Path sizes) {
        SampleCounts counts = SampleCounts.read(sizes);
        List<Release> releases = new ArrayList<>();
        for (JsonNode release : Json.read(pairs)) {
            ObjectNode baseline = Json.object();
            ObjectNode candidate = Json.object();
            Iterator<Map.Entry<String, JsonNode>> it = release.path("tasks").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> task = it.next();
                baseline.set(task.getKey(), task.getValue().get("baseline"));
                candidate.set(task.getKey(), task.getValue().get("candidate"));
            }
            CompareGate point = new CompareGate(Threshold.DEFAULT, false, null, null, null);
            NoiseJudge judge = new NoiseJudge(NoiseMode.UNPAIRED, NoisePolicy.none(), null, null, null, null,
                    counts);
            CompareGate noise = new CompareGate(Threshold.DEFAULT, false, null, null, null,
                    NoisePolicy.none(), judge);
            String model = release.path("model").asText();
            releases.add(new Release(model, point.evaluate(baseline, "baseline", candidate, "candidate"),
                    noise.evaluate(baseline, "baseline", candidate, "candidate")));
        }
        return releases;
    }

    static String markdown(List<Release> releases) {
        StringBuilder md = new StringBuilder();
        md.append("| release | point rule (1 pt) | noise rule (unpaired) | real regressions (BREACH) "
                + "| inconclusive | PASS |\n|---|---|---|---|---|---|\n");
        for (Release release : releases) {
            List<String> breach = new ArrayList<>();
            List<String> inconclusive = new ArrayList<>();
            List<String> pass = new ArrayList<>();
            release.noiseRule().body().path("per_task").fields().forEachRemaining(task -> {
                switch (task.getValue().path("verdict").asText()) {
                    case "BREACH" -> breach.add(task.getKey());
                    case "PASS" -> pass.add(task.getKey());
                    default -> inconclusive.add(task.getKey());
                }
            });
            md.append("| ").append(release.model()).append(" | ").append(release.pointRule().decision())
                    .append(" | ").append(release.noiseRule().decision()).append(" | ")
                    .append(String.join(", ", breach)).append(" | ").append(String.join(", ", inconclusive))
                    .append(" | ").append(String.join(", ", pass)).append(" |\n");
        }
        md.append("\n| release | task | baseline | candidate | drop (pts) | n | 95 % interval of the drop (pts) "
                + "| point rule | noise rule | items per run to resolve |\n"
                + "|---|---|---:|---:|---:|---:|---|---|---|---:|\n");
        for (Release release : releases) {
            JsonNode pointRows = release.pointRule().body().path("per_task");
            release.noiseRule().body().path("per_task").fields().forEachRemaining(task -> {
                JsonNode row = task.getValue();
                JsonNode interval = row.path("interval");
                boolean pointOk = pointRows.path(task.getKey()).path("within_threshold").asBoolean();
                JsonNode needed = row.path("evidence_needed").path("items");
                md.append("| ").append(release.model()).append(" | ").append(task.getKey()).append(" | ")
                        .append(row.path("baseline").asText()).append(" | ").append(row.path("candidate").asText())
                        .append(" | ").append(points(row.path("drop_fraction").asDouble())).append(" | ")
                        .append(row.path("n").isNull() ? "unknown" : row.path("n").asText()).append(" | ")
                        .append(interval.isObject() ? "[" + points(interval.path("lower").asDouble()) + ", "
                                + points(interval.path("upper").asDouble()) + "]" : "none").append(" | ")
                        .append(pointOk ? "within" : "REGRESSION").append(" | ")
                        .append(row.path("verdict").asText()).append(" | ")
                        .append(needed.isNumber() ? String.format(Locale.ROOT, "%,d", needed.asLong()) : "-")
                        .append(" |\n");
            });
        }
        return md.toString();
    }

    private static String points(double fraction) {
        return String.format(Locale.ROOT, "%.2f", fraction * 100);
    }
}
