package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class SamplePairingTest {

    @Test
    public void shouldAverageRepeatsPerItem() {
        SamplePairing pairing = new SamplePairing();
        for (double v : new double[] {1, 0, 1, 1}) {
            pairing.baseline("1", "h1", "p1", null, v);
        }
        pairing.baseline("2", "h2", "p2", null, 0);
        pairing.candidate("1", "h1", "p1", null, 0.5);
        pairing.candidate("2", "h2", "p2", null, 1);

        PairedItems items = pairing.pair().items();

        assertThat(items.size()).isEqualTo(2);
        assertThat(items.baseline()).containsExactly(0.75, 0.0);
        assertThat(items.candidate()).containsExactly(0.5, 1.0);
        assertThat(items.minRepeats()).isEqualTo(1);
        assertThat(items.maxRepeats()).isEqualTo(4);
        assertThat(items.binary()).isFalse();
        assertThat(items.withinBaseline()).isEqualTo(0.25);
    }

    @Test
    public void shouldMarkSingleZeroOneOutcomesAsBinary() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", null, null, 1);
        pairing.baseline("2", "h2", null, null, 0);
        pairing.candidate("1", "h1", null, null, 0);
        pairing.candidate("2", "h2", null, null, 0);

        assertThat(pairing.pair().items().binary()).isTrue();
    }

    @Test
    public void shouldRefuseItemsOnlyOneRunHas() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", null, null, 1);
        pairing.baseline("3", "h3", null, null, 1);
        pairing.candidate("1", "h1", null, null, 1);
        pairing.candidate("4", "h4", null, null, 1);

        SamplePairing.Result result = pairing.pair();

        assertThat(result.items()).isNull();
        assertThat(result.problem()).contains("not evaluate the same items")
                .contains("1 items only in the baseline (doc 3)").contains("1 items only in the candidate (doc 4)");
    }

    @Test
    public void shouldRefuseADocumentWhoseHashChanged() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", null, null, 1);
        pairing.baseline("2", "h2", null, null, 1);
        pairing.candidate("1", "h1", null, null, 1);
        pairing.candidate("2", "other", null, null, 1);

        assertThat(pairing.pair().problem()).contains("1 doc ids with a different doc_hash (doc 2)");
    }

    @Test
    public void shouldRefuseANonFiniteMetric() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", null, null, Double.NaN);
        pairing.candidate("1", "h1", null, null, 1);

        assertThat(pairing.pair().problem()).contains("baseline doc 1").contains("NaN");
    }

    @Test
    public void shouldClusterOnlyWhenEveryItemHasACategory() {
        SamplePairing all = new SamplePairing();
        SamplePairing some = new SamplePairing();
        for (int i = 0; i < 4; i++) {
            String category = i < 2 ? "algebra" : "physics";
            all.baseline("" + i, "h" + i, null, category, 1);
            all.candidate("" + i, "h" + i, null, category, 0);
            some.baseline("" + i, "h" + i, null, i == 0 ? null : category, 1);
            some.candidate("" + i, "h" + i, null, i == 0 ? null : category, 0);
        }

        assertThat(all.pair().items().clusterNames()).containsExactly("algebra", "physics");
        assertThat(all.pair().items().cluster()).containsExactly(0, 0, 1, 1);
        assertThat(some.pair().items().cluster()).isNull();
        assertThat(some.pair().items().categorised()).isEqualTo(3);
    }

    @Test
    public void shouldRefuseAnItemWhoseCategoryDiffersBetweenRuns() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", null, "algebra", 1);
        pairing.candidate("1", "h1", null, "physics", 1);

        assertThat(pairing.pair().problem()).contains("doc 1").contains("algebra").contains("physics");
    }

    @Test
    public void shouldCountPromptsThatChangedForTheSameItem() {
        SamplePairing pairing = new SamplePairing();
        pairing.baseline("1", "h1", "p1", null, 1);
        pairing.baseline("2", "h2", "p2", null, 1);
        pairing.candidate("1", "h1", "p1", null, 1);
        pairing.candidate("2", "h2", "changed", null, 1);

        assertThat(pairing.pair().items().promptHashMismatches()).isEqualTo(1);
    }

    /** 120 items, outcome of item i in a given repeat from a seed, so different seeds give different repeats. */
    private static double outcome(int item, int seed) {
        return ((item * 7919 + seed * 104729) % 10) < 7 ? 1 : 0;
    }

    @Test
    public void shouldNotCountARepeatThatReplaysAnotherRepeatOfTheSameRun() {
        SamplePairing pairing = new SamplePairing();
        for (int i = 0; i < 120; i++) {
            for (int seed : new int[] {1, 2, 1}) {
                pairing.baseline("d" + i, "h" + i, null, null, outcome(i, seed));
            }
            pairing.candidate("d" + i, "h" + i, null, null, outcome(i, 5));
        }

        SamplePairing.Result result = pairing.pair();

        assertThat(result.repeats().baseline()).isEqualTo(3);
        assertThat(result.repeats().baselineIndependent()).isEqualTo(2);
        assertThat(result.repeats().note()).startsWith("1 of 3 baseline repeats are bit-identical to another "
                + "baseline repeat");
        assertThat(result.items().baselineRecords()).isEqualTo(240);
        assertThat(result.items().maxRepeats()).isEqualTo(2);
    }

    @Test
    public void shouldGiveNoCandidateEvidenceWhenEveryCandidateRepeatReplaysTheBaseline() {
        SamplePairing pairing = new SamplePairing();
        for (int i = 0; i < 120; i++) {
            pairing.baseline("d" + i, "h" + i, null, null, outcome(i, 1));
            pairing.candidate("d" + i, "h" + i, null, null, outcome(i, 1));
        }

        SamplePairing.Result result = pairing.pair();

        assertThat(result.items()).isNull();
        assertThat(result.problem()).isNull();
        assertThat(result.repeats().candidateIndependent()).isZero();
        assertThat(result.repeats().note()).contains("1 of 1 candidate repeats are bit-identical to a baseline "
                + "repeat").contains("not independent");
    }

    @Test
    public void shouldTreatEqualOutcomesOnAFewItemsAsChanceNotAReplay() {
        SamplePairing pairing = new SamplePairing();
        for (int i = 0; i < 30; i++) {
            pairing.baseline("d" + i, "h" + i, null, null, outcome(i, 1));
            pairing.candidate("d" + i, "h" + i, null, null, outcome(i, 1));
        }

        SamplePairing.Result result = pairing.pair();

        assertThat(result.items()).isNotNull();
        assertThat(result.repeats().allIndependent()).isTrue();
    }
}
