package dev.day0.noise;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes per-sample files in the shape lm-evaluation-harness gives them (one JSON object per line with doc_id,
 * doc, target, arguments, resps, filtered_resps, filter, metrics, doc_hash, prompt_hash, target_hash and the
 * metric), for tests and benchmarks. Repeats are written as one line per generation, as per-item exports do.
 */
public final class SyntheticSamples {
    private SyntheticSamples() {
    }

    /**
     * Two runs on the same {@code n} items with binary outcomes: the first {@code worse} items go from right to
     * wrong, the next {@code better} from wrong to right, and both runs agree on the rest, a share
     * {@code agreeRight} of which (spread evenly) they get right.
     */
    public static double[][] binaryPair(int n, int worse, int better, double agreeRight) {
        double[] baseline = new double[n];
        double[] candidate = new double[n];
        for (int i = 0; i < n; i++) {
            if (i < worse) {
                baseline[i] = 1;
            } else if (i < worse + better) {
                candidate[i] = 1;
            } else {
                double right = Math.floor((i + 1) * agreeRight) - Math.floor(i * agreeRight);
                baseline[i] = right;
                candidate[i] = right;
            }
        }
        return new double[][] {baseline, candidate};
    }

    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** One line per item. */
    public static void write(Path file, double[] values, String[] categories) {
        double[][] repeats = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            repeats[i] = new double[] {values[i]};
        }
        write(file, repeats, categories, "acc", "none");
    }

    /**
     * One line per item and repeat.
     *
     * @param categories per-item category written into {@code doc.category}, or null for none
     */
    public static void write(Path file, double[][] repeats, String[] categories, String metric, String filter) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder(256);
                for (int i = 0; i < repeats.length; i++) {
                    for (double value : repeats[i]) {
                        line.setLength(0);
                        line.append("{\"doc_id\": ").append(i).append(", \"doc\": {\"question\": \"Question ")
                                .append(i).append("?\"");
                        if (categories != null) {
                            line.append(", \"category\": \"").append(categories[i]).append('"');
                        }
                        line.append("}, \"target\": \"").append(i % 4).append("\", \"arguments\": {\"gen_args_0\": ")
                                .append("{\"arg_0\": \"Question ").append(i).append("?\", \"arg_1\": \"\"}}, ")
                                .append("\"resps\": [[\"answer\"]], \"filtered_resps\": [\"answer\"], \"filter\": \"")
                                .append(filter).append("\", \"metrics\": [\"").append(metric)
                                .append("\"], \"doc_hash\": \"").append(hash("doc", i))
                                .append("\", \"prompt_hash\": \"").append(hash("prompt", i))
                                .append("\", \"target_hash\": \"").append(hash("target", i)).append("\", \"")
                                .append(metric).append("\": ").append(String.format(Locale.ROOT, "%.6f", value))
                                .append("}\n");
                        out.append(line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One short line per item and generation, with only the fields pairing reads (doc_id, doc_hash, prompt_hash,
     * filter, metrics and the metric), the way a per-generation export looks; used to time pairing itself.
     *
     * @param outcome outcome(item, repeat) of the metric
     */
    public static void writeCompact(Path file, int items, int repeats, java.util.function.IntBinaryOperator outcome) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder(256);
                for (int i = 0; i < items; i++) {
                    String docHash = hash("doc", i);
                    String promptHash = hash("prompt", i);
                    for (int r = 0; r < repeats; r++) {
                        line.setLength(0);
                        line.append("{\"doc_id\": ").append(i).append(", \"doc_hash\": \"").append(docHash)
                                .append("\", \"prompt_hash\": \"").append(promptHash)
                                .append("\", \"filter\": \"none\", \"metrics\": [\"exact_match\"], \"exact_match\": ")
                                .append(outcome.applyAsInt(i, r)).append("}\n");
                        out.append(line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stable 64-hex-digit stand-in for the harness's sha256 of an item. */
    public static String hash(String kind, int i) {
        long x = (kind.hashCode() * 0x9E3779B97F4A7C15L) ^ (i * 0xBF58476D1CE4E5B9L);
        StringBuilder hex = new StringBuilder(64);
        for (int k = 0; k < 4; k++) {
            x ^= x >>> 31;
            x *= 0x94D049BB133111EBL;
            x ^= x >>> 29;
            hex.append(String.format(Locale.ROOT, "%016x", x));
        }
        return hex.toString();
    }
}
