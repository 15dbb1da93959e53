package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.Test;

public class ConsoleRedactValuesTest {
    @Test
    public void shouldRedactEveryStringValueAndKeepNumbersAndStructure() {
        ObjectNode doc = Json.object();
        doc.put("detail", "server said token: abc123\"; retry");
        doc.putArray("checks").addObject().put("text", "key s3cr3t-value-42").put("latency_ms", 4);

        JsonNode redacted = Console.redactValues(doc, Redactor.withSecrets(Set.of("s3cr3t-value-42")));

        assertThat(redacted.get("detail").asText()).isEqualTo("server said token: [REDACTED]\"; retry");
        assertThat(redacted.get("checks").get(0).get("text").asText()).isEqualTo("key [REDACTED]");
        assertThat(redacted.get("checks").get(0).get("latency_ms").intValue()).isEqualTo(4);
        assertThat(doc.get("detail").asText()).contains("abc123");
    }

    @Test
    public void shouldPrintValidJsonForAValueRedactedBeforeItIsPrinted() {
        ObjectNode doc = Json.object();
        doc.put("detail", "server said token: abc123\"; retry");
        StringWriter out = new StringWriter();
        Console console = new Console(new PrintWriter(out), new PrintWriter(new StringWriter()),
                Redactor.patternsOnly());

        console.document(Console.redactValues(doc, console.redactor()), null);

        assertThat(Json.parse(out.toString(), "stdout").get("detail").asText())
                .isEqualTo("server said token: [REDACTED]\"; retry");
    }
}
