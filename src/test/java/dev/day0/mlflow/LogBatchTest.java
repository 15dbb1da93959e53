package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.mlflow.MlflowClient.KeyValue;
import dev.day0.mlflow.MlflowClient.Metric;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class LogBatchTest {
    private static List<Metric> metrics(int n) {
        List<Metric> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Metric("m" + i, i, 0, 0));
        }
        return list;
    }

    private static List<KeyValue> items(String prefix, int n, int valueLength) {
        List<KeyValue> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new KeyValue(prefix + i, "v".repeat(valueLength)));
        }
        return list;
    }

    @Test
    public void shouldSendNothingWhenThereIsNothingToLog() {
        assertThat(LogBatch.split(List.of(), List.of(), List.of())).isEmpty();
    }

    @Test
    public void shouldKeepSmallInputsInOneRequest() {
        List<LogBatch.Batch> batches = LogBatch.split(metrics(3), items("p", 2, 5), items("t", 4, 5));

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).size()).isEqualTo(9);
    }

    @Test
    public void shouldNeverExceedAnyLimitAndKeepEveryItemInOrder() {
        List<Metric> metrics = metrics(2500);
        List<KeyValue> params = items("p", 253, 10);
        List<KeyValue> tags = items("t", 156, 10);

        List<LogBatch.Batch> batches = LogBatch.split(metrics, params, tags);

        List<Metric> sentMetrics = new ArrayList<>();
        List<KeyValue> sentParams = new ArrayList<>();
        List<KeyValue> sentTags = new ArrayList<>();
        for (LogBatch.Batch batch : batches) {
            assertThat(batch.metrics()).hasSizeLessThanOrEqualTo(1000);
            assertThat(batch.params()).hasSizeLessThanOrEqualTo(100);
            assertThat(batch.tags()).hasSizeLessThanOrEqualTo(100);
            assertThat(batch.size()).isLessThanOrEqualTo(1000);
            sentMetrics.addAll(batch.metrics());
            sentParams.addAll(batch.params());
            sentTags.addAll(batch.tags());
        }
        assertThat(sentMetrics).isEqualTo(metrics);
        assertThat(sentParams).isEqualTo(params);
        assertThat(sentTags).isEqualTo(tags);
        // 253 params need three requests at 100 each; metrics fill the room the params and tags leave.
        assertThat(batches).hasSize(3);
    }

    @Test
    public void shouldSplitMetricsAloneAtOneThousand() {
        List<LogBatch.Batch> batches = LogBatch.split(metrics(2001), List.of(), List.of());

        assertThat(batches).extracting(b -> b.metrics().size()).containsExactly(1000, 1000, 1);
    }

    @Test
    public void shouldKeepEachRequestBodyUnderOneMegabyte() {
        // 100 params of 6000 characters and 100 tags of 5000 are within the count limits but not the size limit.
        List<LogBatch.Batch> batches = LogBatch.split(List.of(), items("p", 100, 6000), items("t", 100, 5000));

        assertThat(batches).hasSizeGreaterThan(1);
        for (LogBatch.Batch batch : batches) {
            long bytes = 0;
            for (KeyValue item : batch.params()) {
                bytes += item.key().length() + item.value().length();
            }
            for (KeyValue item : batch.tags()) {
                bytes += item.key().length() + item.value().length();
            }
            assertThat(bytes).isLessThan(LogBatch.MAX_BODY_BYTES);
        }
        assertThat(batches.stream().mapToInt(LogBatch.Batch::size).sum()).isEqualTo(200);
    }
}
