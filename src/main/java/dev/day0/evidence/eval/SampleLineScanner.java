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
final class SampleLineScanner {
    /** Thrown when the line is not one this scanner reads; carries no stack trace, so giving up is cheap. */
    static final class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private GiveUp() {
            super("the byte-level reader leaves this line to the Jackson path", null, false, false);
        }
    }

    private static final GiveUp GIVE_UP = new GiveUp();

    /** Well under Jackson's nesting limit (1,000), so a line deep enough to fail there is never read here. */
    private static final int MAX_DEPTH = 200;
    /** Well under Jackson's number length limit (1,000 characters). */
    private static final int MAX_NUMBER_LENGTH = 100;
    /** Well under Jackson's field name length limit (50,000 bytes). */
    private static final int MAX_NAME_LENGTH = 1_000;

    /** Byte classes inside a string: plain, end, escape, control (refused), UTF-8 leads of 2-4 bytes, invalid. */
    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte ESCAPE = 2;
    private static final byte CONTROL = 3;
    private static final byte LEAD2 = 4;
    private static final byte LEAD3 = 5;
    private static final byte LEAD4 = 6;
    private static final byte INVALID = 7;
    private static final byte[] STRING_CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            byte kind;
            if (c < 0x20) {
                kind = CONTROL;
            } else if (c == '"') {
                kind = QUOTE;
            } else if (c == '\\') {
                kind = ESCAPE;
            } else if (c < 0x80) {
                kind = PLAIN;
            } else if ((c & 0xE0) == 0xC0) {
                kind = LEAD2;
            } else if ((c & 0xF0) == 0xE0) {
                kind = LEAD3;
            } else if ((c & 0xF8) == 0xF0) {
                kind = LEAD4;
            } else {
                kind = INVALID;
            }
            STRING_CLASS[c] = kind;
        }
    }

    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int k = 0; k < POWERS_OF_TEN.length; k++) {
            POWERS_OF_TEN[k] = power;
            power *= 10;
        }
    }

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
    private final Symbols symbols = new Symbols();
    private final List<String> metricNames = new ArrayList<>(4);
    private int[] nameStarts = new int[32];
    private int[] nameLengths = new int[32];
    private int[] nameHashes = new int[32];
    private int names;

    private byte[] b;
    private int i;
    private int end;

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

    // ------------------------------------------------------------------ skipping

    private void skipValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw GIVE_UP;
        }
        byte c = peek();
        switch (c) {
            case '"' -> skipString();
            case '{' -> skipObject(depth);
            case '[' -> skipArray(depth);
            case 't' -> literal('t', 'r', 'u', 'e');
            case 'f' -> {
                literal('f', 'a', 'l', 's');
                expect('e');
            }
            case 'n' -> literal('n', 'u', 'l', 'l');
            default -> {
                if (c != '-' && (c < '0' || c > '9')) {
                    throw GIVE_UP;
                }
                skipNumber();
            }
        }
    }

    private void skipObject(int depth) {
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            expect('"');
            skipName();
            skipSpace();
            expect(':');
            skipSpace();
            skipValue(depth + 1);
            skipSpace();
            byte c = next();
            if (c == '}') {
                return;
            }
            if (c != ',') {
                throw GIVE_UP;
            }
            skipSpace();
        }
    }

    private void skipArray(int depth) {
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            skipValue(depth + 1);
            skipSpace();
            byte c = next();
            if (c == ']') {
                return;
            }
            if (c != ',') {
                throw GIVE_UP;
            }
            skipSpace();
        }
    }

    /** A field name inside a skipped value: Jackson decodes it, and refuses one past its length limit. */
    private void skipName() {
        int start = i;
        skipStringBody();
        if (i - start > MAX_NAME_LENGTH) {
            throw GIVE_UP;
        }
    }

    private void skipString() {
        expect('"');
        skipStringBody();
    }

    /**
     * From just after an opening quote to just after the closing one, checking what Jackson checks when it skips
     * a string: escapes, control characters, and the UTF-8 sequence structure.
     */
    private void skipStringBody() {
        byte[] bytes = b;
        int at = i;
        int stop = end;
        while (true) {
            if (at >= stop) {
                throw GIVE_UP;
            }
            byte kind = STRING_CLASS[bytes[at] & 0xFF];
            if (kind == PLAIN) {
                at++;
                continue;
            }
            switch (kind) {
                case QUOTE -> {
                    i = at + 1;
                    return;
                }
                case ESCAPE -> at = escape(at);
                case LEAD2 -> at = continuation(at, 1);
                case LEAD3 -> at = continuation(at, 2);
                case LEAD4 -> at = continuation(at, 3);
                default -> throw GIVE_UP;
            }
        }
    }

    /** The index after the escape at {@code at}; gives up on any escape JSON does not have. */
    private int escape(int at) {
        if (at + 1 >= end) {
            throw GIVE_UP;
        }
        byte c = b[at + 1];
        switch (c) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return at + 2;
            }
            case 'u' -> {
                if (at + 6 > end) {
                    throw GIVE_UP;
                }
                for (int k = at + 2; k < at + 6; k++) {
                    if (hex(b[k]) < 0) {
                        throw GIVE_UP;
                    }
                }
                return at + 6;
            }
            default -> throw GIVE_UP;
        }
    }

    private int continuation(int at, int count) {
        if (at + count >= end) {
            throw GIVE_UP;
        }
        for (int k = 1; k <= count; k++) {
            if ((b[at + k] & 0xC0) != 0x80) {
                throw GIVE_UP;
            }
        }
        return at + count + 1;
    }

    /** A number of JSON's grammar; true when it is a whole number (no fraction, no exponent). */
    private boolean skipNumber() {
        int start = i;
        if (peekOrZero() == '-') {
            i++;
        }
        byte c = peekOrZero();
        if (c == '0') {
            i++;
            if (isDigit(peekOrZero())) {
                throw GIVE_UP;  // a leading zero
            }
        } else if (c >= '1' && c <= '9') {
            skipDigits();
        } else {
            throw GIVE_UP;  // NaN, Infinity, a lone minus: the Jackson path reads or refuses them
        }
        boolean whole = true;
        if (peekOrZero() == '.') {
            i++;
            if (!isDigit(peekOrZero())) {
                throw GIVE_UP;
            }
            skipDigits();
            whole = false;
        }
        c = peekOrZero();
        if (c == 'e' || c == 'E') {
            i++;
            c = peekOrZero();
            if (c == '+' || c == '-') {
                i++;
            }
            if (!isDigit(peekOrZero())) {
                throw GIVE_UP;
            }
            skipDigits();
            whole = false;
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            throw GIVE_UP;
        }
        return whole;
    }

    private void skipDigits() {
        while (i < end && isDigit(b[i])) {
            i++;
        }
    }

    /**
     * A number's value as Jackson's {@code getDoubleValue} gives it: a whole number through a long (so -0 is 0.0),
     * anything else correctly rounded. Short decimals take the exact fast path (a mantissa below 2^53 and one
     * multiplication or division by an exact power of ten, which rounds once); the rest goes to the JDK.
     */
    private double number() {
        int start = i;
        boolean whole = skipNumber();
        int stop = i;
        int at = start;
        boolean negative = b[at] == '-';
        if (negative) {
            at++;
        }
        if (whole) {
            if (stop - at <= 18) {
                long value = 0;
                for (int k = at; k < stop; k++) {
                    value = value * 10 + (b[k] - '0');
                }
                return negative ? (double) -value : (double) value;
            }
            return Double.parseDouble(new String(b, start, stop - start, StandardCharsets.ISO_8859_1));
        }
        long mantissa = 0;
        int digits = 0;
        int fraction = 0;
        boolean inFraction = false;
        int k = at;
        for (; k < stop; k++) {
            byte c = b[k];
            if (c == '.') {
                inFraction = true;
            } else if (isDigit(c)) {
                if (mantissa != 0 || c != '0') {
                    digits++;
                }
                mantissa = mantissa * 10 + (c - '0');
                if (inFraction) {
                    fraction++;
                }
                if (digits > 15) {
                    break;
                }
            } else {
                break;  // the exponent
            }
        }
        if (k == stop && digits <= 15 && fraction < POWERS_OF_TEN.length) {
            double value = mantissa / POWERS_OF_TEN[fraction];
            return negative ? -value : value;
        }
        return Double.parseDouble(new String(b, start, stop - start, StandardCharsets.ISO_8859_1));
    }

    // ------------------------------------------------------------------ strings kept

    /** A string value decoded; {@code shared} reuses one String per distinct short value (names, filters). */
    private String string(boolean shared) {
        expect('"');
        int start = i;
        byte[] bytes = b;
        int at = start;
        while (at < end && STRING_CLASS[bytes[at] & 0xFF] == PLAIN) {
            at++;
        }
        if (at < end && bytes[at] == '"') {
            i = at + 1;
            return shared ? symbols.of(bytes, start, at - start)
                    : new String(bytes, start, at - start, StandardCharsets.ISO_8859_1);
        }
        return decode(start);
    }

    /** The slow way, for strings with escapes or non-ASCII text: only well-formed UTF-8 is read here. */
    private String decode(int start) {
        StringBuilder text = new StringBuilder();
        int at = start;
        while (true) {
            if (at >= end) {
                throw GIVE_UP;
            }
            int c = b[at] & 0xFF;
            byte kind = STRING_CLASS[c];
            switch (kind) {
                case PLAIN -> {
                    text.append((char) c);
                    at++;
                }
                case QUOTE -> {
                    i = at + 1;
                    return text.toString();
                }
                case ESCAPE -> {
                    int after = escape(at);
                    byte e = b[at + 1];
                    switch (e) {
                        case 'b' -> text.append('\b');
                        case 'f' -> text.append('\f');
                        case 'n' -> text.append('\n');
                        case 'r' -> text.append('\r');
                        case 't' -> text.append('\t');
                        case 'u' -> text.append((char) (hex(b[at + 2]) << 12 | hex(b[at + 3]) << 8
                                | hex(b[at + 4]) << 4 | hex(b[at + 5])));
                        default -> text.append((char) e);
                    }
                    at = after;
                }
                case LEAD2, LEAD3, LEAD4 -> {
                    int count = kind == LEAD2 ? 1 : kind == LEAD3 ? 2 : 3;
                    int after = continuation(at, count);
                    int code = c & (0x3F >> count);
                    for (int k = at + 1; k < after; k++) {
                        code = code << 6 | (b[k] & 0x3F);
                    }
                    // Overlong forms, surrogates and code points past U+10FFFF: Jackson and the JDK decode them
                    // differently, so such a line is the Jackson path's.
                    int least = count == 1 ? 0x80 : count == 2 ? 0x800 : 0x10000;
                    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
                        throw GIVE_UP;
                    }
                    text.appendCodePoint(code);
                    at = after;
                }
                default -> throw GIVE_UP;
            }
        }
    }

    private boolean hasEscape(int start, int stop) {
        for (int k = start; k < stop; k++) {
            if (b[k] == '\\') {
                return true;
            }
        }
        return false;
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

    // ------------------------------------------------------------------ bytes

    private void skipSpace() {
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
    }

    private byte peek() {
        if (i >= end) {
            throw GIVE_UP;
        }
        return b[i];
    }

    private byte peekOrZero() {
        return i < end ? b[i] : 0;
    }

    private byte next() {
        if (i >= end) {
            throw GIVE_UP;
        }
        return b[i++];
    }

    private void expect(char c) {
        if (i >= end || b[i] != c) {
            throw GIVE_UP;
        }
        i++;
    }

    /** Four letters of a literal (true, null, and false's first four); what follows is checked by the caller. */
    private void literal(char c0, char c1, char c2, char c3) {
        if (i + 4 > end || b[i] != c0 || b[i + 1] != c1 || b[i + 2] != c2 || b[i + 3] != c3) {
            throw GIVE_UP;
        }
        i += 4;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One String per distinct short ASCII value (field names, metric names, filters, categories), so a file of
     * millions of lines does not allocate the same few names millions of times. A small open table; when it is
     * full, or a value is long, a new String is made as usual.
     */
    private static final class Symbols {
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
}
