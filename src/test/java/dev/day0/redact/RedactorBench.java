package dev.day0.redact;

import dev.day0.testing.SecretCorpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How long the redactor takes per string, over the strings a 1,000-task gate call redacts (task and metric names,
 * figures as text, verdicts, paths, progress lines) and over the secret corpus. Not a test: it prints figures.
 * Only {@link Redactor#redact} is called, so an older redactor put first on the class path is measured the same
 * way (docs/benchmarks.md "Redactor").
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) dev.day0.bench.Bench redact [--rounds 30]
 * </pre>
 */
public final class RedactorBench {
    private static final String[] TASKS = {"arc_challenge", "arc_easy", "hellaswag", "winogrande", "piqa",
        "mmlu_high_school_european_history", "mmlu_college_computer_science", "gsm8k_cot_zeroshot", "truthfulqa_mc2",
        "lambada_openai", "boolq", "openbookqa", "ifeval", "bbh_cot_fewshot_date_understanding"};
    private static final String[] METRICS = {"acc", "acc_norm", "exact_match,strict-match", "prompt_level_strict_acc",
        "acc_stderr", "f1"};

    private RedactorBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 1 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 30;
        List<String> gate = gateStrings();
        List<String> corpus = new ArrayList<>(SecretCorpus.get().mustStayUnchanged());
        SecretCorpus.get().secretBearing().forEach(entry -> corpus.add(entry.text()));
        Redactor redactor = Redactor.withSecrets(Set.of("tenant-token-0f3a9c2e7b"));
        // Warm-up: let the JIT compile the rules and the scan before anything is timed.
        for (int i = 0; i < Math.max(3, rounds / 3); i++) {
            run(redactor, gate);
            run(redactor, corpus);
        }
        report("gate call strings", gate, measure(redactor, gate, rounds));
        report("corpus texts", corpus, measure(redactor, corpus, rounds));
    }

    /** What one 1,000-task gate compare redacts: every string value and field name of its result, and its lines. */
    static List<String> gateStrings() {
        List<String> strings = new ArrayList<>();
        for (int task = 0; task < 1000; task++) {
            String name = TASKS[task % TASKS.length] + (task < TASKS.length ? "" : "_" + task);
            String metric = METRICS[task % METRICS.length];
            strings.add(name);
            strings.add(metric);
            strings.add(task % 7 == 0 ? "REGRESSION" : "PASS");
            strings.add(String.format(Locale.ROOT, "%.4f", 0.3 + task % 50 / 100.0));
            strings.add("baseline " + String.format(Locale.ROOT, "%.4f", 0.5 + task % 13 / 100.0) + " -> candidate "
                    + String.format(Locale.ROOT, "%.4f", 0.49 + task % 11 / 100.0) + ", threshold 0.01");
            strings.add("/work/runs/2026-12-02T04:30:00Z/candidate/results_" + name + ".json");
        }
        strings.add("day0 gate compare: 1000 tasks, 143 regressions, decision REGRESSION");
        return strings;
    }

    private static long measure(Redactor redactor, List<String> strings, int rounds) {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            run(redactor, strings);
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }

    private static int run(Redactor redactor, List<String> strings) {
        int changed = 0;
        for (String text : strings) {
            if (redactor.redact(text) != text) {
                changed++;
            }
        }
        return changed;
    }

    private static void report(String what, List<String> strings, long nanos) {
        System.out.printf(Locale.ROOT, "%-18s %6d strings  best round %8.2f ms  %7.2f us per string%n", what,
                strings.size(), nanos / 1e6, nanos / 1e3 / strings.size());
    }
}
