package dev.day0.evidence.eval;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One String per distinct short ASCII value (field names, metric names, filters, categories), so a file of
 * millions of lines does not allocate the same few names millions of times. A small open table; when it is
 * full, or a value is long, a new String is made as usual.
 */
final class AsciiSymbols {
    private static final int SIZE = 512;
    private static final int LONGEST = 64;
    private final byte[][] keys = new byte[SIZE][];
    private final String[] values = new String[SIZE];
    private int used;

    String of(byte[] bytes, int start, int length) {
        if (length > LONGEST) {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
        int hash = 1;
        for (int k = start; k < start + length; k++) {
            hash = 31 * hash + bytes[k];
        }
        int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        for (int probe = 0; probe < 8; probe++) {
            byte[] key = keys[slot];
            if (key == null) {
                if (used >= SIZE / 2) {
                    break;
                }
                keys[slot] = Arrays.copyOfRange(bytes, start, start + length);
                values[slot] = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
                used++;
                return values[slot];
            }
            if (key.length == length && Arrays.equals(key, 0, length, bytes, start, start + length)) {
                return values[slot];
            }
            slot = (slot + 1) & (SIZE - 1);
        }
        return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
    }
}
