package dev.day0.rockie;

import static dev.day0.rockie.RockieTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.Test;

public class RockieTestServerTest {
    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void shouldPlayRepliesInOrderRepeatTheLastAndRecordEveryRequest() throws Exception {
        try (RockieTestServer server = RockieTestServer.start()) {
            server.on("GET", "/api/jobs/*", json(503, "{}"), json(200, "{\"state\": \"DONE\"}"));
            URI job = URI.create(server.url() + "/api/jobs/rj_1?x=1");

            int first = send(HttpRequest.newBuilder(job).header("X-Tenant-Id", "t").build()).statusCode();
            int second = send(HttpRequest.newBuilder(job).build()).statusCode();
            int third = send(HttpRequest.newBuilder(job).build()).statusCode();
            int unscripted = send(HttpRequest.newBuilder(URI.create(server.url() + "/api/gpu/market"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build()).statusCode();

            assertThat(server.url().getHost()).isEqualTo("127.0.0.1");
            assertThat(new int[] {first, second, third, unscripted}).containsExactly(503, 200, 200, 404);
            assertThat(server.requests()).hasSize(4);
            RockieTestServer.Recorded recorded = server.requests().get(0);
            assertThat(recorded.method()).isEqualTo("GET");
            assertThat(recorded.path()).isEqualTo("/api/jobs/rj_1");
            assertThat(recorded.query()).isEqualTo("x=1");
            assertThat(recorded.header("x-tenant-id")).isEqualTo("t");
            assertThat(server.requests("POST", "/api/gpu").get(0).body()).isEqualTo("{\"a\":1}");
            assertThat(server.count("GET", "/api/jobs/")).isEqualTo(3);
        }
    }
}
