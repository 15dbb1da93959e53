package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SampleFileReaderTest {
    static final Path NEGOTIATIONTOM_SAMPLES = Path.of("src/test/resources/reference/lm_eval/"
            + "fork-negotiationtom__Qwen3-8B__samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldReadEveryLineOfTheReferenceSamplesFile() {
        List<SampleRecord> records = new ArrayList<>();
        SampleFileReader.stream(NEGOTIATIONTOM_SAMPLES, records::add);

        assertThat(records).hasSize(20);
        SampleRecord first = records.get(0);
        assertThat(first.docId()).isEqualTo("0");
        assertThat(first.docHash()).isEqualTo("78d0c7332d6aab22db16cd1376eab050f1931d8508d80b728f1c646bc3a5cf6d");
        assertThat(first.promptHash()).isEqualTo("adf1b4b5beda70ec512d92f8d50d2d8e2f22518eace08914f26abb20347277a7");
        assertThat(first.metrics()).containsExactly(Map.entry("acc", 0.0));
        assertThat(first.category()).isNull();
        assertThat(records).extracting(SampleRecord::docId).doesNotHaveDuplicates();
    }

    @Test
    public void shouldKeepOnlyTheLinesOfTheRequestedFilter() throws IOException {
        Path file = write(
                line(0, "strict-match", "\"exact_match\": 1.0"),
                line(0, "flexible-extract", "\"exact_match\": 0.0"),
                line(1, "strict-match", "\"exact_match\": 0.0"),
                line(1, "flexible-extract", "\"exact_match\": 1.0"));
        List<SampleRecord> strict = new ArrayList<>();

        long lines = SampleFileReader.stream(file, "strict-match", strict::add);

        assertThat(lines).isEqualTo(4);
        assertThat(strict).extracting(SampleRecord::docId).containsExactly("0", "1");
        assertThat(strict).extracting(record -> record.metrics().get("exact_match")).containsExactly(1.0, 0.0);
    }

    @Test
    public void shouldTreatALineWithoutAFilterAsTheNoneFilter() throws IOException {
        Path file = write("{\"doc_id\": 7, \"acc\": 1}");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, "none", records::add);

        assertThat(records).extracting(SampleRecord::docId).containsExactly("7");
    }

    @Test
    public void shouldCountBooleansAsOneAndZeroAndSkipNonNumericMetrics() throws IOException {
        Path file = write("{\"doc_id\": 3, \"metrics\": [\"prompt_level_strict_acc\", \"inst_level_strict_acc\", "
                + "\"f1\", \"acc\"], \"prompt_level_strict_acc\": true, \"inst_level_strict_acc\": [true, false], "
                + "\"f1\": [\"gold\", \"pred\"], \"acc\": false, \"target\": 2}");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, records::add);

        assertThat(records.get(0).metrics()).containsOnly(Map.entry("prompt_level_strict_acc", 1.0),
                Map.entry("acc", 0.0));
    }

    @Test
    public void shouldTakeEveryNumericFieldButTheTargetWhenALineListsNoMetrics() throws IOException {
        Path file = write("{\"doc_id\": 3, \"target\": 2, \"acc\": 1.0, \"acc_norm\": 0.0, \"resps\": [[\"x\"]]}");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, records::add);

        assertThat(records.get(0).metrics()).containsOnly(Map.entry("acc", 1.0), Map.entry("acc_norm", 0.0));
    }

    @Test
    public void shouldKeepANaNMetricSoConsumersCanRefuseIt() throws IOException {
        Path file = write("{\"doc_id\": 0, \"metrics\": [\"acc\"], \"acc\": NaN}");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, records::add);

        assertThat(records.get(0).metrics().get("acc")).isNaN();
    }

    @Test
    public void shouldTakeTheCategoryFromTheLineOrElseFromItsDocument() throws IOException {
        Path file = write(
                "{\"doc_id\": 0, \"category\": \"law\", \"doc\": {\"category\": \"ignored\"}, \"acc\": 1}",
                "{\"doc_id\": 1, \"doc\": {\"question\": \"q\", \"options\": [\"a\", {\"b\": 1}], "
                        + "\"category\": \"physics\"}, \"acc\": 1}",
                "{\"doc_id\": \"item-2\", \"doc\": {\"question\": \"q\"}, \"acc\": 0}");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, records::add);

        assertThat(records).extracting(SampleRecord::category).containsExactly("law", "physics", null);
        assertThat(records.get(2).docId()).isEqualTo("item-2");
    }

    @Test
    public void shouldAcceptBlankLinesAndWindowsLineEnds() throws IOException {
        Path file = temp.newFile("samples_crlf.jsonl").toPath();
        Files.writeString(file, "{\"doc_id\": 0, \"acc\": 1}\r\n\r\n{\"doc_id\": 1, \"acc\": 0}\r\n");
        List<SampleRecord> records = new ArrayList<>();

        SampleFileReader.stream(file, records::add);

        assertThat(records).hasSize(2);
    }

    @Test
    public void shouldNameTheLineOfATruncatedFile() throws IOException {
        Path file = temp.newFile("samples_cut.jsonl").toPath();
        Files.writeString(file, "{\"doc_id\": 0, \"acc\": 1}\n{\"doc_id\": 1, \"acc\": 0}\n{\"doc_id\": 2, \"acc\": ");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .isInstanceOf(InputException.class)
                .hasMessage(file + ": line 3: ends in the middle of a sample (truncated file?)");
    }

    @Test
    public void shouldNameTheLineThatEndsInsideAString() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1}", "{\"doc_id\": 1, \"ac", "{\"doc_id\": 2, \"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith(file + ": line 2: invalid JSON");
    }

    @Test
    public void shouldNameTheLineThatIsNotJson() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1}", "Traceback (most recent call last):");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith(file + ": line 2: invalid JSON");
    }

    @Test
    public void shouldRefuseTwoSamplesOnOneLine() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1} {\"doc_id\": 1, \"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 1: holds more than one JSON object; expected one sample per line");
    }

    @Test
    public void shouldRefuseASampleSpreadOverSeveralLines() throws IOException {
        Path file = write("{\"doc_id\": 0,", " \"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 1: a sample spans lines 1 to 2; expected one JSON object per line");
    }

    @Test
    public void shouldRefuseALineWithoutADocId() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1}", "{\"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 2: doc_id (lm-evaluation-harness) or problem_idx (NeMo Evaluator) "
                        + "is missing");
    }

    @Test
    public void shouldRefuseAFieldThatAppearsTwice() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1, \"acc\": 0}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 1: field \"acc\" appears twice");
    }

    @Test
    public void shouldRefuseALineThatIsNotAnObject() throws IOException {
        Path file = write("{\"doc_id\": 0, \"acc\": 1}", "[1, 2]");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 2: expected a JSON object per line, found a list");
    }

    @Test
    public void shouldRefuseADocIdThatIsNeitherNumberNorString() throws IOException {
        Path file = write("{\"doc_id\": {\"a\": 1}, \"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 1: doc_id must be a whole number or a string, found an object");
    }

    @Test
    public void shouldRefuseAMetricsFieldThatIsNotAListOfNames() throws IOException {
        Path file = write("{\"doc_id\": 0, \"metrics\": \"acc\", \"acc\": 1}");

        assertThatThrownBy(() -> SampleFileReader.stream(file, record -> { }))
                .hasMessage(file + ": line 1: metrics must be a list of metric names, found a string");
    }

    @Test
    public void shouldSayWhenTheFileIsMissing() {
        Path missing = temp.getRoot().toPath().resolve("samples_gone.jsonl");

        assertThatThrownBy(() -> SampleFileReader.stream(missing, record -> { }))
                .hasMessage(missing + ": file not found");
    }

    @Test
    public void shouldStreamNothingFromAnEmptyFile() throws IOException {
        Path file = write();
        List<SampleRecord> records = new ArrayList<>();

        long lines = SampleFileReader.stream(file, null, records::add);

        assertThat(lines).isZero();
        assertThat(records).isEmpty();
    }

    @Test
    public void shouldGiveTheRecordsOfAFileReadInChunksOnTwoThreadsInFileOrder() throws IOException {
        Path file = lines(20_000, "\"acc\": 1");

        List<SampleRecord> records = new ArrayList<>();
        long lines = SampleFileReader.stream(file, "none", false, records::add, 4096, 1 << 16, 2, 0);

        assertThat(lines).isEqualTo(20_000);
        assertThat(records).hasSize(10_000);
        assertThat(records).extracting(SampleRecord::docId)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20_000).filter(n -> n % 2 == 0)
                        .mapToObj(String::valueOf).toList());
    }

    @Test
    public void shouldNameTheLineOfABadSampleFarIntoAFileReadInChunks() throws IOException {
        Path file = lines(20_000, "\"acc\": 1");
        List<String> text = new ArrayList<>(Files.readAllLines(file));
        text.set(15_321, text.get(15_321).replace("\"acc\": 1", "\"acc\": 1, \"acc\": 0"));
        Files.write(file, text);

        List<SampleRecord> records = new ArrayList<>();
        assertThatThrownBy(() -> SampleFileReader.stream(file, null, false, records::add, 4096, 1 << 16, 2, 0))
                .isInstanceOf(InputException.class)
                .hasMessage(file + ": line 15322: field \"acc\" appears twice");
        assertThat(records).hasSize(15_321);
    }

    @Test
    public void shouldHandAStopOfTheConsumerBackToTheCallerOfAFileReadInChunks() throws IOException {
        Path file = lines(20_000, "\"acc\": 1");
        int[] seen = new int[1];

        assertThatThrownBy(() -> SampleFileReader.stream(file, null, false, record -> {
            if (++seen[0] == 12_345) {
                throw new InputException(file.toString(), "", "doc " + record.docId() + " is refused");
            }
        }, 4096, 1 << 16, 2, 0)).hasMessage(file + ": doc 12344 is refused");
        assertThat(seen[0]).isEqualTo(12_345);
    }

    @Test
    public void shouldReadALineLongerThanTheLongestKeptInMemoryThroughTheStreamingParser() throws IOException {
        Path file = lines(3_000, "\"acc\": 1");
        List<String> text = new ArrayList<>(Files.readAllLines(file));
        text.set(2_000, text.get(2_000).replace("\"q\"", "\"" + "x".repeat(10_000) + "\""));
        Files.write(file, text);

        for (int cores : new int[] {1, 2}) {
            List<SampleRecord> records = new ArrayList<>();
            long lines = SampleFileReader.stream(file, null, false, records::add, 1024, 4096, cores, 0);

            assertThat(lines).isEqualTo(3_000);
            assertThat(records).extracting(SampleRecord::docId).element(2_000).isEqualTo("2000");
        }
    }

    /** {@code count} lines, doc ids 0 to count - 1, every other one filter none, the rest strict-match. */
    private Path lines(int count, String metric) throws IOException {
        List<String> text = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            text.add(line(n, n % 2 == 0 ? "none" : "strict-match", metric));
        }
        Path file = temp.newFile("samples_many_2026.jsonl").toPath();
        Files.write(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String line(int docId, String filter, String metric) {
        return "{\"doc_id\": " + docId + ", \"doc\": {\"question\": \"q\"}, \"filter\": \"" + filter
                + "\", \"metrics\": [\"exact_match\"], \"doc_hash\": \"h" + docId + "\", " + metric + "}";
    }

    private Path write(String... lines) throws IOException {
        Path file = temp.newFile("samples_task_2026.jsonl").toPath();
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }
}
