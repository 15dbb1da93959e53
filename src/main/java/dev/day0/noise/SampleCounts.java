package dev.day0.noise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** {@code --sample-counts}: {@code {task: n}}, the number of items each score is a mean of. */
public final class SampleCounts {
    private final String source;
    private final Map<String, Long> counts;

    private SampleCounts(String source, Map<String, Long> counts) {
        this.source = source;
        this.counts = counts;
    }

    public static SampleCounts read(Path file) {
        return parse(Json.read(file), file.toString());
    }

    public static SampleCounts parse(JsonNode node, String source) {
        Fields fields = new Fields(source);
        ObjectNode document = fields.requireObject(node, "");
        Map<String, Long> counts = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = document.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            Long n = Fields.wholeNumber(entry.getValue());
            if (n == null || n < 1) {
                throw fields.error(entry.getKey(), "must be a whole number of items of at least 1, found "
                        + Fields.describe(entry.getValue()));
            }
            counts.put(entry.getKey(), n);
        }
        return new SampleCounts(source, counts);
    }

    public String source() {
        return source;
    }

    /** The count for a task, or null. */
    public Long get(String task) {
        return counts.get(task);
    }
}
