package dev.day0.bench;

import dev.day0.noise.DropInterval;
import dev.day0.noise.DropStatistics;
import dev.day0.noise.PairedItems;
import dev.day0.noise.SamplePairing;
import dev.day0.noise.SyntheticSamples;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark: pairing 12,032 items x 64 repeats per side (770,048 records per run).
 * <ol>
 *   <li>in memory: records handed to {@link SamplePairing} as the sample reader hands them over, then pairing and
 *       the interval;</li>
 *   <li>end to end: {@code day0 gate compare --noise paired} in this JVM on two per-generation sample files
 *       (written once into DIR, default a temp directory), which adds reading and parsing the files.</li>
 * </ol>
 * Run: {@code mvn -B -o -q package -DskipTests && java -cp target/day0.jar:target/test-classes
 * dev.day0.bench.PairingBench [DIR]}. It prints each figure as the median of 5 runs after 2 warm-up runs.
 */
public final class PairingBench {
    static final int ITEMS = 12_032;
    static final int REPEATS = 64;
    private static final int WARMUP = 2;
    private static final int RUNS = 5;

    private PairingBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("day0-pairing-bench");
        String[] ids = new String[ITEMS];
        String[] docHashes = new String[ITEMS];
        String[] promptHashes = new String[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            ids[i] = Integer.toString(i);
            docHashes[i] = SyntheticSamples.hash("doc", i);
            promptHashes[i] = SyntheticSamples.hash("prompt", i);
        }
        double[] memory = new double[RUNS];
        for (int run = -WARMUP; run < RUNS; run++) {
            long start = System.nanoTime();
            SamplePairing pairing = new SamplePairing();
            for (int i = 0; i < ITEMS; i++) {
                for (int r = 0; r < REPEATS; r++) {
                    pairing.baseline(ids[i], docHashes[i], promptHashes[i], null, baselineOutcome(i, r));
                    pairing.candidate(ids[i], docHashes[i], promptHashes[i], null, candidateOutcome(i, r));
                }
            }
            PairedItems items = pairing.pair().items();
            double[] deltas = new double[items.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = items.baseline()[i] - items.candidate()[i];
            }
            DropInterval interval = DropStatistics.paired(deltas, null, 0);
            if (run >= 0) {
                memory[run] = (System.nanoTime() - start) / 1e6;
            }
            if (run == RUNS - 1) {
                System.out.printf(Locale.ROOT, "interval of the drop: [%.5f, %.5f] over %d items%n", interval.lower(),
                        interval.upper(), items.size());
            }
        }

        writeFiles(dir);
        Path baselineDir = dir.resolve("baseline");
        Path candidateDir = dir.resolve("candidate");
        Path baselineFile = baselineDir.resolve("samples_bench_2026-01-01T00-00-00.jsonl");
        double[] endToEnd = new double[RUNS];
        String verdict = null;
        for (int run = -WARMUP; run < RUNS; run++) {
            long start = System.nanoTime();
            CliRun result = CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                    "--candidate", dir.resolve("c.json").toString(), "--noise", "paired",
                    "--baseline-samples", baselineDir.toString(), "--candidate-samples", candidateDir.toString());
            if (run >= 0) {
                endToEnd[run] = (System.nanoTime() - start) / 1e6;
            }
            if (result.exitCode() == 2 || result.exitCode() == 70) {
                throw new IllegalStateException("the gate refused the bench files: " + result);
            }
            verdict = result.out().replaceAll("(?s).*\"decision\" : \"([A-Z_]+)\".*", "$1");
        }
        System.out.printf(Locale.ROOT, "pairing in memory, %,d x %d records per side: median %.0f ms (runs %s)%n",
                ITEMS, REPEATS, median(memory), Arrays.toString(round(memory)));
        System.out.printf(Locale.ROOT, "gate compare --noise paired on two %,d-line files (%.0f MB each): median "
                + "%.0f ms (runs %s), decision %s%n", ITEMS * REPEATS, Files.size(baselineFile) / 1e6,
                median(endToEnd), Arrays.toString(round(endToEnd)), verdict);
        System.out.println("files kept in " + dir + " for a process-level run with bin/day0");
    }

    /** The two per-generation sample files (baseline/, candidate/) and their score files b.json and c.json. */
    static void writeFiles(Path dir) throws IOException {
        Path baselineDir = Files.createDirectories(dir.resolve("baseline"));
        Path candidateDir = Files.createDirectories(dir.resolve("candidate"));
        Path baselineFile = baselineDir.resolve("samples_bench_2026-01-01T00-00-00.jsonl");
        Path candidateFile = candidateDir.resolve("samples_bench_2026-01-01T00-00-00.jsonl");
        SyntheticSamples.writeCompact(baselineFile, ITEMS, REPEATS, PairingBench::baselineOutcome);
        SyntheticSamples.writeCompact(candidateFile, ITEMS, REPEATS, PairingBench::candidateOutcome);
        double baselineMean = mean(PairingBench::baselineOutcome);
        double candidateMean = mean(PairingBench::candidateOutcome);
        Files.writeString(dir.resolve("b.json"), String.format(Locale.ROOT, "{\"bench\": %.8f}", baselineMean));
        Files.writeString(dir.resolve("c.json"), String.format(Locale.ROOT, "{\"bench\": %.8f}", candidateMean));
    }

    /** Item i is solved with probability about i / ITEMS; the candidate loses one in 64 generations. */
    static int baselineOutcome(int item, int repeat) {
        return (item * 31 + repeat * 17) % ITEMS < item ? 1 : 0;
    }

    static int candidateOutcome(int item, int repeat) {
        return repeat == 0 ? 0 : baselineOutcome(item, repeat);
    }

    private static double mean(java.util.function.IntBinaryOperator outcome) {
        long sum = 0;
        for (int i = 0; i < ITEMS; i++) {
            for (int r = 0; r < REPEATS; r++) {
                sum += outcome.applyAsInt(i, r);
            }
        }
        return (double) sum / ((long) ITEMS * REPEATS);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }
}
