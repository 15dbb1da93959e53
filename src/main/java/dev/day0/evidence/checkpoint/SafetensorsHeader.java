package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header of one {@code .safetensors} file: an 8-byte little-endian length, then that many bytes of JSON
 * mapping tensor names to {@code {dtype, shape, data_offsets}} (plus an optional {@code __metadata__} object).
 *
 * <p>Only the header is read. Every offset is checked against the file size, so a truncated shard (a copy that
 * stopped early) is an error here rather than a loader crash on the GPU node.
 */
public final class SafetensorsHeader {
    /** The format's own limit on the header size; anything larger is corruption, not a model. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path file;
    private final long fileSize;
    private final long bytesRead;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsHeader(Path file, long fileSize, long bytesRead, Map<String, TensorInfo> tensors,
                              Map<String, String> metadata) {
        this.file = file;
        this.fileSize = fileSize;
        this.bytesRead = bytesRead;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static SafetensorsHeader of(Path file, long fileSize, long bytesRead, Map<String, TensorInfo> tensors,
                                Map<String, String> metadata) {
        return new SafetensorsHeader(file, fileSize, bytesRead, tensors, metadata);
    }

    /**
     * Reads and validates the header of {@code file}.
     *
     * @throws InputException naming the file when it is missing, truncated or its header is malformed
     */
    public static SafetensorsHeader read(Path file) {
        String source = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new InputException(source, "", "is " + size + " bytes, too short for a safetensors header "
                        + "(truncated file?)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > size - 8) {
                throw new InputException(source, "", "header length " + Long.toUnsignedString(headerLength)
                        + " is beyond the file size of " + size + " bytes (truncated or not a safetensors file)");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new InputException(source, "", "header length " + headerLength
                        + " exceeds the safetensors limit of " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            SafetensorsHeader fast = stream(file, size, 8 + headerLength, headerBytes.array());
            if (fast != null) {
                return fast;
            }
            // The streaming reader met something it does not accept as it stands: the tree reader decides, with
            // every check and the message naming the field.
            JsonNode header = parse(headerBytes.array(), source);
            return build(file, size, 8 + headerLength, header);
        } catch (NoSuchFileException e) {
            throw new InputException(source, "", "file not found", e);
        } catch (IOException e) {
            throw new InputException(source, "", "cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /**
     * The fast reader: one pass over the header's bytes straight into {@link TensorInfo}s, with no tree and no
     * general JSON parser to warm up (a JVM that reads 600 headers once spends most of its time in cold code). It
     * accepts only the plain form exporters write: ASCII strings without escapes, whole numbers without sign,
     * fraction or exponent, tensor entries holding exactly {@code dtype}, {@code shape} and {@code data_offsets},
     * no duplicate names, nothing after the object, and every check passed (offsets inside the file, spans that
     * match dtype and shape). On anything else it returns null and the tree reader ({@link #parse}, {@link #build})
     * reads the header again and reports the first problem exactly as it always did.
     */
    static SafetensorsHeader stream(Path file, long size, long dataStart, byte[] bytes) {
        return new SafetensorsHeaderScanner(bytes).header(file, size, dataStart);
    }

    /**
     * The {@code weight_map} of a {@code model.safetensors.index.json} in the plain form exporters write (an object
     * holding {@code weight_map}, tensor name to shard file name, and an optional {@code metadata} of strings and
     * whole numbers), read with the same scanner; null when the file has any other form or cannot be read, and then
     * the caller's tree reader decides and reports.
     */
    static Map<String, String> plainWeightMap(Path indexFile) {
        try {
            // An index too large for one array is not the plain form; the tree reader streams it and decides.
            if (java.nio.file.Files.size(indexFile) > MAX_HEADER_BYTES) {
                return null;
            }
            return new SafetensorsHeaderScanner(java.nio.file.Files.readAllBytes(indexFile)).weightMap();
        } catch (IOException e) {
            return null;
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

    /** The tree reader alone, for tests that hold the streaming reader to it. */
    static SafetensorsHeader readTree(Path file, long size, long dataStart, byte[] bytes) {
        return build(file, size, dataStart, parse(bytes, file.toString()));
    }

    private static JsonNode parse(byte[] bytes, String source) {
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new InputException(source, "header", "must be a JSON object, found "
                        + Fields.describe(node));
            }
            return node;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage().split("\n")[0];
            throw new InputException(source, "header", "is not valid JSON: " + message, e);
        } catch (IOException e) {
            throw new InputException(source, "header", "cannot be parsed: " + e.getMessage(), e);
        }
    }

    private static SafetensorsHeader build(Path file, long size, long dataStart, JsonNode header) {
        String source = file.toString();
        String shard = file.getFileName().toString();
        Fields fields = new Fields(source);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = header.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            JsonNode value = entry.getValue();
            if ("__metadata__".equals(name)) {
                readMetadata(fields, value, metadata);
                continue;
            }
            String field = "header." + name;
            fields.requireObject(value, field);
            String dtype = fields.requireString(value, "dtype", field + ".dtype");
            long[] shape = shape(fields, value.get("shape"), field + ".shape");
            JsonNode offsets = value.get("data_offsets");
            Long begin = offsets != null && offsets.isArray() && offsets.size() == 2
                    ? Fields.wholeNumber(offsets.get(0)) : null;
            Long end = begin != null ? Fields.wholeNumber(offsets.get(1)) : null;
            if (begin == null || end == null || begin < 0 || end < begin) {
                throw fields.error(field + ".data_offsets", "must be [begin, end] with 0 <= begin <= end, found "
                        + (offsets == null ? "nothing" : Json.writeLine(offsets)));
            }
            if (dataStart + end > size) {
                throw fields.error(field + ".data_offsets", "data ends at byte " + (dataStart + end)
                        + ", beyond the file size of " + size + " bytes (truncated shard?)");
            }
            TensorInfo tensor = new TensorInfo(name, dtype, shape, end - begin, shard);
            long elements;
            try {
                elements = tensor.numel();
            } catch (ArithmeticException e) {
                throw fields.error(field + ".shape", "has more elements than a file can hold");
            }
            int width = DtypeWidth.bytes(dtype);
            if (width > 0) {
                long expected;
                try {
                    expected = Math.multiplyExact(elements, width);
                } catch (ArithmeticException e) {
                    throw fields.error(field + ".shape", "has more elements than a file can hold");
                }
                if (expected != tensor.byteSize()) {
                    throw fields.error(field + ".data_offsets", "span " + tensor.byteSize() + " bytes but "
                            + dtype + tensor.shapeText() + " needs " + expected);
                }
            }
            tensors.put(name, tensor);
        }
        return new SafetensorsHeader(file, size, dataStart, tensors, metadata);
    }

    private static long[] shape(Fields fields, JsonNode node, String field) {
        if (node == null || !node.isArray()) {
            throw fields.error(field, "must be a list of dimensions, found " + Fields.describe(node));
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            Long dim = Fields.wholeNumber(node.get(i));
            if (dim == null || dim < 0) {
                throw fields.error(field + "[" + i + "]", "must be a non-negative whole number, found "
                        + Fields.describe(node.get(i)));
            }
            shape[i] = dim;
        }
        return shape;
    }

    private static void readMetadata(Fields fields, JsonNode value, Map<String, String> into) {
        if (value == null || value.isNull()) {
            return;
        }
        fields.requireObject(value, "header.__metadata__");
        value.fields().forEachRemaining(entry -> {
            if (!entry.getValue().isTextual()) {
                throw fields.error("header.__metadata__." + entry.getKey(), "must be a string, found "
                        + Fields.describe(entry.getValue()));
            }
            into.put(entry.getKey(), entry.getValue().textValue());
        });
    }

    public Path file() {
        return file;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Bytes read from the file: the length prefix and the header, never tensor data. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The free-form {@code __metadata__} strings (for example {@code format: pt}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Bytes per element of the safetensors dtypes whose width is whole bytes; 0 for sub-byte or unknown. */
    static final class DtypeWidth {
        private DtypeWidth() {
        }

        static int bytes(String dtype) {
            return switch (dtype) {
                case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "F8_E8M0" -> 1;
                case "U16", "I16", "F16", "BF16" -> 2;
                case "U32", "I32", "F32" -> 4;
                case "U64", "I64", "F64" -> 8;
                default -> 0;
            };
        }
    }
}
