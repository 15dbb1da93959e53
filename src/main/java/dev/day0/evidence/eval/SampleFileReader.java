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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Streams the per-sample lines of an lm-evaluation-harness {@code samples_<task>_<date>.jsonl} file (one JSON
 * object per line) into {@link SampleRecord}s.
 *
 * <p>Memory stays bounded whatever the file size: the file is tokenized once with Jackson's streaming parser and
 * nothing of a line is kept but the few fields a record holds. The prompt, the document and the responses are
 * skipped without being decoded. A line that is not one JSON object is an {@link InputException} naming the file
 * and the line, so a truncated or hand-edited file never passes as a shorter run.
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

    /** Top-level fields that hold numbers but are not metrics, for lines without a {@code metrics} list. */
    private static final List<String> NOT_METRICS = List.of("doc_id", "target", "task_id", "repeats", "idx",
            "problem_idx", "repeat");

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
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InputException(source, "", "is a directory, expected a samples .jsonl file");
        }
        long lines = 0;
        try (InputStream in = Files.newInputStream(file); JsonParser parser = FACTORY.createParser(in)) {
            LineFields fields = new LineFields();
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
                String docId = fields.docId != null ? fields.docId : fields.problemIdx;
                if (docId == null) {
                    throw lineError(source, line, "doc_id (lm-evaluation-harness) or problem_idx (NeMo Evaluator) "
                            + "is missing");
                }
                String lineFilter = fields.filter == null ? DEFAULT_FILTER : fields.filter;
                if (filter == null || filter.equals(lineFilter)) {
                    String category = fields.category != null ? fields.category : fields.docCategory != null
                            ? fields.docCategory : fields.metadataCategory != null ? fields.metadataCategory
                            : fields.scoringCategory;
                    sink.accept(new SampleRecord(docId, fields.docHash, fields.promptHash, fields.metrics(),
                            category));
                }
            }
        } catch (NoSuchFileException e) {
            throw new InputException(source, "", "file not found", e);
        } catch (JsonEOFException e) {
            throw lineError(source, e.getLocation().getLineNr(),
                    "ends in the middle of a sample (truncated file?)", e);
        } catch (JsonParseException e) {
            throw lineError(source, e.getLocation().getLineNr(), "invalid JSON: " + firstLine(e.getOriginalMessage()),
                    e);
        } catch (InputCoercionException e) {
            throw lineError(source, e.getLocation().getLineNr(), "number out of range: "
                    + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new InputException(source, "", "cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        return lines;
    }

    /** The line of the current token; the parser's own counter, read without allocating a location object. */
    private static int tokenLine(JsonParser parser) {
        return parser instanceof ParserBase base ? base.getTokenLineNr() : parser.currentTokenLocation().getLineNr();
    }

    /** The fields of one line that a record keeps; reused from line to line. */
    private static final class LineFields {
        String docId;
        String docHash;
        String promptHash;
        String filter;
        String category;
        String docCategory;
        String problemIdx;
        String metadataCategory;
        String scoringCategory;
        List<String> metricNames;
        final Map<String, Double> numbers = new HashMap<>();
        final List<String> seen = new ArrayList<>();

        void clear() {
            docId = null;
            docHash = null;
            promptHash = null;
            filter = null;
            category = null;
            docCategory = null;
            problemIdx = null;
            metadataCategory = null;
            scoringCategory = null;
            metricNames = null;
            numbers.clear();
            seen.clear();
        }

        Map<String, Double> metrics() {
            if (metricNames != null) {
                if (metricNames.size() == 1) {
                    Double value = numbers.get(metricNames.get(0));
                    return value == null ? Map.of() : Map.of(metricNames.get(0), value);
                }
                Map<String, Double> metrics = new HashMap<>();
                for (String name : metricNames) {
                    Double value = numbers.get(name);
                    if (value != null) {
                        metrics.put(name, value);
                    }
                }
                return metrics;
            }
            Map<String, Double> metrics = new HashMap<>(numbers);
            NOT_METRICS.forEach(metrics::remove);
            return metrics;
        }
    }

    private static void readLine(JsonParser parser, LineFields fields, String source, int line) throws IOException {
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

    private static void readValue(JsonParser parser, JsonToken value, String name, LineFields fields)
            throws IOException {
        switch (value) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fields.numbers.put(name, parser.getDoubleValue());
            case VALUE_TRUE -> fields.numbers.put(name, 1.0);
            case VALUE_FALSE -> fields.numbers.put(name, 0.0);
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
