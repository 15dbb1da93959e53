package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.Test;

/** The eight-bytes-at-a-time searches against the byte-by-byte loops they replace, on every offset and length. */
public class JsonBytesTest {
    private static final byte[] SPECIAL = {'"', '\\', '\n', '\r', '\t', 0, 0x1f, 0x20, 0x21, 0x23, 0x5b, 0x5d,
        0x7f, (byte) 0x80, (byte) 0xC3, (byte) 0xFF, 'a', '0', 0x0b, 0x09};

    @Test
    public void shouldFindTheSameFirstNonPlainByteAsTheByteLoop() {
        assertAgreement(3L, JsonBytes::plainRun, JsonBytesTest::plainByLoop);
    }

    @Test
    public void shouldFindTheSameFirstLineFeedAsTheByteLoop() {
        assertAgreement(4L, JsonBytes::lineFeed, JsonBytesTest::lineFeedByLoop);
    }

    @Test
    public void shouldTellEveryByteValueAsTheStringClassTableDoes() {
        for (int c = 0; c < 256; c++) {
            byte[] bytes = new byte[17];
            java.util.Arrays.fill(bytes, (byte) 'a');
            bytes[11] = (byte) c;
            boolean plain = JsonBytes.STRING_CLASS[c] == JsonBytes.PLAIN;

            assertThat(JsonBytes.plainRun(bytes, 0, bytes.length)).as("byte %d", c).isEqualTo(plain ? 17 : 11);
            assertThat(JsonBytes.lineFeed(bytes, 0, bytes.length)).as("byte %d", c).isEqualTo(c == '\n' ? 11 : 17);
        }
    }

    /** A search over {@code bytes[at, stop)}: the index it stops at. */
    private interface Search {
        int find(byte[] bytes, int at, int stop);
    }

    private static void assertAgreement(long seed, Search fast, Search loop) {
        Random random = new Random(seed);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = bytes(random);
            int at = random.nextInt(bytes.length + 1);
            int stop = at + random.nextInt(bytes.length - at + 1);

            assertThat(fast.find(bytes, at, stop)).as("bytes %s from %d to %d", java.util.Arrays.toString(bytes), at,
                    stop).isEqualTo(loop.find(bytes, at, stop));
        }
    }

    /** Mostly plain text, a special byte now and then, so runs of every length end at every kind of byte. */
    private static byte[] bytes(Random random) {
        byte[] bytes = new byte[random.nextInt(40)];
        int density = 1 + random.nextInt(20);
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = random.nextInt(density) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)]
                    : (byte) (0x20 + random.nextInt(0x5f));
        }
        return bytes;
    }

    private static int plainByLoop(byte[] bytes, int at, int stop) {
        int k = at;
        while (k < stop && JsonBytes.STRING_CLASS[bytes[k] & 0xFF] == JsonBytes.PLAIN) {
            k++;
        }
        return k;
    }

    private static int lineFeedByLoop(byte[] bytes, int at, int stop) {
        int k = at;
        while (k < stop && bytes[k] != '\n') {
            k++;
        }
        return k;
    }
}
