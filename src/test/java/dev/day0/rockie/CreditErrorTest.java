package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;

/** The credit_gate event as the platform's submit helper's tests expect it (test_submit_headers.py). */
public class CreditErrorTest {
    @Test
    public void shouldShowBalanceNeededAndCheckoutFromTheDetailErrorOfA402() {
        ObjectNode event = CreditError.event("{\"detail\": {\"error\": {\"code\": \"insufficient_balance\", "
                + "\"message\": \"Tenant has no GPU credit.\", \"balance_cents\": 0, \"needed_cents\": 27000}}}");

        assertThat(event.path("event").asText()).isEqualTo("credit_gate");
        assertThat(event.path("version").asInt()).isEqualTo(1);
        assertThat(event.path("code").asText()).isEqualTo("insufficient_balance");
        assertThat(event.path("balance_cents").isIntegralNumber()).isTrue();
        assertThat(event.path("balance_cents").asLong()).isZero();
        assertThat(event.path("needed_cents").asLong()).isEqualTo(27000);
        assertThat(event.path("message").asText()).isEqualTo("Tenant has no GPU credit.");
        assertThat(event.path("checkout").path("kind").asText()).isEqualTo("compute_top_up");
        assertThat(event.path("checkout").path("skus").toString())
                .isEqualTo("[\"compute:20\",\"compute:50\",\"compute:200\",\"compute:1000\"]");
    }

    @Test
    public void shouldOfferTheCheckoutTheAnswerNamesAndReadOlderFieldNames() {
        ObjectNode event = CreditError.event("{\"detail\": {\"error\": {\"balance\": 5, \"needed\": 900, "
                + "\"checkout\": {\"kind\": \"compute_top_up\", \"skus\": [\"compute:50\"]}}}}");

        assertThat(event.path("balance_cents").asLong()).isEqualTo(5);
        assertThat(event.path("needed_cents").asLong()).isEqualTo(900);
        assertThat(event.path("code").asText()).isEqualTo("insufficient_balance");
        assertThat(event.path("checkout").path("skus").toString()).isEqualTo("[\"compute:50\"]");
    }

    @Test
    public void shouldReadAPlainMessageAndLeaveUnstatedBalancesNull() {
        ObjectNode event = CreditError.event("{\"detail\": \"Payment required\"}");

        assertThat(event.path("message").asText()).isEqualTo("Payment required");
        assertThat(event.path("balance_cents").isNull()).isTrue();
        assertThat(event.path("needed_cents").isNull()).isTrue();
        assertThat(CreditError.event("{\"error\": {}}").path("message").asText())
                .isEqualTo(CreditError.DEFAULT_MESSAGE);
    }

    @Test
    public void shouldStillProduceAnEventFromAnUnreadableBody() {
        ObjectNode event = CreditError.event("<html>402</html>");

        assertThat(event.path("event").asText()).isEqualTo("credit_gate");
        assertThat(event.has("balance_cents") && event.has("needed_cents") && event.has("checkout")).isTrue();
        assertThat(event.path("message").asText()).contains("402");
    }
}
