package dev.day0.evidence.eval;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level JSON primitives under {@link SampleLineScanner}: skipping a value while checking what Jackson
 * checks when it skips one, reading numbers as Jackson's {@code getDoubleValue} does, and decoding the strings a
 * record keeps. Each gives up (a {@link GiveUp}) where it is not sure it agrees with Jackson, never guesses.
 */
abstract class JsonBytes {
    /** Thrown when the line is not one this scanner reads; carries no stack trace, so giving up is cheap. */
    static final class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GiveUp() {
            super("the byte-level reader leaves this line to the Jackson path", null, false, false);
        }
    }

    static final GiveUp GIVE_UP = new GiveUp();

    /** Well under Jackson's nesting limit (1,000), so a line deep enough to fail there is never read here. */
    static final int MAX_DEPTH = 200;
    /** Well under Jackson's number length limit (1,000 characters). */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Well under Jackson's field name length limit (50,000 bytes). */
    static final int MAX_NAME_LENGTH = 1_000;

    /** Byte classes inside a string: plain, end, escape, control (refused), UTF-8 leads of 2-4 bytes, invalid. */
    static final byte PLAIN = 0;
    static final byte QUOTE = 1;
    static final byte ESCAPE = 2;
    static final byte CONTROL = 3;
    static final byte LEAD2 = 4;
    static final byte LEAD3 = 5;
    static final byte LEAD4 = 6;
    static final byte INVALID = 7;
    static final byte[] STRING_CLASS = new byte[256];

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

    static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int k = 0; k < POWERS_OF_TEN.length; k++) {
            POWERS_OF_TEN[k] = power;
            power *= 10;
        }
    }


    /** Eight bytes at a time as one long, for the runs of plain bytes that are most of a sample line. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * 0x20;
    private static final long NEWLINES = ONES * '\n';

    final AsciiSymbols symbols = new AsciiSymbols();

    byte[] b;
    int i;
    int end;

    // ------------------------------------------------------------------ skipping

    final void skipValue(int depth) {
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

    final void skipObject(int depth) {
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

    final void skipArray(int depth) {
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
    final void skipName() {
        int start = i;
        skipStringBody();
        if (i - start > MAX_NAME_LENGTH) {
            throw GIVE_UP;
        }
    }

    final void skipString() {
        expect('"');
        skipStringBody();
    }

    /**
     * From just after an opening quote to just after the closing one, checking what Jackson checks when it skips
     * a string: escapes, control characters, and the UTF-8 sequence structure.
     */
    final void skipStringBody() {
        byte[] bytes = b;
        int at = i;
        int stop = end;
        while (true) {
            at = plainRun(bytes, at, stop);
            if (at >= stop) {
                throw GIVE_UP;
            }
            switch (STRING_CLASS[bytes[at] & 0xFF]) {
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
    final int escape(int at) {
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

    final int continuation(int at, int count) {
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
    final boolean skipNumber() {
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

    final void skipDigits() {
        while (i < end && isDigit(b[i])) {
            i++;
        }
    }

    /**
     * A number's value as Jackson's {@code getDoubleValue} gives it: a whole number through a long (so -0 is 0.0),
     * anything else correctly rounded. Short decimals take the exact fast path (a mantissa below 2^53 and one
     * multiplication or division by an exact power of ten, which rounds once); the rest goes to the JDK.
     */
    final double number() {
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
    final String string(boolean shared) {
        expect('"');
        int start = i;
        byte[] bytes = b;
        int at = plainRun(bytes, start, end);
        if (at < end && bytes[at] == '"') {
            i = at + 1;
            return shared ? symbols.of(bytes, start, at - start)
                    : new String(bytes, start, at - start, StandardCharsets.ISO_8859_1);
        }
        return decode(start);
    }

    /** The slow way, for strings with escapes or non-ASCII text: only well-formed UTF-8 is read here. */
    final String decode(int start) {
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

    final boolean hasEscape(int start, int stop) {
        for (int k = start; k < stop; k++) {
            if (b[k] == '\\') {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ eight bytes at a time

    /**
     * The index of the first byte in {@code [at, stop)} that is not {@link #PLAIN} string content (a quote, a
     * backslash, a control character or a non-ASCII byte), or {@code stop}. Eight bytes per step: a byte is
     * flagged when its high bit is set, when it is below 0x20, or when it equals a quote or a backslash; the
     * lowest flagged byte is always a true one (a borrow only moves towards higher bytes), so the answer is the
     * byte-by-byte loop's.
     */
    static int plainRun(byte[] bytes, int at, int stop) {
        int k = at;
        while (k + Long.BYTES <= stop) {
            long x = (long) LONGS.get(bytes, k);
            long flagged = (x | zeroBytes(x ^ QUOTES) | zeroBytes(x ^ BACKSLASHES) | ((x - SPACES) & ~x))
                    & HIGH_BITS;
            if (flagged != 0) {
                return k + (Long.numberOfTrailingZeros(flagged) >>> 3);
            }
            k += Long.BYTES;
        }
        while (k < stop && STRING_CLASS[bytes[k] & 0xFF] == PLAIN) {
            k++;
        }
        return k;
    }

    /** The index of the first line feed in {@code [at, stop)}, or {@code stop}. */
    static int lineFeed(byte[] bytes, int at, int stop) {
        int k = at;
        while (k + Long.BYTES <= stop) {
            long flagged = zeroBytes((long) LONGS.get(bytes, k) ^ NEWLINES) & HIGH_BITS;
            if (flagged != 0) {
                return k + (Long.numberOfTrailingZeros(flagged) >>> 3);
            }
            k += Long.BYTES;
        }
        while (k < stop && bytes[k] != '\n') {
            k++;
        }
        return k;
    }

    /** The high bit of every zero byte of {@code x} set (and maybe of bytes above the lowest zero). */
    private static long zeroBytes(long x) {
        return (x - ONES) & ~x;
    }

    // ------------------------------------------------------------------ bytes

    final void skipSpace() {
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
    }

    final byte peek() {
        if (i >= end) {
            throw GIVE_UP;
        }
        return b[i];
    }

    final byte peekOrZero() {
        return i < end ? b[i] : 0;
    }

    final byte next() {
        if (i >= end) {
            throw GIVE_UP;
        }
        return b[i++];
    }

    final void expect(char c) {
        if (i >= end || b[i] != c) {
            throw GIVE_UP;
        }
        i++;
    }

    /** Four letters of a literal (true, null, and false's first four); what follows is checked by the caller. */
    final void literal(char c0, char c1, char c2, char c3) {
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

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
