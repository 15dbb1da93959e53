package dev.day0.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JsonTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path file(String text) throws Exception {
        Path path = temp.newFile().toPath();
        Files.writeString(path, text);
        return path;
    }

    @Test
    public void shouldReadNonFiniteTokensSoGatesCanFailClosedOnThem() throws Exception {
        JsonNode node = Json.read(file("{\"a\": NaN, \"b\": Infinity}"));

        assertThat(Fields.finiteNumber(node.get("a"))).isNull();
        assertThat(Fields.finiteNumber(node.get("b"))).isNull();
    }

    @Test
    public void shouldRejectDuplicateKeysNamingTheFile() throws Exception {
        Path path = file("{\"a\": 1, \"a\": 2}");

        assertThatThrownBy(() -> Json.read(path)).isInstanceOf(InputException.class)
                .hasMessageStartingWith(path + ": invalid JSON").hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    public void shouldRejectEmptyFilesDirectoriesAndTrailingGarbage() throws Exception {
        Path empty = file("");
        Path trailing = file("{\"a\": 1} {\"b\": 2}");

        assertThatThrownBy(() -> Json.read(empty)).hasMessage(empty + ": is empty, expected JSON");
        assertThatThrownBy(() -> Json.read(temp.getRoot().toPath())).hasMessageEndingWith("is a directory, expected a JSON file");
        assertThatThrownBy(() -> Json.read(trailing)).isInstanceOf(InputException.class);
    }

    @Test
    public void shouldReadYamlWithTheSameStrictness() throws Exception {
        Path yaml = file("model: llama\nthreshold: 0.01\n");
        Path duplicate = file("a: 1\na: 2\n");

        assertThat(Json.readYaml(yaml).path("threshold").decimalValue()).isEqualByComparingTo("0.01");
        assertThatThrownBy(() -> Json.readYaml(duplicate)).isInstanceOf(InputException.class);
    }

    @Test
    public void shouldTellWholeNumbersFromOthers() {
        assertThat(Fields.wholeNumber(Json.parse("3", "t"))).isEqualTo(3L);
        assertThat(Fields.wholeNumber(Json.parse("3.0", "t"))).isEqualTo(3L);
        assertThat(Fields.wholeNumber(Json.parse("3.5", "t"))).isNull();
        assertThat(Fields.wholeNumber(Json.parse("true", "t"))).isNull();
        assertThat(Fields.wholeNumber(Json.parse("\"3\"", "t"))).isNull();
        assertThat(Fields.wholeNumber(Json.parse("99999999999999999999", "t"))).isNull();
    }
}
