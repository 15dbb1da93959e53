package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.day0.io.Json;
import dev.day0.slurm.SlurmClient;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The canary's server as a Slurm job, in process, against Slurm outputs recorded on the local cluster
 * ({@link RecordedSlurm}): the job announces an in-JVM server through DAY0_CANARY_URL_FILE, day0 probes it and
 * cancels the job once it has its verdict; a job that ends before announcing itself is not servable.
 */
public class SlurmCanaryTest {
    private static final Pattern URL_FILE = Pattern.compile("export DAY0_CANARY_URL_FILE='?([^'\\n]+)'?");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Function<List<String>, SlurmClient> realClients = SlurmJobRunner.clients;
    private final RecordedSlurm slurm = new RecordedSlurm();
    private ReleaseFixture fixture;
    private HttpServer server;

    @Before
    public void setUp() throws IOException {
        SlurmJobRunner.clients = prefix -> new SlurmClient(prefix, slurm);
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/health", exchange -> answer(exchange, ""));
        server.createContext("/v1/models", exchange -> answer(exchange,
                "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-fp4\"}]}"));
        server.createContext("/v1/completions", exchange -> answer(exchange,
                "{\"choices\":[{\"index\":0,\"text\":\" Paris, and it is also the largest city\"}]}"));
        server.start();
        checkpoint();
        fixture.canary = "  canary:\n"
                + "    runner: slurm\n"
                + "    command: [python, -m, vllm.entrypoints.openai.api_server]\n"
                + "    poll_interval_seconds: 0.01\n"
                + "    slurm: {partition: debug, time: \"10\"}\n"
                + "    probe: {checkpoint: ckpt, ceiling_seconds: 30, interval_seconds: 1}\n";
    }

    @After
    public void tearDown() {
        server.stop(0);
        SlurmJobRunner.clients = realClients;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private void checkpoint() throws IOException {
        Path dir = fixture.dir.resolve("ckpt");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}\n");
        byte[] header = "{\"__metadata__\":{\"format\":\"pt\"}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer shard = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        shard.putLong(header.length).put(header);
        Files.write(dir.resolve("model.safetensors"), shard.array());
    }

    /** The job, once running, writes the server's root URL where the batch script says. */
    private void serverAnnouncesItself() {
        slurm.onSubmit = script -> {
            Matcher file = URL_FILE.matcher(script);
            assertThat(file.find()).as("the batch script exports DAY0_CANARY_URL_FILE").isTrue();
            try {
                Files.writeString(Path.of(file.group(1)), "http://127.0.0.1:" + server.getAddress().getPort()
                        + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("report/decision.json"));
    }

    @Test
    public void shouldProbeTheServerJobAndCancelItOnceItHasItsVerdict() {
        serverAnnouncesItself();
        slurm.scontrol = List.of("scontrol-running.txt");
        slurm.output = "INFO: Started server process\n";

        CliRun run = fixture.conduct(ReleaseFixture.env(), false);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(decision().path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(slurm.jobName).contains("-canary-a1-");
        assertThat(slurm.cancelled).containsExactly(RecordedSlurm.jobId());
        assertThat(Json.read(fixture.workdir().resolve("stages/canary/canary.json")).path("servable").asBoolean())
                .isTrue();
        assertThat(fixture.workdir().resolve("logs/canary.log")).content()
                .contains("INFO: Started server process", "cancelled the server job " + RecordedSlurm.jobId());
        assertThat(Json.read(fixture.workdir().resolve("slurm/canary-a1.json")).path("phase").asText())
                .isEqualTo("finished");
    }

    @Test
    public void shouldFindTheCheckpointNotServableWhenTheServerJobFailsBeforeAnnouncingItself() {
        slurm.scontrol = List.of("scontrol-running.txt", "scontrol-failed.txt");
        slurm.output = "KeyError: 'model.layers.0.mlp.weight_scale'\n";

        CliRun run = fixture.conduct(ReleaseFixture.env(), false);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
        assertThat(decision().path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(decision().path("detail").asText()).contains("exited with code 3 before it wrote its URL");
        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(fixture.workdir().resolve("stages/baseline_eval")).doesNotExist();
    }
}
