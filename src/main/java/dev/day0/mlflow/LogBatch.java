package dev.day0.mlflow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.day0.io.Json;
import dev.day0.mlflow.MlflowClient.KeyValue;
import dev.day0.mlflow.MlflowClient.Metric;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits metrics, params and tags into {@code runs/log-batch} requests that stay within MLflow's documented limits:
 * at most {@value #MAX_METRICS} metrics, {@value #MAX_PARAMS} params and {@value #MAX_TAGS} tags, {@value #MAX_TOTAL}
 * items in all, and a JSON body under 1 MB (kept under {@value #MAX_BODY_BYTES} bytes to leave room for the
 * envelope). Order within each kind is kept, so a server that applies items in order sees them as given.
 */
public final class LogBatch {
    public static final int MAX_METRICS = 1000;
    public static final int MAX_PARAMS = 100;
    public static final int MAX_TAGS = 100;
    public static final int MAX_TOTAL = 1000;
    public static final int MAX_BODY_BYTES = 900_000;

    /** One request's worth. */
    public record Batch(List<Metric> metrics, List<KeyValue> params, List<KeyValue> tags) {
        public int size() {
            return metrics.size() + params.size() + tags.size();
        }
    }

    private LogBatch() {
    }

    /** The requests to send, in order; empty when there is nothing to log. */
    public static List<Batch> split(List<Metric> metrics, List<KeyValue> params, List<KeyValue> tags) {
        List<Batch> batches = new ArrayList<>();
        int m = 0;
        int p = 0;
        int t = 0;
        while (m < metrics.size() || p < params.size() || t < tags.size()) {
            List<Metric> batchMetrics = new ArrayList<>();
            List<KeyValue> batchParams = new ArrayList<>();
            List<KeyValue> batchTags = new ArrayList<>();
            long bytes = 0;
            int total = 0;
            // Params and tags have the tighter per-kind limits, so they go first and metrics fill what is left.
            while (p < params.size() && batchParams.size() < MAX_PARAMS && total < MAX_TOTAL) {
                long size = size(params.get(p));
                if (total > 0 && bytes + size > MAX_BODY_BYTES) {
                    break;
                }
                batchParams.add(params.get(p++));
                bytes += size;
                total++;
            }
            while (t < tags.size() && batchTags.size() < MAX_TAGS && total < MAX_TOTAL) {
                long size = size(tags.get(t));
                if (total > 0 && bytes + size > MAX_BODY_BYTES) {
                    break;
                }
                batchTags.add(tags.get(t++));
                bytes += size;
                total++;
            }
            while (m < metrics.size() && batchMetrics.size() < MAX_METRICS && total < MAX_TOTAL) {
                long size = size(metrics.get(m));
                if (total > 0 && bytes + size > MAX_BODY_BYTES) {
                    break;
                }
                batchMetrics.add(metrics.get(m++));
                bytes += size;
                total++;
            }
            batches.add(new Batch(List.copyOf(batchMetrics), List.copyOf(batchParams), List.copyOf(batchTags)));
        }
        return batches;
    }

    /** The item's share of the JSON body: its key and value as JSON strings plus the punctuation around them. */
    private static long size(KeyValue item) {
        return jsonLength(item.key()) + jsonLength(item.value()) + 20;
    }

    private static long size(Metric metric) {
        return jsonLength(metric.key()) + 80;
    }

    private static long jsonLength(String text) {
        return Json.writeLine(JsonNodeFactory.instance.textNode(text)).getBytes(StandardCharsets.UTF_8).length;
    }
}
