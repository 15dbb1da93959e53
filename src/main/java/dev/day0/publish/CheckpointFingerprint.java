package dev.day0.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What identifies a checkpoint as the one that was evaluated: per safetensors shard its size and the sha256 of its
 * header (tensor names, dtypes, shapes and offsets, so a re-export with other names or a different layout differs
 * while reading stays cheap for terabyte checkpoints), and the sha256 of every file that changes how the weights
 * are loaded or prompted: config, quantization config, tokenizer, chat template, generation config, shard index.
 * Model cards and other documentation are left out: editing a README before upload must not block it.
 */
public final class CheckpointFingerprint {
    public static final String SCHEMA = "day0.checkpoint-fingerprint/1";

    /** The format's own limit on the header size; anything larger is corruption, not a model. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final Set<String> LOADING_FILES = Set.of("config.json", "generation_config.json",
            "special_tokens_map.json", "added_tokens.json", "merges.txt", "preprocessor_config.json",
            "processor_config.json");
    private static final Pattern LOADING_PATTERN = Pattern.compile(
            "(.*quant.*config.*\\.json|tokenizer.*|vocab\\..*|chat_template.*|.*\\.safetensors\\.index\\.json"
                    + "|.*\\.tiktoken)");

    /** One shard: its size in bytes and the sha256 of its 8-byte length prefix and JSON header. */
    public record Shard(long size, String headerSha256) {
    }

    private final SortedMap<String, Shard> shards;
    private final SortedMap<String, String> files;

    private CheckpointFingerprint(SortedMap<String, Shard> shards, SortedMap<String, String> files) {
        this.shards = shards;
        this.files = files;
    }

    /** Fingerprints the checkpoint directory {@code dir} (its top level, as Hugging Face checkpoints are laid out). */
    public static CheckpointFingerprint of(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(dir.toString(), "", "is not a checkpoint directory");
        }
        SortedMap<String, Shard> shards = new TreeMap<>();
        SortedMap<String, String> files = new TreeMap<>();
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new InputException(dir.toString(), "", "cannot be listed: " + e.getMessage(), e);
        }
        for (Path file : entries) {
            String name = file.getFileName().toString();
            if (name.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                shards.put(name, shard(file));
            } else if (isLoadingFile(name)) {
                files.put(name, FileDigest.sha256(file));
            }
        }
        if (shards.isEmpty()) {
            throw new InputException(dir.toString(), "", "has no *.safetensors shard: not an exported checkpoint");
        }
        if (!files.containsKey("config.json")) {
            throw new InputException(dir.toString(), "", "has no config.json: not an exported checkpoint");
        }
        return new CheckpointFingerprint(shards, files);
    }

    static boolean isLoadingFile(String name) {
        return LOADING_FILES.contains(name) || LOADING_PATTERN.matcher(name).matches();
    }

    private static Shard shard(Path file) {
        String source = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new InputException(source, "", "is " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0);
            long headerLength = prefix.flip().getLong();
            if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
                throw new InputException(source, "", "header length " + Long.toUnsignedString(headerLength)
                        + " does not fit a safetensors file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate(8 + (int) headerLength);
            readFully(channel, header, 0);
            return new Shard(size, FileDigest.sha256(header.array()));
        } catch (IOException e) {
            throw new InputException(source, "", "cannot be read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += read;
        }
    }

    public Map<String, Shard> shards() {
        return shards;
    }

    public Map<String, String> files() {
        return files;
    }

    /** One sha256 over the whole fingerprint, for a log line or a tag; equality of fingerprints is equality of this. */
    public String digest() {
        StringBuilder canonical = new StringBuilder(SCHEMA).append('\n');
        shards.forEach((name, shard) -> canonical.append("shard ").append(name).append(' ').append(shard.size())
                .append(' ').append(shard.headerSha256()).append('\n'));
        files.forEach((name, sha) -> canonical.append("file ").append(name).append(' ').append(sha).append('\n'));
        return FileDigest.sha256(canonical.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        json.put("digest", digest());
        ObjectNode shardsJson = json.putObject("shards");
        shards.forEach((name, shard) -> {
            ObjectNode item = shardsJson.putObject(name);
            item.put("size", shard.size());
            item.put("header_sha256", shard.headerSha256());
        });
        ObjectNode filesJson = json.putObject("files");
        files.forEach(filesJson::put);
        return json;
    }

    /** Reads a fingerprint as {@link #toJson()} writes it; {@code source} and {@code field} name where it is. */
    public static CheckpointFingerprint fromJson(JsonNode json, String source, String field) {
        String prefix = field.isEmpty() ? "" : field + ".";
        if (json == null || !json.isObject()) {
            throw new InputException(source, field, "must be a checkpoint fingerprint object");
        }
        if (!SCHEMA.equals(json.path("schema").asText(null))) {
            throw new InputException(source, prefix + "schema", "must be \"" + SCHEMA + "\", got "
                    + json.path("schema"));
        }
        SortedMap<String, Shard> shards = new TreeMap<>();
        JsonNode shardsJson = json.path("shards");
        if (!shardsJson.isObject() || shardsJson.isEmpty()) {
            throw new InputException(source, prefix + "shards", "must be a non-empty object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = shardsJson.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String where = prefix + "shards." + entry.getKey();
            JsonNode size = entry.getValue().path("size");
            if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
                throw new InputException(source, where + ".size", "must be a whole number of bytes");
            }
            shards.put(entry.getKey(), new Shard(size.asLong(), sha(entry.getValue().path("header_sha256"), source,
                    where + ".header_sha256")));
        }
        SortedMap<String, String> files = new TreeMap<>();
        JsonNode filesJson = json.path("files");
        if (!filesJson.isObject()) {
            throw new InputException(source, prefix + "files", "must be an object {file: sha256}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = filesJson.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            files.put(entry.getKey(), sha(entry.getValue(), source, prefix + "files." + entry.getKey()));
        }
        return new CheckpointFingerprint(shards, files);
    }

    private static String sha(JsonNode value, String source, String field) {
        String text = value.isTextual() ? value.asText() : "";
        if (!text.matches("[0-9a-f]{64}")) {
            throw new InputException(source, field, "must be a sha256 in lowercase hex, got " + value);
        }
        return text;
    }

    /**
     * What differs between this (the checkpoint at hand) and {@code evaluated}, one phrase per file, in file order;
     * empty when they are the same checkpoint.
     */
    public List<String> differencesFrom(CheckpointFingerprint evaluated) {
        List<String> differences = new ArrayList<>();
        Set<String> shardNames = new TreeSet<>(shards.keySet());
        shardNames.addAll(evaluated.shards.keySet());
        for (String name : shardNames) {
            Shard here = shards.get(name);
            Shard there = evaluated.shards.get(name);
            if (here == null) {
                differences.add(name + ": missing (the evaluated checkpoint has it)");
            } else if (there == null) {
                differences.add(name + ": not in the evaluated checkpoint");
            } else if (here.size() != there.size()) {
                differences.add(name + ": size " + here.size() + " bytes, evaluated " + there.size());
            } else if (!here.headerSha256().equals(there.headerSha256())) {
                differences.add(name + ": safetensors header differs (tensor names, dtypes, shapes or offsets)");
            }
        }
        Set<String> fileNames = new TreeSet<>(files.keySet());
        fileNames.addAll(evaluated.files.keySet());
        for (String name : fileNames) {
            String here = files.get(name);
            String there = evaluated.files.get(name);
            if (here == null) {
                differences.add(name + ": missing (the evaluated checkpoint has it)");
            } else if (there == null) {
                differences.add(name + ": not in the evaluated checkpoint");
            } else if (!here.equals(there)) {
                differences.add(name + ": content differs (sha256 " + here.substring(0, 12) + ", evaluated "
                        + there.substring(0, 12) + ")");
            }
        }
        return differences;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CheckpointFingerprint that && shards.equals(that.shards) && files.equals(that.files);
    }

    @Override
    public int hashCode() {
        return shards.hashCode() * 31 + files.hashCode();
    }
}
