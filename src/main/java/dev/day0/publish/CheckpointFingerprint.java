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
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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

/**
 * What identifies a checkpoint as the one that was evaluated: every file an upload of the directory would send, at
 * any depth. A safetensors shard is known by its size, the sha256 of its header (tensor names, dtypes, shapes and
 * offsets) and the sha256 of evenly spaced samples of its tensor data, so that terabyte checkpoints stay cheap to
 * fingerprint while a re-export with other names or layout, or a re-quantization into the same layout, differs.
 * Every other file (config, quantization config, tokenizer, chat template, custom modelling code, other weight
 * formats) is known by the sha256 of its content. Documentation (model cards, licences, images) is left out, so
 * editing a README before upload does not block it, and so are the {@code .git} and {@code .cache} folders the
 * upload tools skip. A link to a file counts as the file it points to (Hugging Face's cache lays snapshots out
 * that way); a link to a directory, a broken link or a device is refused, as nothing can say what it would upload.
 */
public final class CheckpointFingerprint {
    public static final String SCHEMA = "day0.checkpoint-fingerprint/2";
    /** The first schema: top-level shards by header only and a fixed list of loading files. */
    private static final String SCHEMA_V1 = "day0.checkpoint-fingerprint/1";

    /** The format's own limit on the header size; anything larger is corruption, not a model. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Samples of tensor data per shard and their size: 1 MiB read per shard, whatever its size. */
    static final int DATA_SAMPLES = 16;
    static final int SAMPLE_BYTES = 64 * 1024;

    private static final Set<String> SKIPPED_FOLDERS = Set.of(".git", ".cache");
    private static final Pattern DOCUMENTATION = Pattern.compile(
            "(readme.*|.*\\.md|licen[cs]e.*|notice.*|use_policy.*|\\.gitattributes|\\.gitignore|\\.ds_store"
                    + "|.*\\.(png|jpe?g|gif|svg|webp))");

    /** One shard: its size in bytes, the sha256 of its length prefix and JSON header, and of its data samples. */
    public record Shard(long size, String headerSha256, String dataSampleSha256) {
    }

    private final SortedMap<String, Shard> shards;
    private final SortedMap<String, String> files;

    private CheckpointFingerprint(SortedMap<String, Shard> shards, SortedMap<String, String> files) {
        this.shards = shards;
        this.files = files;
    }

    /**
     * Fingerprints the checkpoint directory {@code dir}: every file under it, named by its path relative to
     * {@code dir} with {@code /} between folders.
     */
    public static CheckpointFingerprint of(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(dir.toString(), "", "is not a checkpoint directory");
        }
        SortedMap<String, Shard> shards = new TreeMap<>();
        SortedMap<String, String> files = new TreeMap<>();
        try {
            // The directory itself may be a link ("latest" -> an export); what is under it is judged link by link.
            Path root = dir.toRealPath();
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
                    return !folder.equals(root) && SKIPPED_FOLDERS.contains(folder.getFileName().toString())
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    String name = relativeName(root, file);
                    if (isDocumentation(file.getFileName().toString())) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attributes.isSymbolicLink()) {
                        refuseUnlessLinkToFile(file);
                    } else if (!attributes.isRegularFile()) {
                        throw new InputException(file.toString(), "", "is neither a file nor a folder (a device, "
                                + "pipe or socket): an upload could not send it as the evaluated checkpoint");
                    }
                    if (name.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                        shards.put(name, shard(file));
                    } else {
                        files.put(name, FileDigest.sha256(file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    throw new InputException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
                }
            });
        } catch (IOException e) {
            throw new InputException(dir.toString(), "", "cannot be listed: " + e.getMessage(), e);
        }
        if (shards.isEmpty()) {
            throw new InputException(dir.toString(), "", "has no *.safetensors shard: not an exported checkpoint");
        }
        if (!files.containsKey("config.json")) {
            throw new InputException(dir.toString(), "", "has no config.json: not an exported checkpoint");
        }
        return new CheckpointFingerprint(shards, files);
    }

    static boolean isDocumentation(String fileName) {
        return DOCUMENTATION.matcher(fileName.toLowerCase(Locale.ROOT)).matches();
    }

    private static String relativeName(Path dir, Path file) {
        StringBuilder name = new StringBuilder();
        for (Path part : dir.relativize(file)) {
            String text = part.toString();
            if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new InputException(dir.toString(), "", "holds a file whose name has a control character; "
                        + "rename it before fingerprinting");
            }
            name.append(name.length() == 0 ? "" : "/").append(text);
        }
        return name.toString();
    }

    private static void refuseUnlessLinkToFile(Path link) {
        if (Files.isDirectory(link)) {
            throw new InputException(link.toString(), "", "is a link to a folder: copy the folder into the "
                    + "checkpoint or remove the link, so the fingerprint covers what an upload would send");
        }
        if (!Files.isRegularFile(link)) {
            throw new InputException(link.toString(), "", "is a broken link (or a link to something that is not "
                    + "a file): fix or remove it before fingerprinting");
        }
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
            return new Shard(size, FileDigest.sha256(header.array()),
                    FileDigest.sha256(dataSamples(channel, 8 + headerLength, size)));
        } catch (IOException e) {
            throw new InputException(source, "", "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The tensor data from {@code start} to {@code end}: all of it when it fits the samples, else
     * {@link #DATA_SAMPLES} pieces of {@link #SAMPLE_BYTES}, the first at the start, the last ending at the end.
     * Re-quantizing or re-calibrating changes nearly every weight, so a sample sees it; a hand edit of a few bytes
     * between samples is not seen, which docs/publish.md says.
     */
    private static byte[] dataSamples(FileChannel channel, long start, long end) throws IOException {
        long length = end - start;
        long budget = (long) DATA_SAMPLES * SAMPLE_BYTES;
        if (length <= budget) {
            ByteBuffer all = ByteBuffer.allocate((int) length);
            readFully(channel, all, start);
            return all.array();
        }
        ByteBuffer samples = ByteBuffer.allocate((int) budget);
        long stride = (length - SAMPLE_BYTES) / (DATA_SAMPLES - 1);
        for (int i = 0; i < DATA_SAMPLES; i++) {
            long at = i == DATA_SAMPLES - 1 ? end - SAMPLE_BYTES : start + i * stride;
            samples.limit((i + 1) * SAMPLE_BYTES);
            readFully(channel, samples, at);
        }
        return samples.array();
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
                .append(' ').append(shard.headerSha256()).append(' ').append(shard.dataSampleSha256()).append('\n'));
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
            item.put("data_sample_sha256", shard.dataSampleSha256());
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
        if (SCHEMA_V1.equals(json.path("schema").asText(null))) {
            throw new InputException(source, prefix + "schema", "is \"" + SCHEMA_V1 + "\", recorded by an older day0 "
                    + "that saw only top-level loading files; fingerprint the evaluated checkpoint again with "
                    + "'day0 publish fingerprint' (or re-run the release) to get \"" + SCHEMA + "\"");
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
                    where + ".header_sha256"), sha(entry.getValue().path("data_sample_sha256"), source,
                    where + ".data_sample_sha256")));
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
            } else if (!here.dataSampleSha256().equals(there.dataSampleSha256())) {
                differences.add(name + ": tensor data differs (same names and layout, other weights)");
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
