package dev.day0.evidence.checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The byte scanner behind {@link SafetensorsHeader#stream} and {@link SafetensorsHeader#plainWeightMap}: one pass
 * over the bytes of the plain form exporters write, straight into {@link TensorInfo}s. Every method returns null
 * (or -1) for "not sure", and the caller's tree reader then reads the file again with every check and its message.
 */
final class SafetensorsHeaderScanner {
    private final byte[] b;
    private int at;

    SafetensorsHeaderScanner(byte[] bytes) {
        this.b = bytes;
    }

    SafetensorsHeader header(Path file, long size, long dataStart) {
        String shard = file.getFileName().toString();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean metadataSeen = false;
        if (!expect('{')) {
            return null;
        }
        if (peek() == '}') {
            at++;
        } else {
            while (true) {
                String name = memberName();
                if (name == null) {
                    return null;
                }
                if ("__metadata__".equals(name)) {
                    if (metadataSeen || !metadata(metadata)) {
                        return null;
                    }
                    metadataSeen = true;
                } else {
                    TensorInfo tensor = tensor(name, shard, size, dataStart);
                    if (tensor == null || tensors.put(name, tensor) != null) {
                        return null;
                    }
                }
                int next = afterMember('}');
                if (next < 0) {
                    return null;
                }
                if (next == 0) {
                    break;
                }
            }
        }
        return peek() == -1 ? SafetensorsHeader.of(file, size, dataStart, tensors, metadata) : null;
    }

    Map<String, String> weightMap() {
        if (!expect('{') || peek() == '}') {
            return null;
        }
        Map<String, String> map = null;
        boolean metadataSeen = false;
        while (true) {
            String key = memberName();
            if (key == null) {
                return null;
            }
            if (key.equals("weight_map") && map == null) {
                map = new LinkedHashMap<>();
                if (peek() != '{' || !metadata(map)) {
                    return null;
                }
            } else if (key.equals("metadata") && !metadataSeen) {
                metadataSeen = true;
                if (!plainObject()) {
                    return null;
                }
            } else {
                return null;
            }
            int next = afterMember('}');
            if (next < 0) {
                return null;
            }
            if (next == 0) {
                break;
            }
        }
        return peek() == -1 ? map : null;
    }

    /** An object of plain strings and whole numbers with distinct keys, skipped. */
    private boolean plainObject() {
        if (!expect('{')) {
            return false;
        }
        if (peek() == '}') {
            at++;
            return true;
        }
        Set<String> keys = new HashSet<>();
        while (true) {
            String key = memberName();
            if (key == null || !keys.add(key)) {
                return false;
            }
            if (peek() == '"' ? string() == null : number() < 0) {
                return false;
            }
            int next = afterMember('}');
            if (next < 0) {
                return false;
            }
            if (next == 0) {
                return true;
            }
        }
    }

    private boolean metadata(Map<String, String> into) {
        int first = peek();
        if (first == 'n') {
            if (at + 4 <= b.length && b[at + 1] == 'u' && b[at + 2] == 'l' && b[at + 3] == 'l') {
                at += 4;
                return true;
            }
            return false;
        }
        if (first != '{') {
            return false;
        }
        at++;
        if (peek() == '}') {
            at++;
            return true;
        }
        while (true) {
            String key = memberName();
            if (key == null) {
                return false;
            }
            String value = string();
            if (value == null || into.put(key, value) != null) {
                return false;
            }
            int next = afterMember('}');
            if (next < 0) {
                return false;
            }
            if (next == 0) {
                return true;
            }
        }
    }

    private TensorInfo tensor(String name, String shard, long size, long dataStart) {
        if (!expect('{')) {
            return null;
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (true) {
            String key = memberName();
            if (key == null) {
                return null;
            }
            switch (key) {
                case "dtype" -> {
                    if (dtype != null || (dtype = string()) == null) {
                        return null;
                    }
                    dtype = dtype(dtype);
                }
                case "shape" -> {
                    if (shape != null || (shape = longs(-1)) == null) {
                        return null;
                    }
                }
                case "data_offsets" -> {
                    if (offsets != null || (offsets = longs(2)) == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            int next = afterMember('}');
            if (next < 0) {
                return null;
            }
            if (next == 0) {
                break;
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            return null;
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin || dataStart + end > size) {
            return null;
        }
        long elements = 1;
        for (long dim : shape) {
            if (dim != 0 && elements > Long.MAX_VALUE / dim) {
                return null;
            }
            elements *= dim;
        }
        int width = SafetensorsHeader.DtypeWidth.bytes(dtype);
        if (width > 0 && (elements > Long.MAX_VALUE / width || elements * width != end - begin)) {
            return null;
        }
        return new TensorInfo(name, dtype, shape, end - begin, shard);
    }

    /** A list of whole numbers ({@code length} of them, any number when negative), else null. */
    private long[] longs(int length) {
        if (!expect('[')) {
            return null;
        }
        long[] values = new long[length < 0 ? 4 : length];
        int count = 0;
        if (peek() == ']') {
            at++;
        } else {
            while (true) {
                long value = number();
                if (value < 0 || count == length) {
                    return null;
                }
                if (count == values.length) {
                    values = Arrays.copyOf(values, count * 2);
                }
                values[count++] = value;
                int next = afterMember(']');
                if (next < 0) {
                    return null;
                }
                if (next == 0) {
                    break;
                }
            }
        }
        if (length >= 0 && count != length) {
            return null;
        }
        return count == values.length ? values : Arrays.copyOf(values, count);
    }

    /** Digits only, no leading zero, at most 18 of them (so no overflow), not followed by a fraction; else -1. */
    private long number() {
        skipSpace();
        int start = at;
        long value = 0;
        while (at < b.length && b[at] >= '0' && b[at] <= '9') {
            value = value * 10 + (b[at] - '0');
            at++;
        }
        int digits = at - start;
        if (digits == 0 || digits > 18 || digits > 1 && b[start] == '0') {
            return -1;
        }
        if (at < b.length && (b[at] == '.' || b[at] == 'e' || b[at] == 'E')) {
            return -1;
        }
        return value;
    }

    /** A string of printable ASCII without escapes, else null. */
    private String string() {
        if (!expect('"')) {
            return null;
        }
        int start = at;
        while (at < b.length) {
            byte c = b[at];
            if (c == '"') {
                String text = new String(b, start, at - start, StandardCharsets.ISO_8859_1);
                at++;
                return text;
            }
            if (c == '\\' || c < 0x20) {
                return null;
            }
            at++;
        }
        return null;
    }

    /** A member's name and its colon, else null. */
    private String memberName() {
        String name = string();
        return name != null && expect(':') ? name : null;
    }

    /** After a member or element: 1 when a comma follows (another comes), 0 at {@code close}, -1 otherwise. */
    private int afterMember(char close) {
        int next = peek();
        at++;
        return next == ',' ? 1 : next == close ? 0 : -1;
    }

    private boolean expect(char c) {
        if (peek() != c) {
            return false;
        }
        at++;
        return true;
    }

    /** The next byte after white space, -1 at the end. */
    private int peek() {
        skipSpace();
        return at < b.length ? b[at] : -1;
    }

    private void skipSpace() {
        while (at < b.length) {
            byte c = b[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            at++;
        }
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
}
