package dev.day0.evidence.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.day0.io.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams the per-sample lines of an lm-evaluation-harness {@code samples_<task>_<date>.jsonl} file (one JSON
 * object per line) into {@link SampleRecord}s.
 *
 * <p>Memory stays bounded whatever the file size: a few 1 MB chunks of lines are in memory, and nothing of a line
 * is kept but the few fields a record holds. The prompt, the document and the responses are checked and skipped
 * without being decoded. Lines are read from their bytes ({@link SampleLineScanner}, several times faster than a
 * tokenizer), on every core for a large file ({@link SampleChunkReader}), the records still reaching the consumer
 * in file order on the calling thread; a line that reader is not sure of, and all after it, go through Jackson's
 * streaming parser, which words every error. A line that is not one JSON object is an {@link InputException} naming the file and the line, so a
 * truncated or hand-edited file never passes as a shorter run.
 *
 * <p>The harness writes one line per item and filter: a task with the filters {@code strict-match} and
 * {@code flexible-extract} lists every item twice. {@link #stream(Path, String, Consumer)} keeps one filter.
 */
public final class SampleFileReader {
    /** NaN and Infinity tokens: Python's json module writes them for undefined metrics. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /** The filter of lines that name none (older harness versions), as the harness itself calls it. */
    public static final String DEFAULT_FILTER = "none";

    private SampleFileReader() {
    }

    /** Streams every sample line of {@code file} to {@code sink}, whatever its filter. */
    public static void stream(Path file, Consumer<SampleRecord> sink) {
        stream(file, null, sink);
    }

    /**
     * Streams the sample lines of one filter to {@code sink}.
     *
     * @param file a {@code samples_*.jsonl} file
     * @param filter the harness filter to keep ({@code none}, {@code strict-match} ...); null keeps every line.
     *     A line without a {@code filter} field belongs to {@link #DEFAULT_FILTER}.
     * @param sink receives the records in file order
     * @return the number of sample lines in the file, kept or not
     * @throws InputException when the file cannot be read or a line is not one JSON object with a doc id
     */
    public static long stream(Path file, String filter, Consumer<SampleRecord> sink) {
        return stream(file, filter, true, sink);
    }

    /**
     * Streams the sample lines of one filter to {@code sink}, reading the bytes of each line directly
     * ({@link SampleLineScanner}); a line that reader leaves alone, and every line after it, go through Jackson's
     * parser ({@link #streamWithJackson}), which also words every error. Both give the same records.
     *
     * @param keepHashes false leaves {@code doc_hash} and {@code prompt_hash} out of the records (they are still
     *     checked to be strings), for consumers that never pair items by them
     */
    public static long stream(Path file, String filter, boolean keepHashes, Consumer<SampleRecord> sink) {
        return stream(file, filter, keepHashes, sink, CHUNK_BYTES, LONGEST_LINE,
                Runtime.getRuntime().availableProcessors(), PARALLEL_FROM);
    }

    /**
     * As {@link #stream(Path, String, boolean, Consumer)}, with the chunk size, the longest line read in memory,
     * the number of cores and the smallest file read on several threads given: a file of {@code parallelFrom}
     * bytes or more, and more than four chunks, is scanned by {@code min(cores, 4)} threads, any other by the
     * calling thread alone ({@link SampleChunkReader} both). Tests read small files in small chunks both ways.
     */
    static long stream(Path file, String filter, boolean keepHashes, Consumer<SampleRecord> sink, int chunkBytes,
                       int longestLine, int cores, long parallelFrom) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InputException(source, "", "is a directory, expected a samples .jsonl file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int threads = cores > 1 && size >= parallelFrom && size > 4L * chunkBytes ? Math.min(cores, 4) : 1;
            SampleChunkReader reader = new SampleChunkReader(channel, filter, keepHashes, chunkBytes, longestLine,
                    threads);
            if (reader.readAll(sink)) {
                return reader.lines;
            }
            // Jackson reads on from the first line the byte-level reader left: after as many line breaks as came
            // before it (spaces first, so its encoding detection sees ASCII), so it counts lines as before.
            channel.position(reader.lineOffset);
            long before = reader.lineNumber - 1;
            InputStream rest = Channels.newInputStream(channel);
            InputStream in = before == 0 ? rest : new SequenceInputStream(new LineBreaks(before), rest);
            return reader.lines + streamWithJackson(source, in, filter, keepHashes, sink);
        } catch (NoSuchFileException e) {
            throw new InputException(source, "", "file not found", e);
        } catch (IOException e) {
            throw cannotRead(source, e);
        }
    }

    /** The Jackson path over the whole file: kept as the reference the byte-level reader is tested against. */
    static long streamWithJackson(Path file, String filter, boolean keepHashes, Consumer<SampleRecord> sink) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InputException(source, "", "is a directory, expected a samples .jsonl file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return streamWithJackson(source, in, filter, keepHashes, sink);
        } catch (NoSuchFileException e) {
            throw new InputException(source, "", "file not found", e);
        } catch (IOException e) {
            throw cannotRead(source, e);
        }
    }

    private static InputException cannotRead(String source, IOException e) {
        return new InputException(source, "", "cannot be read: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }

    private static long streamWithJackson(String source, InputStream in, String filter, boolean keepHashes,
                                          Consumer<SampleRecord> sink) throws IOException {
        long lines = 0;
        try (JsonParser parser = FACTORY.createParser(in)) {
            SampleLine fields = new SampleLine();
            JsonToken token;
            int previousLine = 0;
            while ((token = parser.nextToken()) != null) {
                int line = tokenLine(parser);
                if (token != JsonToken.START_OBJECT) {
                    throw lineError(source, line, "expected a JSON object per line, found " + describe(token));
                }
                if (line == previousLine) {
                    throw lineError(source, line, "holds more than one JSON object; expected one sample per line");
                }
                fields.clear();
                readLine(parser, fields, source, line);
                int endLine = tokenLine(parser);
                if (endLine != line) {
                    throw lineError(source, line, "a sample spans lines " + line + " to " + endLine
                            + "; expected one JSON object per line");
                }
                previousLine = line;
                lines++;
                if (fields.id() == null) {
                    throw lineError(source, line, "doc_id (lm-evaluation-harness) or problem_idx (NeMo Evaluator) "
                            + "is missing");
                }
                if (!keepHashes) {
                    fields.docHash = null;
                    fields.promptHash = null;
                }
                if (fields.keptBy(filter)) {
                    sink.accept(fields.record());
                }
            }
        } catch (JsonEOFException e) {
            throw lineError(source, e.getLocation().getLineNr(),
                    "ends in the middle of a sample (truncated file?)", e);
        } catch (JsonParseException e) {
            throw lineError(source, e.getLocation().getLineNr(), "invalid JSON: " + firstLine(e.getOriginalMessage()),
                    e);
        } catch (InputCoercionException e) {
            throw lineError(source, e.getLocation().getLineNr(), "number out of range: "
                    + firstLine(e.getOriginalMessage()), e);
        }
        return lines;
    }

    /**
     * The smallest file read on several threads: 512 MB. Below it the second thread gains about what the JIT's
     * warm-up, run on two threads at once, costs (measured whole-process on two cores: 343 MB read in the same
     * time either way, two 188 MB paired files 20 % slower on two threads; 1 GB 30-40 % faster).
     */
    static final long PARALLEL_FROM = 512L << 20;

    /** The unit of reading: 1 MB, a few thousand sample lines. */
    static final int CHUNK_BYTES = 1 << 20;

    /** The longest line read in memory: 64 MB, far beyond any real sample line, well inside a 256 MB heap. */
    private static final int LONGEST_LINE = 1 << 26;

    /** {@code count} line breaks, after spaces enough for Jackson's encoding detection to see four ASCII bytes. */
    private static final class LineBreaks extends InputStream {
        private long spaces;
        private long breaks;

        LineBreaks(long count) {
            this.spaces = Math.max(0, 4 - count);
            this.breaks = count;
        }

        @Override
        public int read() {
            if (spaces > 0) {
                spaces--;
                return ' ';
            }
            if (breaks > 0) {
                breaks--;
                return '\n';
            }
            return -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (spaces == 0 && breaks == 0) {
                return -1;
            }
            int n = 0;
            while (n < length && (spaces > 0 || breaks > 0)) {
                into[offset + n++] = (byte) read();
            }
            return n;
        }
    }

    /** The line of the current token; the parser's own counter, read without allocating a location object. */
    private static int tokenLine(JsonParser parser) {
        return parser instanceof ParserBase base ? base.getTokenLineNr() : parser.currentTokenLocation().getLineNr();
    }

    private static void readLine(JsonParser parser, SampleLine fields, String source, int line) throws IOException {
        String name;
        while ((name = parser.nextFieldName()) != null) {
            // Field names are interned by the parser, so a linear scan of a dozen names is cheaper than a set.
            for (String earlier : fields.seen) {
                if (earlier.equals(name)) {
                    throw lineError(source, line, "field \"" + name + "\" appears twice");
                }
            }
            fields.seen.add(name);
            JsonToken value = parser.nextToken();
            switch (name) {
                case "doc_id" -> fields.docId = scalarText(parser, value, source, line, "doc_id");
                // NeMo Evaluator's results.jsonl (docs/result-format): problem_idx is the item, repeats share it.
                case "problem_idx" -> fields.problemIdx = scalarText(parser, value, source, line, "problem_idx");
                case "metadata", "scoring_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        String category = docCategory(parser);
                        if (name.equals("metadata")) {
                            fields.metadataCategory = category;
                        } else {
                            fields.scoringCategory = category;
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
                case "doc_hash" -> fields.docHash = optionalString(parser, value, source, line, "doc_hash");
                case "prompt_hash" -> fields.promptHash = optionalString(parser, value, source, line, "prompt_hash");
                case "filter" -> fields.filter = optionalString(parser, value, source, line, "filter");
                case "category" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        fields.category = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
                case "doc" -> {
                    if (value == JsonToken.START_OBJECT) {
                        fields.docCategory = docCategory(parser);
                    } else {
                        parser.skipChildren();
                    }
                }
                case "metrics" -> fields.metricNames = metricNames(parser, value, source, line);
                default -> readValue(parser, value, name, fields);
            }
        }
    }

    private static void readValue(JsonParser parser, JsonToken value, String name, SampleLine fields)
            throws IOException {
        switch (value) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fields.number(name, parser.getDoubleValue());
            case VALUE_TRUE -> fields.number(name, 1.0);
            case VALUE_FALSE -> fields.number(name, 0.0);
            case START_OBJECT, START_ARRAY -> parser.skipChildren();
            default -> {
                // Strings and nulls are not metric values: a metric the harness could not compute is absent.
            }
        }
    }

    /** The document's own {@code category} field, skipping everything else in it without decoding it. */
    private static String docCategory(JsonParser parser) throws IOException {
        String category = null;
        String name;
        while ((name = parser.nextFieldName()) != null) {
            JsonToken value = parser.nextToken();
            if (category == null && value == JsonToken.VALUE_STRING && "category".equals(name)) {
                category = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
        return category;
    }

    private static List<String> metricNames(JsonParser parser, JsonToken value, String source, int line)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_ARRAY) {
            throw lineError(source, line, "metrics must be a list of metric names, found " + describe(value));
        }
        List<String> names = new ArrayList<>(2);
        JsonToken item;
        while ((item = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (item != JsonToken.VALUE_STRING) {
                throw lineError(source, line, "metrics must be a list of metric names, found " + describe(item)
                        + " in it");
            }
            names.add(parser.getText());
        }
        return names;
    }

    private static String scalarText(JsonParser parser, JsonToken value, String source, int line, String field)
            throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        throw lineError(source, line, field + " must be a whole number or a string, found " + describe(value));
    }

    private static String optionalString(JsonParser parser, JsonToken value, String source, int line, String field)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        throw lineError(source, line, field + " must be a string, found " + describe(value));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    private static InputException lineError(String source, long line, String problem) {
        return new InputException(source, "line " + line, problem);
    }

    private static InputException lineError(String source, long line, String problem, Throwable cause) {
        return new InputException(source, "line " + line, problem, cause);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
