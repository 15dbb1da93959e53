package dev.day0.evidence.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark, not a test: the sample readers over the same file in one warm JVM, alternated round by round (so
 * all see the same machine load), each feeding a {@link SampleAccount} as {@code inspect eval} does: the
 * byte-level reader on every core (what {@code inspect eval} runs on a large file), the same reader on the
 * calling thread alone, and the Jackson path it replaced. Prints the medians of wall time and throughput.
 * Run: {@code java -Xmx256m -XX:+UseSerialGC [-XX:TieredStopAtLevel=1] -cp target/test-classes:target/day0.jar
 * dev.day0.evidence.eval.SampleReaderBench FILE [rounds]} (FILE e.g. from {@code Bench fixtures}).
 */
public final class SampleReaderBench {
    private static final String[] READERS = {"byte-level, every core", "byte-level, one thread", "Jackson path"};

    private SampleReaderBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double megabytes = Files.size(file) / 1e6;
        int cores = Runtime.getRuntime().availableProcessors();
        double[][] seconds = new double[READERS.length][rounds];
        for (int round = -2; round < rounds; round++) {
            for (int reader = 0; reader < READERS.length; reader++) {
                long start = System.nanoTime();
                SampleAccount account = new SampleAccount(null);
                switch (reader) {
                    case 0 -> SampleFileReader.stream(file, null, false, account, SampleFileReader.CHUNK_BYTES,
                            1 << 26, cores, 0);
                    case 1 -> SampleFileReader.stream(file, null, false, account, SampleFileReader.CHUNK_BYTES,
                            1 << 26, 1, 0);
                    default -> SampleFileReader.streamWithJackson(file, null, false, account);
                }
                if (round >= 0) {
                    seconds[reader][round] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%.0f MB, %d cores, median of %d rounds (after 2 warm-up rounds), wall time:%n",
                megabytes, cores, rounds);
        for (int reader = 0; reader < READERS.length; reader++) {
            Arrays.sort(seconds[reader]);
            double median = seconds[reader][rounds / 2];
            System.out.printf(Locale.ROOT, "  %-24s %.2f s (%.0f MB/s)%n", READERS[reader], median,
                    megabytes / median);
        }
    }
}
