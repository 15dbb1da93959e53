package dev.day0.evidence.eval;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark, not a test: the byte-level sample reader against the Jackson path it replaced, in one warm JVM,
 * alternated round by round over the same file (so both see the same machine load), each feeding a
 * {@link SampleAccount} as {@code inspect eval} does. Prints the medians of CPU time and throughput.
 * Run: {@code java -Xmx256m -XX:+UseSerialGC -cp target/test-classes:target/day0.jar
 * dev.day0.evidence.eval.SampleReaderBench FILE [rounds]} (FILE e.g. from {@code Bench fixtures}).
 */
public final class SampleReaderBench {
    private SampleReaderBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double megabytes = Files.size(file) / 1e6;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] fast = new double[rounds];
        double[] jackson = new double[rounds];
        for (int round = -2; round < rounds; round++) {
            for (boolean useJackson : new boolean[] {false, true}) {
                long cpu = threads.getCurrentThreadCpuTime();
                SampleAccount account = new SampleAccount(null);
                if (useJackson) {
                    SampleFileReader.streamWithJackson(file, null, false, account);
                } else {
                    SampleFileReader.stream(file, null, false, account);
                }
                double seconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
                if (round >= 0) {
                    (useJackson ? jackson : fast)[round] = seconds;
                }
            }
        }
        Arrays.sort(fast);
        Arrays.sort(jackson);
        double f = fast[rounds / 2];
        double j = jackson[rounds / 2];
        System.out.printf(Locale.ROOT, "%.0f MB, median of %d rounds (after 2 warm-up rounds), CPU time of the "
                + "reading thread:%n  byte-level reader %.2f s (%.0f MB/s)%n  Jackson path      %.2f s (%.0f MB/s)%n"
                + "  speed-up %.2fx%n", megabytes, rounds, f, megabytes / f, j, megabytes / j, j / f);
    }
}
