package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.Test;

public class SampleAccountTest {
    @Test
    public void shouldCountDistinctScoredItemsAndTheirMean() {
        SampleAccount account = new SampleAccount("acc");

        account.accept(record("0", 1.0));
        account.accept(record("1", 0.0));
        account.accept(record("item-7", 1.0));

        assertThat(account.scored()).isEqualTo(3);
        assertThat(account.mean()).isEqualTo(2.0 / 3);
        assertThat(account.duplicates()).isZero();
    }

    @Test
    public void shouldCountARepeatedItemOnceAndNameTheFirstRepeat() {
        SampleAccount account = new SampleAccount("acc");

        account.accept(record("5", 1.0));
        account.accept(record("05", 1.0));
        account.accept(record("5", 0.0));
        account.accept(record("x", 0.0));
        account.accept(record("x", 0.0));

        assertThat(account.distinct()).isEqualTo(3);
        assertThat(account.duplicates()).isEqualTo(2);
        assertThat(account.firstDuplicate()).isEqualTo("5");
        assertThat(account.mean()).isEqualTo(2.0 / 3);
    }

    @Test
    public void shouldNotCountMissingOrNonFiniteMetricsAsScored() {
        SampleAccount account = new SampleAccount("acc");

        account.accept(new SampleRecord("0", null, null, Map.of("f1", 1.0), null));
        account.accept(record("1", Double.NaN));
        account.accept(record("2", 1.0));

        assertThat(account.scored()).isEqualTo(1);
        assertThat(account.missingMetric()).isEqualTo(1);
        assertThat(account.nonFinite()).isEqualTo(1);
    }

    @Test
    public void shouldKeepLargeIntegerIdsOutOfTheBitSet() {
        SampleAccount account = new SampleAccount(null);

        account.accept(record("999999999", 1.0));
        account.accept(record("999999999", 1.0));
        account.accept(record("134217728", 1.0));

        assertThat(account.distinct()).isEqualTo(2);
        assertThat(account.duplicates()).isEqualTo(1);
    }

    private static SampleRecord record(String docId, double acc) {
        return new SampleRecord(docId, null, null, Map.of("acc", acc), null);
    }
}
