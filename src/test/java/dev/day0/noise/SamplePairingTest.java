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
}
