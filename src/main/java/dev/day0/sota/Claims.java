package dev.day0.sota;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Direction;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a paper claims and what it states about how: the target of a reproduction. Read from claims.yaml (YAML or
 * JSON); the format is documented in docs/sota-delta.md. Every problem is an InputException naming the file and
 * the field. Nothing is filled in that the file does not say: what the source omits is recorded as omitted, and
 * the plan lists it as a risk.
 *
 * @param file the file it was read from
 * @param title the paper's title, or null
 * @param venue where it was published, or null
 * @param task the task, in words
 * @param datasetName the dataset's name
 * @param datasetVersion the dataset's version or revision, or null when the source states none
 * @param datasetSplit the split evaluated on, or null when the source states none
 * @param modelName the model's name
 * @param modelCheckpoint a checkpoint name or revision, or null
 * @param seeds the seeds the source states; empty when it states none
 * @param hardware the hardware the source states, or null
 * @param hyperparameters the hyperparameters the source states, or null when it states none
 * @param omissions further things the source leaves out, as the person writing the claims noticed them
 * @param metrics the claimed metrics, at least one
 */
public record Claims(Path file, String title, String venue, String task, String datasetName, String datasetVersion,
                     String datasetSplit, String modelName, String modelCheckpoint, List<Long> seeds,
                     String hardware, ObjectNode hyperparameters, List<String> omissions,
                     List<ClaimedMetric> metrics) {
    static final List<String> TOP_LEVEL = List.of("paper", "task", "dataset", "model", "seed", "hardware",
            "hyperparameters", "tolerance", "metrics", "omissions");
    static final int MAX_TEXT = 500;

    public Claims {
        seeds = List.copyOf(seeds);
        omissions = List.copyOf(omissions);
        metrics = List.copyOf(metrics);
    }

    public static Claims read(Path file) {
        JsonNode root = Json.readYaml(file);
        Fields fields = new Fields(file.toString());
        fields.requireObject(root, "");
        Documents.knownFields(fields, root, "", TOP_LEVEL);

        String title = null;
        String venue = null;
        ObjectNode paper = fields.optionalObject(root, "paper", "paper");
        if (paper != null) {
            Documents.knownFields(fields, paper, "paper", List.of("title", "venue"));
            title = Documents.optionalLine(fields, paper, "title", "paper.title", MAX_TEXT);
            venue = Documents.optionalLabel(fields, paper, "venue", "paper.venue", MAX_TEXT);
        }
        String task = Documents.requireLine(fields, root, "task", "task", MAX_TEXT);

        ObjectNode dataset = fields.requireObject(root.get("dataset"), "dataset");
        Documents.knownFields(fields, dataset, "dataset", List.of("name", "version", "split"));
        String datasetName = Documents.requireLine(fields, dataset, "name", "dataset.name", MAX_TEXT);
        String datasetVersion = Documents.optionalLabel(fields, dataset, "version", "dataset.version", MAX_TEXT);
        String datasetSplit = Documents.optionalLabel(fields, dataset, "split", "dataset.split", MAX_TEXT);

        ObjectNode model = fields.requireObject(root.get("model"), "model");
        Documents.knownFields(fields, model, "model", List.of("name", "checkpoint"));
        String modelName = Documents.requireLine(fields, model, "name", "model.name", MAX_TEXT);
        String checkpoint = Documents.optionalLine(fields, model, "checkpoint", "model.checkpoint", MAX_TEXT);

        List<Long> seeds = readSeeds(fields, root.get("seed"));
        String hardware = Documents.optionalLine(fields, root, "hardware", "hardware", MAX_TEXT);
        ObjectNode hyperparameters = fields.optionalObject(root, "hyperparameters", "hyperparameters");
        if (hyperparameters != null && hyperparameters.isEmpty()) {
            hyperparameters = null;
        }
        List<String> omissions = fields.optionalStringList(root, "omissions", "omissions");
        for (int i = 0; i < omissions.size(); i++) {
            String text = omissions.get(i);
            if (text.isBlank() || text.length() > MAX_TEXT || text.chars().anyMatch(c -> c < 0x20)) {
                throw fields.error("omissions[" + i + "]", "must be one non-blank line of at most " + MAX_TEXT
                        + " characters");
            }
        }

        Tolerance defaultTolerance = root.hasNonNull("tolerance")
                ? Tolerance.read(fields, root.get("tolerance"), "tolerance", "claims") : Tolerance.DEFAULT;
        List<ClaimedMetric> metrics = readMetrics(fields, root.get("metrics"), defaultTolerance);
        return new Claims(file, title, venue, task, datasetName, datasetVersion, datasetSplit, modelName,
                checkpoint, seeds, hardware, hyperparameters, omissions, metrics);
    }

    private static List<Long> readSeeds(Fields fields, JsonNode node) {
        List<Long> seeds = new ArrayList<>();
        if (node == null || node.isNull()) {
            return seeds;
        }
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw fields.error("seed", "is an empty list: leave it out when the source states no seed");
            }
            for (int i = 0; i < node.size(); i++) {
                seeds.add(seed(fields, node.get(i), "seed[" + i + "]"));
            }
            return seeds;
        }
        seeds.add(seed(fields, node, "seed"));
        return seeds;
    }

    private static long seed(Fields fields, JsonNode node, String path) {
        Long value = Fields.wholeNumber(node);
        if (value == null || value < 0) {
            throw fields.error(path, "must be a whole number of at least 0, found " + Fields.describe(node));
        }
        return value;
    }

    private static List<ClaimedMetric> readMetrics(Fields fields, JsonNode node, Tolerance defaultTolerance) {
        if (node == null || node.isNull()) {
            throw fields.error("metrics", "is missing: list at least one claimed metric (name, value, direction)");
        }
        if (!node.isArray()) {
            throw fields.error("metrics", "must be a list of metrics, found " + Fields.describe(node));
        }
        if (node.isEmpty()) {
            throw fields.error("metrics", "is empty: list at least one claimed metric");
        }
        List<ClaimedMetric> metrics = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "metrics[" + i + "]";
            JsonNode item = fields.requireObject(node.get(i), path);
            Documents.knownFields(fields, item, path, List.of("name", "value", "direction", "pointer",
                    "tolerance", "where"));
            String name = Documents.requireLine(fields, item, "name", path + ".name", 200);
            if (!names.add(name)) {
                throw fields.error(path + ".name", "\"" + name + "\" is claimed twice");
            }
            JsonNode valueNode = item.get("value");
            Double value = Fields.finiteNumber(valueNode);
            if (value == null) {
                throw fields.error(path + ".value", valueNode == null || valueNode.isNull()
                        ? "is missing, expected the claimed number"
                        : "must be a finite number, found " + Fields.describe(valueNode));
            }
            String directionText = fields.optionalString(item, "direction", path + ".direction");
            if (directionText == null) {
                throw fields.error(path + ".direction", "is missing: higher_is_better or lower_is_better");
            }
            Direction direction = Direction.parse(directionText).orElseThrow(() -> fields.error(
                    path + ".direction", "must be higher_is_better or lower_is_better, found \"" + directionText
                            + "\""));
            String pointer = Documents.optionalLine(fields, item, "pointer", path + ".pointer", 500);
            if (pointer != null) {
                if (!pointer.startsWith("/")) {
                    throw fields.error(path + ".pointer", "must be a JSON Pointer starting with /, e.g. "
                            + "/results/gsm8k/exact_match,strict-match");
                }
                try {
                    JsonPointer.compile(pointer);
                } catch (IllegalArgumentException e) {
                    throw fields.error(path + ".pointer", "is not a valid JSON Pointer: " + e.getMessage());
                }
            }
            Tolerance tolerance = item.hasNonNull("tolerance")
                    ? Tolerance.read(fields, item.get("tolerance"), path + ".tolerance", "metric") : defaultTolerance;
            String where = Documents.optionalLabel(fields, item, "where", path + ".where", MAX_TEXT);
            metrics.add(new ClaimedMetric(name, value, direction, pointer, tolerance, where));
        }
        return metrics;
    }

    public ClaimedMetric metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    /** The claims as recorded in a plan and in the job's config directory. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("title", title);
        json.put("venue", venue);
        json.put("task", task);
        ObjectNode dataset = json.putObject("dataset");
        dataset.put("name", datasetName);
        dataset.put("version", datasetVersion);
        dataset.put("split", datasetSplit);
        ObjectNode model = json.putObject("model");
        model.put("name", modelName);
        model.put("checkpoint", modelCheckpoint);
        ArrayNode seedList = json.putArray("seeds");
        seeds.forEach(seedList::add);
        json.put("hardware", hardware);
        json.set("hyperparameters", hyperparameters == null ? null : hyperparameters.deepCopy());
        ArrayNode omitted = json.putArray("omissions");
        omissions.forEach(omitted::add);
        ArrayNode list = json.putArray("metrics");
        metrics.forEach(metric -> list.add(metric.toJson()));
        return json;
    }
}
