package dev.day0.evidence.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one sample line straight from its UTF-8 bytes into a {@link SampleLine}: only the fields a record keeps
 * are decoded, everything else (the prompt, the document, the responses) is checked and skipped byte by byte.
 *
 * <p>It accepts a line only when it is sure the Jackson path would accept it and read the same values: one JSON
 * object on the line with ASCII field names without escapes, no duplicate top-level field, a doc id, and the
 * fields' types as {@link SampleFileReader} requires them. On anything else it {@linkplain #scan gives up} on the
 * line (a {@link GiveUp}), and the caller hands that line and the rest of the file to the Jackson path, which
 * words the error with the file, the line and the field exactly as before, or reads an unusual but valid line.
 * Being stricter than Jackson only costs speed; being laxer would be a bug, which the differential test hunts.
 */
final class SampleLineScanner extends JsonBytes {
    private static final byte[] DOC = ascii("doc");
    private static final byte[] DOC_ID = ascii("doc_id");
    private static final byte[] FILTER = ascii("filter");
    private static final byte[] METRICS = ascii("metrics");
    private static final byte[] METADATA = ascii("metadata");
    private static final byte[] DOC_HASH = ascii("doc_hash");
    private static final byte[] CATEGORY = ascii("category");
    private static final byte[] PROBLEM_IDX = ascii("problem_idx");
    private static final byte[] PROMPT_HASH = ascii("prompt_hash");
    private static final byte[] SCORING_DETAILS = ascii("scoring_details");

    private final boolean keepHashes;
    private final List<String> metricNames = new ArrayList<>(4);
    private int[] nameStarts = new int[32];
    private int[] nameLengths = new int[32];
    private int[] nameHashes = new int[32];
    private int names;

    SampleLineScanner(boolean keepHashes) {
        this.keepHashes = keepHashes;
    }

    /**
     * Reads the line {@code bytes[start, stop)} (without its line break) into {@code line}.
     *
     * @return false for a blank line, true for a sample line with a doc id
     * @throws GiveUp when the line must be left to the Jackson path
     */
    boolean scan(byte[] bytes, int start, int stop, SampleLine line) {
        b = bytes;
        i = start;
        end = stop;
        skipSpace();
        if (i == end) {
            return false;
        }
        if (b[i] != '{') {
            throw GIVE_UP;
        }
        i++;
        line.clear();
        names = 0;
        skipSpace();
        while (true) {
            expect('"');
            int nameStart = i;
            int hash = fieldName();
            int length = i - 1 - nameStart;
            if (length > MAX_NAME_LENGTH) {
                throw GIVE_UP;
            }
            rememberName(nameStart, length, hash);
            skipSpace();
            expect(':');
            skipSpace();
            field(nameStart, length, line);
            skipSpace();
            byte c = next();
            if (c == '}') {
                break;
            }
            if (c != ',') {
                throw GIVE_UP;
            }
            skipSpace();
        }
        skipSpace();
        if (i != end || line.id() == null) {
            throw GIVE_UP;
        }
        return true;
    }

    private void field(int nameStart, int length, SampleLine line) {
        switch (length) {
            case 3 -> {
                if (same(nameStart, DOC)) {
                    line.docCategory = objectCategory();
                    return;
                }
            }
            case 6 -> {
                if (same(nameStart, DOC_ID)) {
                    line.docId = idText();
                    return;
                }
                if (same(nameStart, FILTER)) {
                    line.filter = optionalString(true, true);
                    return;
                }
            }
            case 7 -> {
                if (same(nameStart, METRICS)) {
                    line.metricNames = metricNames();
                    return;
                }
            }
            case 8 -> {
                if (same(nameStart, METADATA)) {
                    line.metadataCategory = objectCategory();
                    return;
                }
                if (same(nameStart, DOC_HASH)) {
                    line.docHash = optionalString(keepHashes, false);
                    return;
                }
                if (same(nameStart, CATEGORY)) {
                    if (peek() == '"') {
                        line.category = string(true);
                    } else {
                        skipValue(1);
                    }
                    return;
                }
            }
            case 11 -> {
                if (same(nameStart, PROBLEM_IDX)) {
                    line.problemIdx = idText();
                    return;
                }
                if (same(nameStart, PROMPT_HASH)) {
                    line.promptHash = optionalString(keepHashes, false);
                    return;
                }
            }
            case 15 -> {
                if (same(nameStart, SCORING_DETAILS)) {
                    line.scoringCategory = objectCategory();
                    return;
                }
            }
            default -> {
                // any other name is a candidate metric
            }
        }
        otherValue(nameStart, length, line);
    }

    /** Numbers and booleans are metric values; strings, nulls, lists and objects are skipped. */
    private void otherValue(int nameStart, int length, SampleLine line) {
        byte c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            line.number(symbols.of(b, nameStart, length), number());
        } else if (c == 't') {
            literal('t', 'r', 'u', 'e');
            line.number(symbols.of(b, nameStart, length), 1.0);
        } else if (c == 'f') {
            literal('f', 'a', 'l', 's');
            expect('e');
            line.number(symbols.of(b, nameStart, length), 0.0);
        } else {
            skipValue(1);
        }
    }

    /** doc_id and problem_idx: a whole number's text as written, or a string. */
    private String idText() {
        byte c = peek();
        if (c == '"') {
            return string(false);
        }
        if (c != '-' && (c < '0' || c > '9')) {
            throw GIVE_UP;
        }
        int start = i;
        if (!skipNumber()) {
            throw GIVE_UP;  // a fraction or an exponent: the Jackson path says what is wrong
        }
        return new String(b, start, i - start, StandardCharsets.ISO_8859_1);
    }

    /** A string or null; anything else is left to the Jackson path to refuse. */
    private String optionalString(boolean keep, boolean shared) {
        byte c = peek();
        if (c == 'n') {
            literal('n', 'u', 'l', 'l');
            return null;
        }
        if (c != '"') {
            throw GIVE_UP;
        }
        if (!keep) {
            skipString();
            return null;
        }
        return string(shared);
    }

    /** The first {@code category} string directly inside an object value, or null; a non-object is skipped. */
    private String objectCategory() {
        if (peek() != '{') {
            skipValue(1);
            return null;
        }
        i++;
        String category = null;
        skipSpace();
        if (peek() == '}') {
            i++;
            return null;
        }
        while (true) {
            expect('"');
            int nameStart = i;
            skipName();
            boolean isCategory = i - 1 - nameStart == CATEGORY.length && same(nameStart, CATEGORY);
            if (!isCategory && hasEscape(nameStart, i - 1)) {
                throw GIVE_UP;  // an escaped name might spell "category"
            }
            skipSpace();
            expect(':');
            skipSpace();
            if (category == null && isCategory && peek() == '"') {
                category = string(true);
            } else {
                skipValue(2);
            }
            skipSpace();
            byte c = next();
            if (c == '}') {
                return category;
            }
            if (c != ',') {
                throw GIVE_UP;
            }
            skipSpace();
        }
    }

    private List<String> metricNames() {
        byte c = peek();
        if (c == 'n') {
            literal('n', 'u', 'l', 'l');
            return null;
        }
        if (c != '[') {
            throw GIVE_UP;
        }
        i++;
        metricNames.clear();
        skipSpace();
        if (peek() == ']') {
            i++;
            return metricNames;
        }
        while (true) {
            if (peek() != '"') {
                throw GIVE_UP;
            }
            metricNames.add(string(true));
            skipSpace();
            byte next = next();
            if (next == ']') {
                return metricNames;
            }
            if (next != ',') {
                throw GIVE_UP;
            }
            skipSpace();
        }
    }

    // ------------------------------------------------------------------ top-level names

    /** A field name of plain ASCII without escapes (anything else gives up); returns its hash. */
    private int fieldName() {
        int hash = 0;
        byte[] bytes = b;
        int at = i;
        while (true) {
            if (at >= end) {
                throw GIVE_UP;
            }
            byte c = bytes[at];
            byte kind = STRING_CLASS[c & 0xFF];
            if (kind == QUOTE) {
                i = at + 1;
                return hash;
            }
            if (kind != PLAIN) {
                throw GIVE_UP;
            }
            hash = 31 * hash + c;
            at++;
        }
    }

    /** Gives up on a second field of the same name: the Jackson path names it. */
    private void rememberName(int start, int length, int hash) {
        for (int k = 0; k < names; k++) {
            if (nameHashes[k] == hash && nameLengths[k] == length
                    && Arrays.equals(b, nameStarts[k], nameStarts[k] + length, b, start, start + length)) {
                throw GIVE_UP;
            }
        }
        if (names == nameStarts.length) {
            nameStarts = Arrays.copyOf(nameStarts, names * 2);
            nameLengths = Arrays.copyOf(nameLengths, names * 2);
            nameHashes = Arrays.copyOf(nameHashes, names * 2);
        }
        nameStarts[names] = start;
        nameLengths[names] = length;
        nameHashes[names] = hash;
        names++;
    }

    private boolean same(int start, byte[] name) {
        return Arrays.equals(b, start, start + name.length, name, 0, name.length);
    }
}
