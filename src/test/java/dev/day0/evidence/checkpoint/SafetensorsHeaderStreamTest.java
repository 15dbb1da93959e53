package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The streaming header reader against the tree reader it stands in for: on a corpus of well-formed headers and
 * of mutations of them (numbers written as 2.0, -1, 1e3 or beyond a long; missing, doubled, extra and mistyped
 * fields; bad metadata; trailing tokens; broken JSON; offsets past the file; spans that do not match the shape),
 * whatever the stream accepts the tree reader accepts with the same tensors and metadata, and
 * {@link SafetensorsHeader#read} gives exactly the tree reader's result or message.
 */
public class SafetensorsHeaderStreamTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String[] HEADERS = {
        "{}",
        "{\"__metadata__\":{\"format\":\"pt\"}}",
        "{\"__metadata__\":null,\"a.weight\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}",
        "{\"a.weight\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
                + "\"a.weight_scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
                + "\"__metadata__\":{\"format\":\"pt\",\"x\":\"y\"}}",
        "{\"b.weight\":{\"shape\":[4,2],\"data_offsets\":[0,4],\"dtype\":\"U8\",\"extra\":{\"k\":[1,{\"z\":null}]}}}",
        "{\"c\":{\"dtype\":\"F4\",\"shape\":[8],\"data_offsets\":[0,4]},\"d\":{\"dtype\":\"I64\",\"shape\":[0,5],"
                + "\"data_offsets\":[4,4]}}",
        "{\"e.experts.gate_up_proj\":{\"dtype\":\"BF16\",\"shape\":[2,2,2],\"data_offsets\":[0,16]}}",
    };

    private static final String[][] MUTATIONS = {
        {"[2,3]", "[2.0,3]"}, {"[2,3]", "[2,-3]"}, {"[2,3]", "[2,3e0]"}, {"[2,3]", "[2,\"3\"]"},
        {"[2,3]", "[2,99999999999999999999]"}, {"[2,3]", "null"}, {"[2,3]", "{}"}, {"[2,3]", "[2,3,]"},
        {"[2,3]", "[3037000500,3037000500,3037000500]"}, {"[2,3]", "[2,NaN]"},
        {"[0,12]", "[0,12,14]"}, {"[0,12]", "[0]"}, {"[0,12]", "[12,0]"}, {"[0,12]", "[-1,12]"},
        {"[0,12]", "[0,12.0]"}, {"[0,12]", "[0,13]"}, {"[0,12]", "[0,100000]"}, {"[0,12]", "\"0,12\""},
        {"[0,12]", "[0,9223372036854775807]"},
        {"\"BF16\"", "16"}, {"\"BF16\"", "null"}, {"\"BF16\"", "\"F32\""}, {"\"BF16\"", "\"\""},
        {"\"dtype\"", "\"dtype2\""}, {"\"shape\"", "\"shape2\""}, {"\"data_offsets\"", "\"offsets\""},
        {"\"pt\"", "1"}, {"\"pt\"", "[\"pt\"]"}, {"{\"format\"", "[{\"format\""},
        {"\"a.weight\":{", "\"a.weight\":[{"}, {"\"a.weight\":{", "\"a.weight\":7,\"z\":{"},
        {"\"a.weight_scale\"", "\"a.weight\""}, {"\"dtype\":\"F32\"", "\"dtype\":\"F32\",\"dtype\":\"F32\""},
        {"{", "["}, {"}}", "}"}, {"}}", "}} {}"}, {"}}", "}}}"}, {"}}", "}} x"}, {"\"", "'"},
        {"\"U8\"", "\"U8\",\"shape\":[1]"}, {"\"__metadata__\":{", "\"__metadata__\":{\"k\":\"v\",\"k\":\"w\","},
        {"\"__metadata__\":null", "\"__metadata__\":false"}, {"[0,4]", "[0,3]"}, {"[4,4]", "[4,3]"},
    };

    @Test
    public void shouldReadEveryHeaderOfTheCorpusExactlyAsTheTreeReaderDoes() throws IOException {
        List<String> corpus = new ArrayList<>(List.of(HEADERS));
        for (String header : HEADERS) {
            for (String[] mutation : MUTATIONS) {
                if (header.contains(mutation[0])) {
                    corpus.add(header.replaceFirst(java.util.regex.Pattern.quote(mutation[0]),
                            java.util.regex.Matcher.quoteReplacement(mutation[1])));
                }
            }
        }
        Random random = new Random(18);
        for (String header : HEADERS) {
            for (int i = 0; i < 40; i++) {
                StringBuilder cut = new StringBuilder(header);
                int at = random.nextInt(cut.length());
                if (random.nextBoolean()) {
                    cut.deleteCharAt(at);
                } else {
                    cut.insert(at, "{}[],:\"0-.e9 ".charAt(random.nextInt(13)));
                }
                corpus.add(cut.toString());
            }
        }
        int streamed = 0;
        int refused = 0;
        for (int i = 0; i < corpus.size(); i++) {
            String header = corpus.get(i);
            byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
            Path file = write("case" + i + ".safetensors", bytes, 16);
            long size = Files.size(file);
            long dataStart = 8 + bytes.length;
            SafetensorsHeader fast = SafetensorsHeader.stream(file, size, dataStart, bytes);
            SafetensorsHeader tree;
            try {
                tree = SafetensorsHeader.readTree(file, size, dataStart, bytes);
            } catch (InputException e) {
                assertThat(fast).as("the stream accepted what the tree reader refuses: %s", header).isNull();
                assertThatThrownBy(() -> SafetensorsHeader.read(file)).as(header)
                        .isInstanceOf(InputException.class).hasMessage(e.getMessage());
                refused++;
                continue;
            }
            SafetensorsHeader read = SafetensorsHeader.read(file);
            assertThat(read.tensors()).as(header).containsExactlyEntriesOf(tree.tensors());
            assertThat(read.metadata()).as(header).containsExactlyEntriesOf(tree.metadata());
            assertThat(read.bytesRead()).isEqualTo(tree.bytesRead());
            if (fast != null) {
                assertThat(fast.tensors()).as(header).containsExactlyEntriesOf(tree.tensors());
                assertThat(fast.metadata()).as(header).containsExactlyEntriesOf(tree.metadata());
                streamed++;
            }
        }
        // The corpus reaches both sides: headers the stream reads and headers left to the tree reader's message.
        assertThat(streamed).isGreaterThanOrEqualTo(HEADERS.length);
        assertThat(refused).isGreaterThan(MUTATIONS.length);
    }

    @Test
    public void shouldNameTheFileAndFieldWhenTheStreamLeavesAMistypedDimensionToTheTreeReader() throws IOException {
        byte[] bytes = "{\"a.weight\":{\"dtype\":\"BF16\",\"shape\":[2,\"3\"],\"data_offsets\":[0,12]}}"
                .getBytes(StandardCharsets.UTF_8);
        Path file = write("bad.safetensors", bytes, 12);
        assertThatThrownBy(() -> SafetensorsHeader.read(file)).isInstanceOf(InputException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("header.a.weight.shape[1]")
                .hasMessageNotContaining("\n");
    }

    @Test
    public void shouldScanOnlyIndexesWhoseWeightMapTheTreeReaderReadsTheSame() throws IOException {
        String plain = "{\"metadata\": {\"total_size\": 16, \"format\": \"pt\"},\n \"weight_map\": "
                + "{\"a.weight\": \"m-1.safetensors\", \"b.weight\": \"m-2.safetensors\"}}";
        String[][] mutations = {
            {"", ""}, {"16", "16.0"}, {"16", "-16"}, {"16", "[16]"}, {"\"pt\"", "null"},
            {"\"m-2.safetensors\"", "2"}, {"\"m-2.safetensors\"", "null"}, {"\"b.weight\"", "\"a.weight\""},
            {"\"format\"", "\"total_size\""}, {"\"metadata\"", "\"weight_map\""}, {"\"metadata\"", "\"other\""},
            {"}}", "}} x"}, {"}}", "}"}, {"a.weight", "a\\u0041"}, {"{\"a.weight\"", "{}, \"x\": {\"a.weight\""},
        };
        ObjectMapper mapper = new ObjectMapper();
        for (String[] mutation : mutations) {
            String text = mutation[0].isEmpty() ? plain : plain.replace(mutation[0], mutation[1]);
            Path file = tmp.getRoot().toPath().resolve("index.json");
            Files.writeString(file, text);
            Map<String, String> scanned = SafetensorsHeader.plainWeightMap(file);
            if (scanned == null) {
                continue;
            }
            JsonNode map = mapper.readTree(text).get("weight_map");
            Map<String, String> tree = new LinkedHashMap<>();
            map.fields().forEachRemaining(entry -> tree.put(entry.getKey(), entry.getValue().textValue()));
            assertThat(scanned).as(text).containsExactlyEntriesOf(tree);
            assertThat(text).as("the scanner took a form it must leave to the tree reader")
                    .doesNotContain("16.0", "-16", "[16]", "null", "x\"", "\\u", ": 2");
        }
        Files.writeString(tmp.getRoot().toPath().resolve("index.json"), plain);
        assertThat(SafetensorsHeader.plainWeightMap(tmp.getRoot().toPath().resolve("index.json")))
                .containsExactly(Map.entry("a.weight", "m-1.safetensors"), Map.entry("b.weight", "m-2.safetensors"));
    }

    private Path write(String name, byte[] header, int dataBytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(header.length).put(header);
        Path file = tmp.getRoot().toPath().resolve(name);
        Files.write(file, buffer.array());
        return file;
    }
}
