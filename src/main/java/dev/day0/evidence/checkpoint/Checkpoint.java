package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint directory seen through its safetensors headers: every tensor's dtype, shape and shard,
 * and the size of the weight files. With {@code model.safetensors.index.json} the shards are the ones the index
 * names (each must exist and hold what the index says); without it, every {@code *.safetensors} file.
 */
public final class Checkpoint {
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<String> shards;
    private final Map<String, TensorInfo> tensors;
    private final long safetensorsBytes;
    private final long bytesRead;
    private final List<String> notes;
    private Map<String, TensorInfo> linearLayers;

    private Checkpoint(Path dir, List<String> shards, Map<String, TensorInfo> tensors, long safetensorsBytes,
                       long bytesRead, List<String> notes) {
        this.dir = dir;
        this.shards = shards;
        this.tensors = tensors;
        this.safetensorsBytes = safetensorsBytes;
        this.bytesRead = bytesRead;
        this.notes = notes;
    }

    /**
     * Opens the checkpoint in {@code dir}.
     *
     * @param role {@code --source} or {@code --output}, for messages
     * @throws InputException when the directory, its index or a shard cannot be used
     */
    public static Checkpoint open(Path dir, String role) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(role, "", Files.exists(dir) ? dir + " is not a directory"
                    : dir + " does not exist");
        }
        List<String> notes = new ArrayList<>();
        TreeSet<String> onDisk = safetensorsFiles(dir);
        Path indexFile = dir.resolve(INDEX_FILE);
        long bytesRead = 0;
        Map<String, String> weightMap = null;
        List<String> shards;
        if (Files.isRegularFile(indexFile)) {
            ShardIndex index = shardIndex(indexFile, dir);
            weightMap = index.weightMap();
            bytesRead += size(indexFile);
            shards = new ArrayList<>(index.shards());
            TreeSet<String> unlisted = new TreeSet<>(onDisk);
            unlisted.removeAll(shards);
            if (!unlisted.isEmpty()) {
                notes.add(dir + ": " + unlisted.size() + " .safetensors file(s) not named by " + INDEX_FILE
                        + " (ignored, counted in the size): " + String.join(", ", unlisted));
            }
        } else {
            shards = new ArrayList<>(onDisk);
        }
        if (shards.isEmpty()) {
            throw new InputException(dir.toString(), "", "holds no *.safetensors files (only safetensors "
                    + "checkpoints can be inspected)");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (String shard : shards) {
            SafetensorsHeader header = SafetensorsHeader.read(dir.resolve(shard));
            bytesRead += header.bytesRead();
            for (TensorInfo tensor : header.tensors().values()) {
                TensorInfo earlier = tensors.putIfAbsent(tensor.name(), tensor);
                if (earlier != null) {
                    throw new InputException(dir.resolve(shard).toString(), "header." + tensor.name(),
                            "tensor also in " + earlier.shard() + ": a tensor must live in exactly one shard");
                }
            }
        }
        if (weightMap != null) {
            for (Map.Entry<String, String> entry : weightMap.entrySet()) {
                TensorInfo tensor = tensors.get(entry.getKey());
                if (tensor == null || !tensor.shard().equals(entry.getValue())) {
                    throw new InputException(indexFile.toString(), "weight_map." + entry.getKey(),
                            "the index puts this tensor in " + entry.getValue() + " but "
                                    + (tensor == null ? "no shard's header has it" : "it is in " + tensor.shard()));
                }
            }
            if (tensors.size() > weightMap.size()) {
                notes.add(indexFile + ": " + (tensors.size() - weightMap.size())
                        + " tensor(s) in the shards are not listed in the index");
            }
        }
        long total = 0;
        for (String file : onDisk) {
            total += size(dir.resolve(file));
        }
        return new Checkpoint(dir, List.copyOf(shards), tensors, total, bytesRead, notes);
    }

    private static TreeSet<String> safetensorsFiles(Path dir) {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(path -> path.getFileName().toString().endsWith(".safetensors"))
                    .filter(Files::isRegularFile)
                    .forEach(path -> names.add(path.getFileName().toString()));
        } catch (IOException e) {
            throw new InputException(dir.toString(), "", "cannot be listed: " + e.getMessage(), e);
        }
        return names;
    }

    /**
     * The index's {@code weight_map} (tensor to shard, in index order) and the shards it names, sorted. Every entry
     * naming one shard holds the same String, so the checks against the headers compare references first.
     */
    private record ShardIndex(Map<String, String> weightMap, TreeSet<String> shards) {
    }

    private static ShardIndex shardIndex(Path indexFile, Path dir) {
        Fields fields = new Fields(indexFile.toString());
        // The plain form is scanned without a tree (the index of a large checkpoint names every tensor, and a
        // cold JSON parser is most of the cost); anything else goes through the tree reader and its messages.
        Map<String, String> entries = SafetensorsHeader.plainWeightMap(indexFile);
        String notText = null;
        String notTextFound = null;
        if (entries == null) {
            JsonNode index = Json.read(indexFile);
            fields.requireObject(index, "");
            JsonNode map = fields.requireObject(index.get("weight_map"), "weight_map");
            entries = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = map.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isTextual()) {
                    // Reported after the shards of the entries before it are checked, in index order.
                    notText = entry.getKey();
                    notTextFound = Fields.describe(entry.getValue());
                    break;
                }
                entries.put(entry.getKey(), entry.getValue().textValue());
            }
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        // Thousands of entries name a few shards: each shard name is checked once (the first entry naming a bad
        // shard is still the one reported).
        Map<String, String> checked = new HashMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            String shard = entry.getValue();
            String known = checked.get(shard);
            if (known != null) {
                weightMap.put(entry.getKey(), known);
                continue;
            }
            String field = "weight_map." + entry.getKey();
            Path shardPath = dir.resolve(shard).normalize();
            if (shard.isEmpty() || !dir.normalize().equals(shardPath.getParent())) {
                throw fields.error(field, "shard \"" + shard + "\" is not a file in the checkpoint directory");
            }
            if (!Files.isRegularFile(shardPath)) {
                throw fields.error(field, "shard " + shard + " does not exist in " + dir);
            }
            checked.put(shard, shard);
            weightMap.put(entry.getKey(), shard);
        }
        if (notText != null) {
            throw fields.error("weight_map." + notText, "must be a shard file name, found " + notTextFound);
        }
        if (weightMap.isEmpty()) {
            throw fields.error("weight_map", "is empty");
        }
        return new ShardIndex(weightMap, new TreeSet<>(checked.keySet()));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Shard file names, sorted. */
    public List<String> shards() {
        return shards;
    }

    /** Every tensor by name, in shard order then header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The sum of the sizes of the {@code *.safetensors} files in the directory. */
    public long safetensorsBytes() {
        return safetensorsBytes;
    }

    /** Bytes read to learn all of this: index plus length prefixes and headers. */
    public long bytesRead() {
        return bytesRead;
    }

    public List<String> notes() {
        return notes;
    }

    /** {@link LayerClassifier#linearLayers}, worked out on the first call. */
    Map<String, TensorInfo> linearLayers() {
        if (linearLayers == null) {
            linearLayers = Collections.unmodifiableMap(LayerClassifier.findLinearLayers(this));
        }
        return linearLayers;
    }
}
