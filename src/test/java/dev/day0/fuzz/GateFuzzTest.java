package dev.day0.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The fuzz campaign at a few thousand cases per gate with a fixed seed, in this JVM. The bench entry
 * ({@code bench/gate-fuzz.sh}) runs 100,000 per gate.
 */
public class GateFuzzTest {
    private static final long SEED = 20261201L;
    private static final int CASES = 2000;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private GateFuzz.Report campaign(GateFuzz.Gate gate) {
        Path dir = temp.getRoot().toPath();
        return new GateFuzz(dir, SEED + gate.ordinal()).run(gate, CASES);
    }

    private static void assertFailsClosed(GateFuzz.Report report) {
        assertThat(report.inputs()).isEqualTo(CASES);
        assertThat(report.falsePasses()).as(report.line() + "\n" + String.join("\n", report.examples())).isZero();
        assertThat(report.exit70s()).as(report.line() + "\n" + String.join("\n", report.examples())).isZero();
        assertThat(report.unnamedExit2()).as(report.line() + "\n" + String.join("\n", report.examples())).isZero();
        // The campaign is only worth something if it reaches both sides of the rules.
        assertThat(report.passes()).as(report.line()).isGreaterThan(CASES / 50);
        assertThat(report.ruleBreaking()).as(report.line()).isGreaterThan(CASES / 4);
        assertThat(report.refusedExit2()).as(report.line()).isGreaterThan(CASES / 20);
    }

    @Test
    public void shouldNeverPassOrCrashOnGeneratedCompareInputs() {
        assertFailsClosed(campaign(GateFuzz.Gate.COMPARE));
    }

    @Test
    public void shouldNeverPassOrCrashOnGeneratedRunSummaries() {
        assertFailsClosed(campaign(GateFuzz.Gate.RUN));
    }

    @Test
    public void shouldNeverPassOrCrashOnGeneratedPtqSummaries() {
        assertFailsClosed(campaign(GateFuzz.Gate.PTQ));
    }

    @Test
    public void shouldGenerateTheSameCasesForTheSameSeed() {
        GateFuzz.Report first = new GateFuzz(temp.getRoot().toPath(), SEED).run(GateFuzz.Gate.COMPARE, 300);
        GateFuzz.Report second = new GateFuzz(temp.getRoot().toPath(), SEED).run(GateFuzz.Gate.COMPARE, 300);

        assertThat(second.line()).isEqualTo(first.line());
    }
}
