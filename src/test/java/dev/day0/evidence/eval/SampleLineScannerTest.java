package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Differential test of the byte-level reader: for every file, {@link SampleFileReader#stream} (the scanner, with
 * Jackson taking over where it gives up) and {@link SampleFileReader#streamWithJackson} (Jackson alone, the reader
 * day0 had before) must stream the same records, count the same lines, or fail with the same message. Files are
 * generated from a fixed seed (valid lm-eval and NeMo Evaluator lines, then byte-level mutations), plus the real
 * sample files the suite ships. jqwik is not on this JUnit 4 classpath, so the generator is a seeded loop.
 */
public class SampleLineScannerTest {
    private static final String[] FILTERS = {null, "none", "strict-match", "flexible-extract"};

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldReadTheShippedSampleFilesAsJacksonDoes() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of("src/test/resources"))) {
            files = walk.filter(path -> path.toString().endsWith(".jsonl")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            for (String filter : FILTERS) {
                Outcome fast = Outcome.of(() -> new Outcome.Run(file, filter, true, Reader.DEFAULT));
                assertThat(fast.records).as(file + " (" + filter + ")").isNotNull();
                assertSame(file, filter);
            }
        }
    }

    @Test
    public void shouldAgreeWithJacksonOnGeneratedValidFiles() throws IOException {
        Random random = new Random(20261202L);
        int read = 0;
        int left = 0;
        SampleLineScanner scanner = new SampleLineScanner(true);
        for (int n = 0; n < 400; n++) {
            String text = validFile(random);
            for (String line : text.split("\r?\n")) {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                try {
                    scanner.scan(bytes, 0, bytes.length, new SampleLine());
                    read++;
                } catch (SampleLineScanner.GiveUp e) {
                    left++;
                }
            }
            Path file = write(n, text);
            for (String filter : FILTERS) {
                assertSame(file, filter);
            }
            Outcome fast = Outcome.of(() -> new Outcome.Run(file, null, true, Reader.DEFAULT));
            assertThat(fast.error).as(file.toString()).isNull();
        }
        // Most valid lines must be the scanner's own (only NaN, Infinity and the like go to Jackson), or the
        // comparison above would be Jackson against itself.
        assertThat(read).isGreaterThan(4 * left);
    }

    @Test
    public void shouldAgreeWithJacksonOnMutatedFilesIncludingTheirErrors() throws IOException {
        Random random = new Random(18L);
        int failures = 0;
        for (int n = 0; n < 3000; n++) {
            byte[] bytes = mutate(random, validFile(random).getBytes(StandardCharsets.UTF_8));
            Path file = temp.getRoot().toPath().resolve("mutated-" + n + ".jsonl");
            Files.write(file, bytes);
            Reader chunked = pick(random, Reader.CHUNKS, Reader.TINY_CHUNKS, Reader.TINY_BUFFER);
            assertSame(file, FILTERS[random.nextInt(FILTERS.length)], chunked);
            if (Outcome.of(() -> new Outcome.Run(file, null, true, Reader.JACKSON)).error != null) {
                failures++;
            }
            Files.delete(file);
        }
        // The mutations must reach the error paths often, or the test would only ever compare valid files.
        assertThat(failures).isBetween(600, 2900);
    }

    @Test
    public void shouldAgreeWhenHashesAreLeftOut() throws IOException {
        Random random = new Random(7L);
        for (int n = 0; n < 50; n++) {
            Path file = write(n, validFile(random));
            Outcome fast = Outcome.of(() -> new Outcome.Run(file, null, false, Reader.TINY_CHUNKS));
            Outcome slow = Outcome.of(() -> new Outcome.Run(file, null, false, Reader.JACKSON));
            assertThat(fast).as(file.toString()).isEqualTo(slow);
            assertThat(fast.records).allSatisfy(record -> {
                assertThat(record.docHash()).isNull();
                assertThat(record.promptHash()).isNull();
            });
        }
    }

    private void assertSame(Path file, String filter) {
        assertSame(file, filter, Reader.CHUNKS);
        assertSame(file, filter, Reader.TINY_CHUNKS);
        assertSame(file, filter, Reader.TINY_BUFFER);
    }

    /** The default reader and one chunked one (the same files in chunks and lines a few bytes long) agree. */
    private void assertSame(Path file, String filter, Reader chunked) {
        Outcome slow = Outcome.of(() -> new Outcome.Run(file, filter, true, Reader.JACKSON));
        for (Reader reader : new Reader[] {Reader.DEFAULT, chunked}) {
            Outcome fast = Outcome.of(() -> new Outcome.Run(file, filter, true, reader));
            assertThat(fast).as("%s with filter %s, %s:%n%s", file, filter, reader, preview(file)).isEqualTo(slow);
        }
    }

    private static String preview(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Path write(int n, String text) throws IOException {
        Path file = temp.getRoot().toPath().resolve("samples_gen_" + n + ".jsonl");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    // ------------------------------------------------------------------ generator

    private static final String[] TEXTS = {"", "q", "What is 2 + 2?", "tab\\there", "quote \\\" inside",
        "back\\\\slash", "line\\nbreak", "\\u00e9t\\u00E9", "\\ud83d\\ude00", "caf\u00e9", "\u4e2d\u6587",
        "emoji \ud83d\ude00", "slash \\/", "\\b\\f\\r", "category", "none", "strict-match"};
    private static final String[] NUMBERS = {"0", "1", "-1", "-0", "0.0", "1.0", "-0.0", "0.5", "0.125",
        "123456789012345678", "1234567890123456789", "98765432109876543210", "1e5", "1E-3", "2.5e+2",
        "0.1234567890123456789", "3.141592653589793", "1e308", "1e309", "-1e-400", "4.9e-324", "0.30000000000000004",
        "123456.789", "1.0000000000000002", "9007199254740993", "NaN", "Infinity", "-Infinity"};
    private static final String[] CATEGORIES = {"law", "physics", "\u6570\u5b66", "a\\\"b"};

    private static String validFile(Random random) {
        StringBuilder text = new StringBuilder();
        int lines = random.nextInt(6);
        for (int n = 0; n < lines; n++) {
            if (random.nextInt(10) == 0) {
                text.append(random.nextBoolean() ? "" : "  \t");
            } else {
                text.append(line(random, n));
            }
            text.append(random.nextInt(8) == 0 ? "\r\n" : "\n");
        }
        if (random.nextInt(4) == 0 && text.length() > 0) {
            text.setLength(text.length() - 1);  // no final line break
        }
        return text.toString();
    }

    private static String line(Random random, int n) {
        List<String> fields = new ArrayList<>();
        boolean nel = random.nextInt(6) == 0;
        String id = switch (random.nextInt(5)) {
            case 0 -> "\"item-" + n + "\"";
            case 1 -> "\"" + pick(random, TEXTS) + "\"";
            default -> String.valueOf(random.nextInt(4) == 0 ? n % 2 : n);
        };
        fields.add((nel ? "\"problem_idx\": " : "\"doc_id\": ") + id);
        if (random.nextBoolean()) {
            fields.add("\"doc\": " + (random.nextInt(4) == 0 ? value(random, 2)
                    : "{\"question\": \"" + pick(random, TEXTS) + "\", \"options\": " + value(random, 3)
                    + (random.nextBoolean() ? ", \"category\": \"" + pick(random, CATEGORIES) + "\"" : "")
                    + (random.nextInt(5) == 0 ? ", \"category\": \"second\"" : "")
                    + (random.nextInt(5) == 0 ? ", \"caf\u00e9\": 1" : "") + "}"));
        }
        if (random.nextInt(3) == 0) {
            fields.add("\"target\": " + value(random, 1));
        }
        if (random.nextBoolean()) {
            fields.add("\"resps\": [[\"" + pick(random, TEXTS) + "\"]], \"filtered_resps\": [\""
                    + pick(random, TEXTS) + "\"]");
        }
        if (random.nextBoolean()) {
            fields.add("\"filter\": " + (random.nextInt(6) == 0 ? "null" : "\"" + pick(random, FILTERS[1],
                    FILTERS[2], FILTERS[3]) + "\""));
        }
        List<String> metrics = new ArrayList<>();
        for (String metric : List.of("acc", "acc_norm", "exact_match", "reward", "f1")) {
            if (random.nextInt(3) == 0) {
                metrics.add(metric);
            }
        }
        if (random.nextInt(3) > 0) {
            StringBuilder list = new StringBuilder("[");
            for (int k = 0; k < metrics.size(); k++) {
                list.append(k == 0 ? "" : ", ").append('"').append(metrics.get(k)).append('"');
            }
            fields.add("\"metrics\": " + (random.nextInt(8) == 0 ? "null" : list.append(']').toString()));
        }
        for (String metric : metrics) {
            String value = switch (random.nextInt(6)) {
                case 0 -> String.valueOf(random.nextBoolean());
                case 1 -> "[true, false]";
                case 2 -> "\"" + pick(random, TEXTS) + "\"";
                default -> pick(random, NUMBERS);
            };
            fields.add("\"" + metric + "\": " + value);
        }
        if (random.nextBoolean()) {
            fields.add("\"doc_hash\": \"" + Long.toHexString(random.nextLong()) + "\"");
        }
        if (random.nextBoolean()) {
            fields.add("\"prompt_hash\": " + (random.nextInt(6) == 0 ? "null"
                    : "\"" + Long.toHexString(random.nextLong()) + "\""));
        }
        switch (random.nextInt(6)) {
            case 0 -> fields.add("\"category\": \"" + pick(random, CATEGORIES) + "\"");
            case 1 -> fields.add("\"category\": " + value(random, 2));
            case 2 -> fields.add("\"metadata\": {\"category\": \"" + pick(random, CATEGORIES) + "\", \"x\": 1}");
            case 3 -> fields.add("\"scoring_details\": {\"a\": [1], \"category\": \"" + pick(random, CATEGORIES)
                    + "\"}");
            default -> { }
        }
        if (random.nextInt(4) == 0) {
            fields.add("\"repeat\": " + random.nextInt(64) + ", \"idx\": " + random.nextInt(9));
        }
        java.util.Collections.shuffle(fields, random);
        String space = random.nextInt(5) == 0 ? " \t " : random.nextBoolean() ? " " : "";
        return (random.nextInt(9) == 0 ? " " : "") + "{" + space + String.join("," + space, fields) + space + "}"
                + (random.nextInt(9) == 0 ? " \t" : "");
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth <= 0 ? 4 : 6);
        return switch (kind) {
            case 0 -> pick(random, NUMBERS);
            case 1 -> "\"" + pick(random, TEXTS) + "\"";
            case 2 -> pick(random, "true", "false", "null");
            case 3 -> "[]";
            case 4 -> "[" + value(random, depth - 1) + ", " + value(random, depth - 1) + "]";
            default -> "{\"k\": " + value(random, depth - 1) + ", \"" + pick(random, TEXTS) + "\": "
                    + value(random, depth - 1) + "}";
        };
    }

    /** One to three byte-level edits: the malformed lines a truncated, hand-edited or mis-encoded file has. */
    private static byte[] mutate(Random random, byte[] bytes) {
        byte[] out = bytes;
        int edits = 1 + random.nextInt(3);
        byte[] interesting = {'{', '}', '[', ']', '"', '\\', ',', ':', '\n', '\r', ' ', '\t', '0', '-', '.', 'e',
            'N', 'I', 't', 'n', 0, 0x7f, (byte) 0x80, (byte) 0xC3, (byte) 0xE4, (byte) 0xF0, (byte) 0xFF,
            (byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        for (int e = 0; e < edits; e++) {
            int at = out.length == 0 ? 0 : random.nextInt(out.length + 1);
            switch (random.nextInt(6)) {
                case 0 -> out = splice(out, at, Math.min(out.length, at + 1 + random.nextInt(3)), new byte[0]);
                case 1 -> out = splice(out, at, at, new byte[] {interesting[random.nextInt(interesting.length)]});
                case 2 -> {
                    if (at < out.length) {
                        out[at] = interesting[random.nextInt(interesting.length)];
                    }
                }
                case 3 -> out = splice(out, at, out.length, new byte[0]);  // truncated
                case 4 -> {
                    // a field repeated: copy a piece of the text to another place
                    int from = out.length == 0 ? 0 : random.nextInt(out.length);
                    int to = Math.min(out.length, from + 1 + random.nextInt(20));
                    out = splice(out, at, at, java.util.Arrays.copyOfRange(out, from, to));
                }
                default -> out = splice(out, at, at, pick(random, "NaN", "-Infinity", "+1", "01", "1.", ".5", "1e",
                        "\\u12", "\\x", "\ufeff", "\"doc_id\": 1, ", "\"acc\": 1, ", "{}", "[1]", "tru", "nul",
                        "\ud800").getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
        byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /**
     * The ways a file is read: Jackson alone; as {@code inspect eval} reads it (a test file is one chunk, read on
     * the calling thread); in chunks of 64 bytes on two threads (lines up to 64 KB), in chunks of 24 bytes on two
     * threads and on one with lines up to 96 bytes, so most lines grow the buffer and many are too long for it
     * and go to Jackson.
     */
    private enum Reader {
        JACKSON, DEFAULT, CHUNKS, TINY_CHUNKS, TINY_BUFFER
    }

    /** What one reader made of a file: the records and line count, or the error's type and message. */
    private record Outcome(List<SampleRecord> records, long lines, String error) {
        record Run(Path file, String filter, boolean keepHashes, Reader reader) {
        }

        static Outcome of(java.util.function.Supplier<Run> what) {
            Run run = what.get();
            List<SampleRecord> records = new ArrayList<>();
            try {
                Path file = run.file();
                long lines = switch (run.reader()) {
                    case JACKSON -> SampleFileReader.streamWithJackson(file, run.filter(), run.keepHashes(),
                            records::add);
                    case DEFAULT -> SampleFileReader.stream(file, run.filter(), run.keepHashes(), records::add);
                    case CHUNKS -> SampleFileReader.stream(file, run.filter(), run.keepHashes(), records::add, 64,
                            1 << 16, 2, 0);
                    case TINY_CHUNKS -> SampleFileReader.stream(file, run.filter(), run.keepHashes(), records::add,
                            24, 96, 2, 0);
                    case TINY_BUFFER -> SampleFileReader.stream(file, run.filter(), run.keepHashes(), records::add,
                            24, 96, 1, 0);
                };
                return new Outcome(records, lines, null);
            } catch (RuntimeException e) {
                return new Outcome(null, -1, e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }
}
