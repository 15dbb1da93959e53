package dev.day0.bench;

import dev.day0.noise.DropInterval;
import dev.day0.noise.DropStatistics;
import dev.day0.noise.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The simulation study of docs/noise.md: synthetic paired populations (one binary outcome per item and run) with
 * a known true drop, judged by the point rule (observed drop over the threshold is a REGRESSION) and by the
 * paired rule (the engine's paired t-interval: lower bound over the threshold is a BREACH, hence REGRESSION).
 *
 * <p>Population: each item flips from right to wrong with probability (f + d) / 2 and from wrong to right with
 * probability (f - d) / 2, so f is the flip rate and d the true drop; every other item is answered the same way
 * by both runs, right with probability 0.7.
 *
 * <p>Run: {@code mvn -B -o -q package -DskipTests && java -cp target/day0.jar:target/test-classes
 * dev.day0.bench.NoiseSimulation [repetitions] [seed]} (defaults 2000 and 20261122).
 */
public final class NoiseSimulation {
    public static final double THRESHOLD = 0.01;
    public static final double AGREE_RIGHT = 0.7;
    public static final int[] SIZES = {198, 500, 12_032};
    public static final double[] FLIP_RATES = {0.02, 0.05, 0.10};
    public static final double[] TRUE_DROPS = {0.0, 0.005, 0.01, 0.015, 0.02};

    /** The outcome rates of one cell: n, flip rate and true drop. */
    public record Cell(int n, double flipRate, double trueDrop, int repetitions, double pointRegression,
                       double pairedRegression, double pairedAccept, double pairedInconclusive) {
    }

    private NoiseSimulation() {
    }

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261122L;
        long start = System.nanoTime();
        List<Cell> cells = run(SIZES, FLIP_RATES, TRUE_DROPS, repetitions, seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(markdown(cells));
        System.out.printf(Locale.ROOT, "%n%d cells x %d repetitions, seed %d, %.1f s%n", cells.size(), repetitions,
                seed, seconds);
    }

    public static List<Cell> run(int[] sizes, double[] flipRates, double[] drops, int repetitions, long seed) {
        List<Cell> cells = new ArrayList<>();
        SplittableRandom root = new SplittableRandom(seed);
        for (int n : sizes) {
            for (double f : flipRates) {
                for (double d : drops) {
                    cells.add(cell(n, f, d, repetitions, root.split()));
                }
            }
        }
        return cells;
    }

    static Cell cell(int n, double flipRate, double trueDrop, int repetitions, SplittableRandom random) {
        if (trueDrop > flipRate) {
            throw new IllegalArgumentException("a drop larger than the flip rate cannot be built from flips");
        }
        double worse = (flipRate + trueDrop) / 2;
        double better = (flipRate - trueDrop) / 2;
        double[] deltas = new double[n];
        int point = 0;
        int pairedRegression = 0;
        int pairedAccept = 0;
        for (int r = 0; r < repetitions; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double u = random.nextDouble();
                double delta;
                if (u < worse) {
                    delta = 1;
                } else if (u < worse + better) {
                    delta = -1;
                } else {
                    // Both runs agree (right with probability AGREE_RIGHT): the item contributes no difference.
                    random.nextDouble();
                    delta = 0;
                }
                deltas[i] = delta;
                sum += delta;
            }
            if (sum / n > THRESHOLD) {
                point++;
            }
            DropInterval interval = DropStatistics.paired(deltas, null, 0);
            Verdict verdict = interval.verdict(THRESHOLD);
            if (verdict == Verdict.BREACH) {
                pairedRegression++;
            } else if (verdict == Verdict.PASS) {
                pairedAccept++;
            }
        }
        return new Cell(n, flipRate, trueDrop, repetitions, (double) point / repetitions,
                (double) pairedRegression / repetitions, (double) pairedAccept / repetitions,
                (double) (repetitions - pairedRegression - pairedAccept) / repetitions);
    }

    static String markdown(List<Cell> cells) {
        StringBuilder md = new StringBuilder();
        md.append("| n | flip rate | false REGRESSION at drop 0: point rule | paired rule | paired ACCEPT at 0 "
                + "| detects drop 2 pts (2x threshold): point rule | paired rule | paired ACCEPT of the 2-pt drop |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Cell zero : cells) {
            if (zero.trueDrop() != 0) {
                continue;
            }
            Cell twice = find(cells, zero.n(), zero.flipRate(), 2 * THRESHOLD);
            md.append(String.format(Locale.ROOT, "| %,d | %.0f %% | %s | %s | %s | %s | %s | %s |%n", zero.n(),
                    zero.flipRate() * 100, pct(zero.pointRegression()), pct(zero.pairedRegression()),
                    pct(zero.pairedAccept()), pct(twice.pointRegression()), pct(twice.pairedRegression()),
                    pct(twice.pairedAccept())));
        }
        md.append("\nREGRESSION rate by true drop (point rule / paired rule):\n\n| n | flip rate |");
        for (double d : TRUE_DROPS) {
            md.append(String.format(Locale.ROOT, " drop %.1f pts |", d * 100));
        }
        md.append("\n|---:|---:|");
        for (int i = 0; i < TRUE_DROPS.length; i++) {
            md.append("---:|");
        }
        md.append('\n');
        for (Cell zero : cells) {
            if (zero.trueDrop() != 0) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %,d | %.0f %% |", zero.n(), zero.flipRate() * 100));
            for (double d : TRUE_DROPS) {
                Cell cell = find(cells, zero.n(), zero.flipRate(), d);
                md.append(' ').append(pct(cell.pointRegression())).append(" / ").append(pct(cell.pairedRegression()))
                        .append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    static Cell find(List<Cell> cells, int n, double flipRate, double drop) {
        for (Cell cell : cells) {
            if (cell.n() == n && cell.flipRate() == flipRate && Math.abs(cell.trueDrop() - drop) < 1e-12) {
                return cell;
            }
        }
        throw new IllegalArgumentException("no cell n=" + n + ", f=" + flipRate + ", d=" + drop);
    }

    private static String pct(double rate) {
        return String.format(Locale.ROOT, "%.1f %%", rate * 100);
    }
}
