package dev.day0.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.cli.Day0;
import dev.day0.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded fuzz campaign against {@code day0 gate compare|run|ptq}, run in this JVM through the command line
 * {@link Day0#execute} runs ({@link Day0#commandLine}, built once), one set of input files per case.
 *
 * <p>Each case starts from a clean model of the input (scores, counts, sizes, a threshold, scales) and applies
 * mutations: of types (strings, booleans, null, lists, objects where numbers belong), magnitudes (subnormals,
 * 1e308, 1e999999, long limits), nesting (up to and past the parser's depth limit), duplicate and look-alike keys,
 * a UTF-8 BOM, invalid UTF-8, scale overrides and thresholds. The generator knows which mutations break a rule
 * (a duplicate key, a wrong type) and the oracle recomputes the documented rules from the model for the rest
 * (magnitudes change the model, not the verdict logic): a case that breaks any rule must not pass.
 *
 * <p>Oracle: no exit 0 (pass or ACCEPT) when any rule is violated, no exit 70 and nothing thrown, and every exit-2
 * message names the input file or the option it is about.
 */
public final class GateFuzz {
    public enum Gate { COMPARE, RUN, PTQ }

    /** What a campaign found; {@code examples} holds the first few offending cases, described. */
    public record Report(Gate gate, long inputs, long ruleBreaking, long passes, long refusedExit2, long falsePasses,
                         long exit70s, long unnamedExit2, List<String> examples) {
        /** Two shards' figures as one campaign's. */
        Report plus(Report other) {
            List<String> both = new ArrayList<>(examples);
            both.addAll(other.examples);
            return new Report(gate, inputs + other.inputs, ruleBreaking + other.ruleBreaking, passes + other.passes,
                    refusedExit2 + other.refusedExit2, falsePasses + other.falsePasses, exit70s + other.exit70s,
                    unnamedExit2 + other.unnamedExit2, both.subList(0, Math.min(both.size(), MAX_EXAMPLES)));
        }

        public boolean clean() {
            return falsePasses == 0 && exit70s == 0 && unnamedExit2 == 0;
        }

        public String line() {
            return String.format(Locale.ROOT, "gate %-7s inputs %,d (breaking a rule %,d)  passes %,d  exit-2 %,d  "
                            + "false passes %d  exit-70s %d  exit-2 without file or option %d",
                    gate.name().toLowerCase(Locale.ROOT), inputs, ruleBreaking, passes, refusedExit2, falsePasses,
                    exit70s, unnamedExit2);
        }
    }

    private static final int MAX_EXAMPLES = 5;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Path dir;
    private final SplittableRandom random;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final picocli.CommandLine day0;

    public GateFuzz(Path dir, long seed) {
        this.dir = dir;
        this.random = new SplittableRandom(seed);
        this.day0 = Day0.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of());
    }

    public Report run(Gate gate, int cases) {
        long passes = 0;
        long exit2 = 0;
        long falsePasses = 0;
        long exit70 = 0;
        long unnamed = 0;
        long breaking = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            Case input = switch (gate) {
                case COMPARE -> compareCase();
                case RUN -> runCase();
                case PTQ -> ptqCase();
            };
            Outcome outcome = execute(input);
            if (input.violation != null) {
                breaking++;
            }
            String problem = null;
            if (outcome.crash != null || outcome.code == 70) {
                exit70++;
                problem = "exit 70 / " + outcome.crash;
            } else if (outcome.code == 0) {
                passes++;
                if (input.violation != null) {
                    falsePasses++;
                    problem = "false pass, rule broken: " + input.violation;
                }
            } else if (outcome.code == 2) {
                exit2++;
                if (!input.namesSomething(outcome.detail)) {
                    unnamed++;
                    problem = "exit 2 names no file or option: " + outcome.detail;
                }
            }
            if (problem != null && examples.size() < MAX_EXAMPLES) {
                examples.add(problem + "\n  case: " + input.describe());
            }
        }
        return new Report(gate, cases, breaking, passes, exit2, falsePasses, exit70, unnamed, examples);
    }

    // ------------------------------------------------------------------------------------------- execution

    /** One generated case: the command line, the files it reads, and the first rule it breaks (null if none). */
    private static final class Case {
        final List<String> args = new ArrayList<>();
        final Map<Path, byte[]> files = new LinkedHashMap<>();
        final List<String> names = new ArrayList<>();
        String violation;

        void violate(String rule) {
            if (violation == null) {
                violation = rule;
            }
        }

        Path file(Path path, byte[] bytes) {
            files.put(path, bytes);
            names.add(path.toString());
            return path;
        }

        boolean namesSomething(String detail) {
            if (detail == null) {
                return false;
            }
            for (String name : names) {
                if (detail.contains(name)) {
                    return true;
                }
            }
            return detail.matches("(?s).*--[a-z][a-z-]+.*");
        }

        String describe() {
            StringBuilder text = new StringBuilder(String.join(" ", args));
            files.forEach((path, bytes) -> text.append("\n  ").append(path.getFileName()).append(": ")
                    .append(abbreviate(new String(bytes, StandardCharsets.UTF_8))));
            return text.toString();
        }
    }

    private record Outcome(int code, String detail, Throwable crash) {
    }

    private Outcome execute(Case input) {
        try {
            for (Map.Entry<Path, byte[]> file : input.files.entrySet()) {
                Files.write(file.getKey(), file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        try {
            int code = day0.execute(input.args.toArray(new String[0]));
            return new Outcome(code, detail(out.toString(), err.toString()), null);
        } catch (Throwable e) {
            // Anything thrown out of the entry point would end the process as an internal error.
            return new Outcome(70, null, e);
        }
    }

    private static String detail(String stdout, String stderr) {
        try {
            JsonNode doc = Json.parse(stdout, "stdout");
            return doc.path("detail").asText(stderr);
        } catch (RuntimeException e) {
            return stderr;
        }
    }

    private static String abbreviate(String text) {
        String line = text.replace("\n", " ");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    // ------------------------------------------------------------------------------------------- compare

    private static final String[] TASKS = {"mmlu", "gsm8k", "arc_challenge", "hellaswag", "t0", "ifeval"};
    private static final String[] LOOK_ALIKES = {"MMLU", "mmlu ", " mmlu", "mmlu\u200b", "\u043cmlu", "mm_lu",
        "m\u0301mlu"};
    private static final String[] MAGNITUDES = {"1e308", "-1e308", "1.7976931348623157e308", "1e999999",
        "-1e999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "4.9e-324", "5e-324",
        "1e-320", "2.2250738585072014e-308", "-0.0", "0", "100", "100.00000000000001", "-1e-320",
        "80.0000000000000000000000000001", "1e-999999"};
    private static final String[] NOT_NUMBERS = {"\"80\"", "true", "false", "null", "{}", "[80]", "NaN",
        "Infinity", "-Infinity", "\"NaN\"", "\"\"", "{\"score\": 80}"};
    private static final String[] THRESHOLDS_OK = {"0", "0.01", "0.02", "0.05", "0.5", "1", "1e-320", "0.0"};
    private static final String[] THRESHOLDS_BAD = {"-0.1", "1.5", "5", "1.0000001", "NaN", "Infinity",
        "-Infinity", "abc", "", "1e309", "0x1p-2", " "};

    /** A task's scale in the model: none, a divisor, or a range. */
    private record Scale(String text, Double divisor, Double min, Double max, String problem) {
    }

    private Case compareCase() {
        Case input = new Case();
        Path baselineFile = dir.resolve("baseline.json");
        Path candidateFile = dir.resolve("candidate.json");
        int count = 1 + random.nextInt(4);
        List<String> tasks = new ArrayList<>();
        while (tasks.size() < count) {
            String task = TASKS[random.nextInt(TASKS.length)];
            if (!tasks.contains(task)) {
                tasks.add(task);
            }
        }
        // Threshold.
        String thresholdText = null;
        double threshold = 0.01;
        if (random.nextInt(3) == 0) {
            if (random.nextInt(3) == 0) {
                thresholdText = THRESHOLDS_BAD[random.nextInt(THRESHOLDS_BAD.length)];
            } else {
                thresholdText = THRESHOLDS_OK[random.nextInt(THRESHOLDS_OK.length)];
            }
            try {
                threshold = Double.parseDouble(thresholdText.trim());
                if (!Double.isFinite(threshold) || threshold < 0 || threshold > 1) {
                    input.violate("threshold outside [0, 1]: " + thresholdText);
                }
            } catch (NumberFormatException e) {
                input.violate("threshold not a number: " + thresholdText);
            }
        }
        boolean relative = random.nextInt(5) == 0;
        // Scales.
        Map<String, Scale> scales = new LinkedHashMap<>();
        boolean withScales = random.nextInt(3) == 0;
        if (withScales) {
            for (String task : tasks) {
                if (random.nextBoolean()) {
                    scales.put(task, scale());
                }
            }
            if (random.nextInt(8) == 0) {
                scales.put("not_a_task", new Scale("100", 100.0, null, null, "a scale for a task in no file"));
            }
        }
        // Clean scores within each task's range.
        Map<String, String> baseline = new LinkedHashMap<>();
        Map<String, String> candidate = new LinkedHashMap<>();
        for (String task : tasks) {
            Scale scale = scales.get(task);
            double min = scale != null && scale.min != null ? scale.min : 0;
            double max = scale != null && scale.max != null ? scale.max : 100;
            boolean fraction = random.nextInt(4) == 0;
            double b;
            double c;
            if (fraction && min <= 0 && max >= 1) {
                b = random.nextInt(1001) / 1000.0;
                c = clamp(b + (random.nextInt(41) - 30) / 1000.0, 0, 1);
            } else {
                double span = Math.min(max - min, 1e6);
                b = clamp(min + Math.round(random.nextDouble() * span * 100) / 100.0, min, max);
                double delta = (random.nextInt(601) - 450) / 100.0 * Math.max(1, span / 100);
                c = clamp(Math.round((b + delta) * 100) / 100.0, min, max);
            }
            baseline.put(task, number(b));
            candidate.put(task, number(c));
        }
        // Score mutations: magnitudes change the model, other types break a rule. Both are judged by the oracle
        // below from the final values, since a later mutation may overwrite an earlier one.
        int mutations = random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            Map<String, String> side = random.nextBoolean() ? baseline : candidate;
            String task = tasks.get(random.nextInt(tasks.size()));
            int kind = random.nextInt(10);
            if (kind < 4) {
                side.put(task, MAGNITUDES[random.nextInt(MAGNITUDES.length)]);
            } else if (kind < 7) {
                side.put(task, NOT_NUMBERS[random.nextInt(NOT_NUMBERS.length)]);
            } else {
                int depth = new int[] {1, 2, 64, 998, 999, 1001, 5000}[random.nextInt(7)];
                side.put(task, "[".repeat(depth) + "80" + "]".repeat(depth));
            }
        }
        // Key mutations.
        String duplicate = null;
        boolean duplicateInBaseline = random.nextBoolean();
        int keys = random.nextInt(12);
        if (keys == 0) {
            String task = tasks.get(0);
            String alike = LOOK_ALIKES[random.nextInt(LOOK_ALIKES.length)];
            Map<String, String> side = random.nextBoolean() ? baseline : candidate;
            String value = side.remove(task);
            side.put(alike.replace("mmlu", task), value);
            input.violate("look-alike task name " + alike.replace("mmlu", task));
        } else if (keys == 1) {
            (random.nextBoolean() ? baseline : candidate).put("extra_task", "50");
            input.violate("a task in one file only");
        } else if (keys == 2) {
            duplicate = tasks.get(0);
            input.violate("duplicate key " + duplicate);
        } else if (keys == 3 && tasks.size() == 1) {
            baseline.clear();
            candidate.clear();
            input.violate("no tasks");
        }
        // Oracle on the model: the documented rules, in IEEE double as docs/gates.md states them.
        if (input.violation == null) {
            for (String problem : scaleProblems(scales)) {
                input.violate(problem);
            }
        }
        if (input.violation == null) {
            for (String task : tasks) {
                String rule = compareRule(task, baseline.get(task), candidate.get(task), scales.get(task),
                        threshold, relative);
                if (rule != null) {
                    input.violate(rule);
                    break;
                }
            }
        }
        byte[] baselineBytes = document(baseline, duplicateInBaseline ? duplicate : null);
        byte[] candidateBytes = document(candidate, duplicateInBaseline ? null : duplicate);
        int encoding = random.nextInt(25);
        if (encoding == 0) {
            baselineBytes = concat(BOM, baselineBytes);
        } else if (encoding == 1) {
            candidateBytes = invalidUtf8(candidateBytes);
            input.violate("invalid UTF-8");
        } else if (encoding == 2) {
            candidateBytes = "[1, 2]".getBytes(StandardCharsets.UTF_8);
            input.violate("candidate is not an object");
        } else if (encoding == 3) {
            baselineBytes = java.util.Arrays.copyOf(baselineBytes, Math.max(1, baselineBytes.length / 2));
            input.violate("baseline truncated");
        } else if (encoding == 4) {
            baselineBytes = concat(baselineBytes, " {}".getBytes(StandardCharsets.UTF_8));
            input.violate("trailing content after the baseline object");
        }
        input.args.addAll(List.of("gate", "compare", "--baseline",
                input.file(baselineFile, baselineBytes).toString(), "--candidate",
                input.file(candidateFile, candidateBytes).toString()));
        if (thresholdText != null) {
            input.args.addAll(List.of("--threshold", thresholdText));
        }
        if (relative) {
            input.args.add("--relative");
        }
        if (withScales) {
            String scalesText = scalesText(scales, input);
            if (random.nextBoolean()) {
                Path scalesFile = input.file(dir.resolve("scales.json"), scalesText.getBytes(StandardCharsets.UTF_8));
                input.args.addAll(List.of("--scales", "@" + scalesFile));
            } else {
                input.args.addAll(List.of("--scales", scalesText));
            }
        }
        return input;
    }

    private Scale scale() {
        return switch (random.nextInt(16)) {
            case 0 -> new Scale("10", 10.0, null, null, null);
            case 1 -> new Scale("1000", 1000.0, null, null, null);
            case 2 -> new Scale("1e-320", 1e-320, null, null, null);
            case 3 -> new Scale("5e-324", 5e-324, null, null, null);
            case 4 -> new Scale("1e308", 1e308, null, null, null);
            case 5 -> new Scale("0", null, null, null, "scale 0");
            case 6 -> new Scale("-1", null, null, null, "negative scale");
            case 7 -> new Scale("\"100\"", null, null, null, "scale is a string");
            case 8 -> new Scale("{\"min\": -100, \"max\": 100}", null, -100.0, 100.0, null);
            case 9 -> new Scale("{\"min\": 0, \"max\": 1}", null, 0.0, 1.0, null);
            case 10 -> new Scale("{\"min\": -1e308, \"max\": 1e308}", null, -1e308, 1e308, "range width overflows");
            case 11 -> new Scale("{\"min\": -1e308, \"max\": 1e307}", null, -1e308, 1e307, null);
            case 12 -> new Scale("{\"min\": 5, \"max\": 5}", null, 5.0, 5.0, "empty range");
            case 13 -> new Scale("{\"min\": 0}", null, null, null, "range without max");
            case 14 -> new Scale("{\"min\": 0, \"max\": 100, \"step\": 1}", null, 0.0, 100.0, "range with extra key");
            default -> new Scale("NaN", null, null, null, "scale NaN");
        };
    }

    private static List<String> scaleProblems(Map<String, Scale> scales) {
        List<String> problems = new ArrayList<>();
        scales.forEach((task, scale) -> {
            if (scale.problem != null) {
                problems.add("--scales " + task + ": " + scale.problem);
            } else if (scale.min != null && !(Double.isFinite(scale.max - scale.min) && scale.max > scale.min)) {
                problems.add("--scales " + task + ": range without a finite positive width");
            }
        });
        return problems;
    }

    private String scalesText(Map<String, Scale> scales, Case input) {
        if (random.nextInt(30) == 0) {
            input.violate("--scales is not JSON");
            return "{\"t0\": ";
        }
        StringBuilder text = new StringBuilder("{");
        scales.forEach((task, scale) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(Json.writeLine(com.fasterxml.jackson.databind.node.TextNode.valueOf(task))).append(": ")
                    .append(scale.text);
        });
        return text.append('}').toString();
    }

    /** The first documented rule a task breaks, or null: valid scores, then a finite drop and gain within limits. */
    private static String compareRule(String task, String baselineText, String candidateText, Scale scale,
                                      double threshold, boolean relative) {
        Double b = finite(baselineText);
        Double c = finite(candidateText);
        if (b == null || c == null) {
            return task + ": a score is not a finite number (" + abbreviate(String.valueOf(baselineText)) + ", "
                    + abbreviate(String.valueOf(candidateText)) + ")";
        }
        double min = scale != null && scale.min != null ? scale.min : 0;
        double max = scale != null && scale.max != null ? scale.max : 100;
        if (b < min || b > max || c < min || c > max) {
            return task + ": a score is outside [" + min + ", " + max + "]";
        }
        double divisor;
        if (scale != null && scale.divisor != null) {
            divisor = scale.divisor;
        } else if (scale != null && scale.min != null) {
            divisor = scale.max - scale.min;
        } else {
            divisor = b >= 0 && b <= 1 && c >= 0 && c <= 1 ? 1.0 : 100.0;
        }
        double drop = relative ? (b == 0 ? 0.0 : (b - c) / Math.abs(b)) : (b - c) / divisor;
        double gain = (c - b) / divisor;
        if (!Double.isFinite(drop) || !Double.isFinite(gain)) {
            return task + ": the drop cannot be computed";
        }
        if (drop > threshold) {
            return task + ": drop " + drop + " over the threshold " + threshold;
        }
        if (gain > 0.05) {
            return task + ": implausible gain " + gain;
        }
        return null;
    }

    /** The value of a number literal as the gates read it, or null when it is not a finite number. */
    private static Double finite(String literal) {
        if (literal == null || !literal.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            return null;
        }
        double value = new java.math.BigDecimal(literal).doubleValue();
        return Double.isFinite(value) ? value : null;
    }

    // ------------------------------------------------------------------------------------------- run

    private Case runCase() {
        Case input = new Case();
        Path runFile = dir.resolve("run.json");
        int count = random.nextInt(12) == 0 ? 0 : 1 + random.nextInt(3);
        Map<String, String> tasks = new LinkedHashMap<>();
        if (count == 0) {
            input.violate("no tasks");
        }
        for (int i = 0; i < count; i++) {
            String name = random.nextInt(10) == 0 ? LOOK_ALIKES[random.nextInt(LOOK_ALIKES.length)]
                    : TASKS[random.nextInt(TASKS.length)];
            if (tasks.containsKey(name)) {
                continue;
            }
            tasks.put(name, runTask(input, name));
        }
        StringBuilder doc = new StringBuilder("{");
        if (random.nextInt(6) == 0) {
            doc.append("\"deployment\": ").append(deployment(input, "run")).append(", ");
        }
        int shape = random.nextInt(30);
        if (shape == 0) {
            doc.append("\"tasks\": []");
            input.violate("tasks is a list");
        } else if (shape == 1) {
            doc.append("\"other\": {}");
            input.violate("no tasks field");
        } else {
            doc.append("\"tasks\": {");
            boolean first = true;
            for (Map.Entry<String, String> task : tasks.entrySet()) {
                doc.append(first ? "" : ", ").append(quote(task.getKey())).append(": ").append(task.getValue());
                first = false;
            }
            if (!tasks.isEmpty() && random.nextInt(20) == 0) {
                Map.Entry<String, String> again = tasks.entrySet().iterator().next();
                doc.append(", ").append(quote(again.getKey())).append(": ").append(again.getValue());
                input.violate("duplicate task " + again.getKey());
            }
            doc.append('}');
        }
        doc.append('}');
        byte[] bytes = doc.toString().getBytes(StandardCharsets.UTF_8);
        int encoding = random.nextInt(25);
        if (encoding == 0) {
            bytes = concat(BOM, bytes);
        } else if (encoding == 1) {
            bytes = invalidUtf8(bytes);
            input.violate("invalid UTF-8");
        }
        input.args.addAll(List.of("gate", "run", "--run", input.file(runFile, bytes).toString()));
        if (random.nextInt(3) == 0) {
            String serving = serving(input);
            Path servingFile = input.file(dir.resolve("serving.json"), serving.getBytes(StandardCharsets.UTF_8));
            input.args.addAll(List.of("--serving", servingFile.toString()));
        }
        return input;
    }

    private String runTask(Case input, String name) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", "\"SUCCESS\"");
        long samples = 1 + random.nextInt(500);
        fields.put("expected_samples", Long.toString(samples));
        fields.put("scored_samples", Long.toString(samples));
        fields.put("score", number(Math.round(random.nextDouble() * 10000) / 100.0));
        fields.put("errors", "[]");
        int mutation = random.nextInt(24);
        switch (mutation) {
            case 0 -> violateWith(input, fields, "status", pick("\"RUNNING\"", "\"FAILED\"", "\"success\"",
                    "\"DEPLOYMENT_FAILED\"", "\"TIMEOUT\"", "null"), name + ": status not SUCCESS");
            case 1 -> {
                fields.remove("status");
                input.violate(name + ": no status");
            }
            case 2 -> violateWith(input, fields, "errors", pick("[\"judge returned 429\"]", "[\"boom\"]",
                    "[\"HTTP 401 Unauthorized\"]"), name + ": errors");
            case 3 -> violateWith(input, fields, "errors", pick("\"boom\"", "[1]", "{}"), name + ": errors type");
            case 4 -> violateWith(input, fields, "scored_samples", Long.toString(samples - 1), name
                    + ": scored fewer than expected");
            case 5 -> {
                fields.put("expected_samples", "0");
                fields.put("scored_samples", "0");
                input.violate(name + ": zero expected samples");
            }
            case 6 -> violateWith(input, fields, "expected_samples", pick("-1", "1.5", "\"198\"", "true", "1e308",
                    "9223372036854775808", "[198]"), name + ": expected_samples not a count");
            case 7 -> {
                fields.put("expected_samples", "9223372036854775807");
                fields.put("scored_samples", pick("9223372036854775807", "9.223372036854775807E18"));
            }
            case 8 -> {
                fields.put("expected_samples", samples + ".0");
                fields.put("scored_samples", Long.toString(samples));
            }
            case 9 -> violateWith(input, fields, "score", pick("null", "\"69\"", "NaN", "Infinity", "true", "{}",
                    "[".repeat(998) + "1" + "]".repeat(998), "1e999999"), name + ": score not a finite number");
            case 10 -> {
                fields.remove("score");
                input.violate(name + ": no score");
            }
            case 11 -> fields.put("score", pick("1e308", "-5", "5e-324", "0", "-0.0"));
            case 12 -> fields.put("deployment", deployment(input, name));
            case 13 -> violateWith(input, fields, "status", "5", name + ": status not a string");
            default -> {
                // clean
            }
        }
        StringBuilder text = new StringBuilder("{");
        fields.forEach((key, value) -> text.append(text.length() > 1 ? ", " : "").append(quote(key)).append(": ")
                .append(value));
        return text.append('}').toString();
    }

    private String deployment(Case input, String where) {
        String healthy = pick("true", "true", "true", "false", "null", "\"true\"", "1");
        if (!healthy.equals("true")) {
            input.violate(where + ": deployment healthy is " + healthy);
        }
        return "{\"healthy\": " + healthy + "}";
    }

    private String serving(Case input) {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return "{\"healthy\": true, \"detail\": \"ok\"}";
        }
        String healthy = pick("false", "null", "\"true\"", "1", "[true]");
        input.violate("serving healthy is " + healthy);
        return switch (kind) {
            case 5 -> "{\"detail\": \"no verdict\"}";
            case 6 -> "[true]";
            default -> "{\"healthy\": " + healthy + "}";
        };
    }

    private void violateWith(Case input, Map<String, String> fields, String field, String value, String rule) {
        fields.put(field, value);
        input.violate(rule + " (" + abbreviate(value) + ")");
    }

    // ------------------------------------------------------------------------------------------- ptq

    private static final String[][] TARGET_SPELLINGS = {{"NVFP4", "nvfp4", "Nvfp4", "NVFP4_AWQ", "fp4"},
        {"FP8", "fp8", "FP8-E4M3", "float8_e4m3fn"}};
    private static final String[] UNEXPECTED = {"unexpected_unquantized", "UNEXPECTED-UNQUANTIZED",
        " Unexpected Unquantized ", "unexpected__unquantized"};
    private static final String[] MISMATCH = {"declaration_mismatch", "DECLARATION-MISMATCH", "Declaration Mismatch"};
    private static final String[] BAD_COUNTS = {"-1", "1.5", "\"3\"", "true", "null", "1e308", "9223372036854775808",
        "[3]", "NaN"};
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Case ptqCase() {
        Case input = new Case();
        boolean fp8 = random.nextBoolean();
        int bits = fp8 ? 8 : 4;
        String[] targetSpellings = TARGET_SPELLINGS[fp8 ? 1 : 0];
        Map<String, String> doc = new LinkedHashMap<>();
        String recipe = fp8 ? "fp8" : pick("nvfp4", "nvfp4_mlp_only", "NVFP4");
        String override = null;
        int recipeKind = random.nextInt(14);
        if (recipeKind == 0) {
            doc.put("recipe", pick("\"nvfp5\"", "5", "\"\""));
            input.violate("unknown recipe");
        } else if (recipeKind == 1) {
            input.violate("no recipe");
        } else if (recipeKind == 2) {
            override = recipe;
        } else if (recipeKind == 3) {
            override = "int3";
            input.violate("unknown --recipe");
        } else {
            doc.put("recipe", quote(recipe));
        }
        // Sizes.
        long sourceBytes = 1000 + (long) (random.nextDouble() * 1e11);
        double factor = random.nextInt(6) == 0 ? 0.9 + random.nextInt(40) / 100.0 : 0.2 + random.nextDouble() * 0.7;
        String sourceText = Long.toString(sourceBytes);
        String outputText = Long.toString((long) (sourceBytes * factor));
        int sizeKind = random.nextInt(10);
        if (sizeKind == 0) {
            sourceText = pick("5e-324", "1e-320", "1e308", "9223372036854775807", "1e999999", "0", "-1", "0.5");
        } else if (sizeKind == 1) {
            outputText = pick("5e-324", "1e308", "1e999999", "0", "-1", "4.9e-324");
        } else if (sizeKind == 2) {
            String bad = pick("\"100\"", "null", "true", "[100]", "NaN");
            if (random.nextBoolean()) {
                sourceText = bad;
            } else {
                outputText = bad;
            }
        }
        doc.put("source_bytes", sourceText);
        doc.put("output_bytes", outputText);
        Double source = finite(sourceText);
        Double output = finite(outputText);
        if (source == null || output == null || source <= 0 || output <= 0) {
            input.violate("a size is not a positive finite number");
        }
        // Waiver fields.
        String accept = random.nextInt(6) == 0 ? pick("true", "false", "null", "\"yes\"", "1") : null;
        if (accept != null) {
            doc.put("accept_size_growth", accept);
            if (!List.of("true", "false", "null").contains(accept)) {
                input.violate("accept_size_growth is " + accept);
            }
        }
        String sourcePrecision = random.nextInt(6) == 0 ? pick("\"nvfp4\"", "\"fp8\"", "\"bf16\"", "\"fp5\"", "5")
                : null;
        Integer sourceBits = null;
        if (sourcePrecision != null) {
            doc.put("source_precision", sourcePrecision);
            switch (sourcePrecision) {
                case "\"nvfp4\"" -> sourceBits = 4;
                case "\"fp8\"" -> sourceBits = 8;
                case "\"bf16\"" -> sourceBits = 16;
                default -> input.violate("source_precision is " + sourcePrecision);
            }
        }
        if (input.violation == null) {
            double ratio = output / source;
            if (!Double.isFinite(ratio) || !(ratio > 0)) {
                input.violate("the size ratio cannot be computed");
            } else if (ratio >= 1.0 && !"true".equals(accept)
                    && !(sourceBits != null && sourceBits <= bits && ratio <= 1.10)) {
                input.violate("size not reduced: ratio " + ratio);
            }
        }
        // Layer counts, in groups of look-alike spellings that normalise to one key.
        StringBuilder counts = new StringBuilder("{");
        BigInteger covered = BigInteger.ZERO;
        BigInteger unexpected = BigInteger.ZERO;
        BigInteger mismatched = BigInteger.ZERO;
        List<String> used = new ArrayList<>();
        int entries = 1 + random.nextInt(5);
        for (int i = 0; i < entries; i++) {
            int group = random.nextInt(10);
            String key;
            if (group < 4) {
                key = targetSpellings[random.nextInt(targetSpellings.length)];
            } else if (group < 6) {
                key = UNEXPECTED[random.nextInt(UNEXPECTED.length)];
            } else if (group < 7) {
                key = MISMATCH[random.nextInt(MISMATCH.length)];
            } else {
                key = pick("excluded", "BF16", "bf16/excluded", "lm_head");
            }
            if (used.contains(key) && random.nextInt(4) != 0) {
                continue;
            }
            if (used.contains(key)) {
                input.violate("duplicate count key " + key);
            }
            used.add(key);
            String value;
            int valueKind = random.nextInt(12);
            if (valueKind == 0) {
                value = BAD_COUNTS[random.nextInt(BAD_COUNTS.length)];
                input.violate("count of " + key + " is " + value);
            } else if (valueKind == 1) {
                value = "9223372036854775807";
            } else if (valueKind == 2) {
                value = random.nextInt(3) + ".0";
            } else if (group >= 4 && group < 7 && random.nextInt(3) != 0) {
                value = "0";
            } else {
                value = Integer.toString(random.nextInt(300));
            }
            BigInteger amount = value.matches("[0-9]+(\\.0)?") ? new BigInteger(value.replace(".0", ""))
                    : BigInteger.ZERO;
            if (group < 4) {
                covered = covered.add(amount);
            } else if (group < 6) {
                unexpected = unexpected.add(amount);
            } else if (group < 7) {
                mismatched = mismatched.add(amount);
            }
            counts.append(counts.length() > 1 ? ", " : "").append(quote(key)).append(": ").append(value);
        }
        counts.append('}');
        if (covered.compareTo(LONG_MAX) > 0 || unexpected.compareTo(LONG_MAX) > 0
                || mismatched.compareTo(LONG_MAX) > 0) {
            input.violate("a normalised count overflows a long");
        } else if (covered.signum() == 0) {
            input.violate("no layer at the target precision");
        } else if (unexpected.signum() > 0) {
            input.violate("unexpected unquantized layers: " + unexpected);
        } else if (mismatched.signum() > 0) {
            input.violate("declaration mismatches: " + mismatched);
        }
        if (random.nextInt(20) == 0) {
            doc.put("layer_precision_counts", pick("[]", "null", "\"many\""));
            input.violate("layer_precision_counts is not an object");
        } else {
            doc.put("layer_precision_counts", counts.toString());
        }
        int diffs = random.nextInt(12);
        if (diffs == 0) {
            doc.put("metadata_diffs", pick("[\"dtype changed\"]", "[1]", "\"dtype\"", "{}"));
            input.violate("metadata differs or is malformed");
        } else if (diffs < 8) {
            doc.put("metadata_diffs", pick("[]", "null"));
        }
        StringBuilder text = new StringBuilder("{");
        doc.forEach((key, value) -> text.append(text.length() > 1 ? ", " : "").append(quote(key)).append(": ")
                .append(value));
        if (random.nextInt(25) == 0) {
            text.append(text.length() > 1 ? ", " : "").append("\"source_bytes\": 1");
            input.violate("duplicate source_bytes");
        }
        text.append('}');
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int encoding = random.nextInt(25);
        if (encoding == 0) {
            bytes = concat(BOM, bytes);
        } else if (encoding == 1) {
            bytes = invalidUtf8(bytes);
            input.violate("invalid UTF-8");
        } else if (encoding == 2) {
            bytes = "{}".getBytes(StandardCharsets.UTF_8);
            input.violate("empty summary");
        }
        input.args.addAll(List.of("gate", "ptq", "--summary", input.file(dir.resolve("summary.json"), bytes)
                .toString()));
        if (override != null) {
            input.args.addAll(List.of("--recipe", override));
        }
        return input;
    }

    // ------------------------------------------------------------------------------------------- helpers

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    /** A double as a JSON number literal that reads back as the same double. */
    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value).replace("E", "e");
    }

    private static String quote(String text) {
        return Json.writeLine(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
    }

    /** A JSON object from literal values, with {@code duplicate}'s entry written twice when it is given. */
    private static byte[] document(Map<String, String> entries, String duplicate) {
        StringBuilder text = new StringBuilder("{");
        entries.forEach((key, value) -> text.append(text.length() > 1 ? ", " : "").append(quote(key)).append(": ")
                .append(value));
        if (duplicate != null && entries.containsKey(duplicate)) {
            text.append(", ").append(quote(duplicate)).append(": ").append(entries.get(duplicate));
        }
        return text.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The document with an invalid UTF-8 byte inside its first key. */
    private static byte[] invalidUtf8(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean done = false;
        for (int i = 0; i < bytes.length; i++) {
            out.write(bytes[i]);
            if (!done && bytes[i] == '"') {
                out.write(0xC3);
                out.write(0x28);
                done = true;
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    /**
     * {@code java -cp ... dev.day0.fuzz.GateFuzz [cases per gate] [seed] [dir] [shards per gate]}: prints one line
     * per gate. Shard k of gate g uses seed {@code seed + 1000 * g + k} (one shard: seed + g, as the test does).
     */
    public static void main(String[] args) throws IOException {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261201L;
        Path base = args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir"));
        int shards = args.length > 3 ? Math.max(1, Integer.parseInt(args[3])) : 1;
        System.out.println("day0 gate fuzz: " + String.format(Locale.ROOT, "%,d", cases) + " cases per gate in "
                + shards + " shard(s), seed " + seed);
        // One thread and one directory per shard: the shards share nothing.
        Map<Gate, Report> reports = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        long started = System.nanoTime();
        for (Gate gate : Gate.values()) {
            for (int shard = 0; shard < shards; shard++) {
                Path dir = Files.createTempDirectory(base, "day0-fuzz-" + gate.name().toLowerCase(Locale.ROOT));
                dirs.add(dir);
                long shardSeed = shards == 1 ? seed + gate.ordinal() : seed + 1000L * gate.ordinal() + shard;
                int shardCases = cases / shards + (shard < cases % shards ? 1 : 0);
                Thread thread = new Thread(() -> {
                    Report report = new GateFuzz(dir, shardSeed).run(gate, shardCases);
                    reports.merge(gate, report, Report::plus);
                }, "fuzz-" + gate + "-" + shard);
                threads.add(thread);
                thread.start();
            }
        }
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Path dir : dirs) {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
        boolean clean = reports.size() == Gate.values().length;
        for (Report report : reports.values()) {
            clean &= report.inputs() == cases;
        }
        for (Gate gate : Gate.values()) {
            Report report = reports.get(gate);
            if (report == null) {
                System.out.println("gate " + gate.name().toLowerCase(Locale.ROOT) + ": the campaign did not finish");
                continue;
            }
            System.out.println(report.line());
            report.examples().forEach(example -> System.out.println("  " + example));
            clean &= report.clean();
        }
        System.out.println(String.format(Locale.ROOT, "%.1f s in all", (System.nanoTime() - started) / 1e9));
        System.exit(clean ? 0 : 1);
    }
}
