package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;

public class CreditErrorTest {
    @Test
    public void shouldReadTheCreditErrorUnderDetailError() {
        ObjectNode event = CreditError.event("{\"detail\": {\"error\": {\"code\": \"low_balance\", \"balance\": 5, "
                + "\"needed\": 27000, \"message\": \"Add credit\"}}}");

        assertThat(event.path("event").asText()).isEqualTo("credit_gate");
        assertThat(event.path("code").asText()).isEqualTo("low_balance");
        assertThat(event.path("balance").asLong()).isEqualTo(5);
        assertThat(event.path("needed").asLong()).isEqualTo(27000);
        assertThat(event.path("message").asText()).isEqualTo("Add credit");
    }

    @Test
    public void shouldReadAPlainMessage() {
        assertThat(CreditError.event("{\"detail\": \"Payment required\"}").path("message").asText())
                .isEqualTo("Payment required");
        assertThat(CreditError.event("{\"error\": \"Payment required\"}").path("code").isNull()).isTrue();
    }

    @Test
    public void shouldStillProduceAnEventFromAnUnreadableBody() {
        ObjectNode event = CreditError.event("<html>402</html>");

        assertThat(event.path("event").asText()).isEqualTo("credit_gate");
        assertThat(event.has("code") && event.has("balance") && event.has("needed")).isTrue();
        assertThat(event.path("message").asText()).contains("402");
    }
}
