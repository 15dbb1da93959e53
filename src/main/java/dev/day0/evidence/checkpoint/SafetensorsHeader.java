package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
     * The streaming reader: one pass of Jackson's parser (the same strict factory as every other read, so duplicate
     * names and trailing tokens are still refused) straight into {@link TensorInfo}s, without a tree. It accepts
     * only headers every check passes on: whole numbers that fit a long, offsets inside the file, spans that match
     * dtype and shape. On anything else it returns null and the tree reader ({@link #parse}, {@link #build})
     * reads the header again and reports the first problem exactly as it always did.
     */
    static SafetensorsHeader stream(Path file, long size, long dataStart, byte[] bytes) {
        String shard = file.getFileName().toString();
        try (JsonParser parser = Json.streamParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("__metadata__".equals(name)) {
                    if (value == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (value != JsonToken.START_OBJECT) {
                        return null;
                    }
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String key = parser.currentName();
                        if (parser.nextToken() != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        metadata.put(key, parser.getText());
                    }
                    continue;
                }
                if (value != JsonToken.START_OBJECT) {
                    return null;
                }
                String dtype = null;
                long[] shape = null;
                long begin = -1;
                long end = -1;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    JsonToken inner = parser.nextToken();
                    switch (key) {
                        case "dtype" -> {
                            if (inner != JsonToken.VALUE_STRING) {
                                return null;
                            }
                            dtype = dtype(parser.getText());
                        }
                        case "shape" -> {
                            shape = longs(parser, inner, -1);
                            if (shape == null) {
                                return null;
                            }
                        }
                        case "data_offsets" -> {
                            long[] offsets = longs(parser, inner, 2);
                            if (offsets == null) {
                                return null;
                            }
                            begin = offsets[0];
                            end = offsets[1];
                        }
                        default -> parser.skipChildren();
                    }
                }
                if (dtype == null || shape == null || begin < 0 || end < begin || dataStart + end > size) {
                    return null;
                }
                TensorInfo tensor = new TensorInfo(name, dtype, shape, end - begin, shard);
                int width = DtypeWidth.bytes(dtype);
                long elements = 1;
                for (long dim : shape) {
                    if (dim != 0 && elements > Long.MAX_VALUE / dim) {
                        return null;
                    }
                    elements *= dim;
                }
                if (width > 0 && (elements > Long.MAX_VALUE / width || elements * width != end - begin)) {
                    return null;
                }
                tensors.put(name, tensor);
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            return new SafetensorsHeader(file, size, dataStart, tensors, metadata);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A list of non-negative whole numbers that fit a long ({@code length} of them, or any number when negative),
     * else null. Numbers written with a fraction or exponent ({@code 2.0}) are left to the tree reader.
     */
    private static long[] longs(JsonParser parser, JsonToken start, int length) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            return null;
        }
        long[] values = new long[length < 0 ? 4 : length];
        int count = 0;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER || count == length) {
                return null;
            }
            long value = parser.getLongValue();
            if (value < 0) {
                return null;
            }
            if (count == values.length) {
                values = java.util.Arrays.copyOf(values, count * 2);
            }
            values[count++] = value;
        }
        if (token != JsonToken.END_ARRAY || length >= 0 && count != length) {
            return null;
        }
        return count == values.length ? values : java.util.Arrays.copyOf(values, count);
    }

    /** The dtype name, one shared String for the known codes (a checkpoint has thousands of tensors, a few dtypes). */
    private static String dtype(String text) {
        return switch (text) {
            case "BF16" -> "BF16";
            case "F16" -> "F16";
            case "F32" -> "F32";
            case "F64" -> "F64";
            case "F8_E4M3" -> "F8_E4M3";
            case "F8_E5M2" -> "F8_E5M2";
            case "F8_E8M0" -> "F8_E8M0";
            case "U8" -> "U8";
            case "I8" -> "I8";
            case "I16" -> "I16";
            case "U16" -> "U16";
            case "I32" -> "I32";
            case "U32" -> "U32";
            case "I64" -> "I64";
            case "U64" -> "U64";
            case "BOOL" -> "BOOL";
            default -> text;
        };
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
