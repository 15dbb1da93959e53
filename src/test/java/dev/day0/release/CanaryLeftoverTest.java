package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CanaryLeftoverTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Process server;

    @After
    public void endTheServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    private Path workdir() {
        return temp.getRoot().toPath();
    }

    private Process startServer() throws Exception {
        server = new ProcessBuilder("sleep", "120").start();
        return server;
    }

    /** The record as a SIGKILLed day0 leaves it: its own process is gone. */
    private void recordedByAKilledDay0(Process started) throws Exception {
        recordedByAKilledDay0(workdir(), started);
    }

    private static void recordedByAKilledDay0(Path workdir, Process started) throws Exception {
        CanaryLeftover.record(workdir, started, List.of("sleep", "120"), Redactor.patternsOnly());
        // A process that lives until its start instant is read (a `true` can be reaped before /proc is read).
        Process gone = new ProcessBuilder("sleep", "60").start();
        String goneStart = gone.toHandle().info().startInstant().orElseThrow().toString();
        gone.destroyForcibly().waitFor();
        ObjectNode json = (ObjectNode) Json.read(workdir.resolve(CanaryLeftover.FILE));
        json.put("day0_pid", gone.pid());
        json.put("day0_started_at", goneStart);
        Files.writeString(workdir.resolve(CanaryLeftover.FILE), Json.write(json), StandardCharsets.UTF_8);
    }

    @Test
    public void shouldEndTheServerAKilledDay0LeftWhileItIsStillTheSameProcess() throws Exception {
        Process started = startServer();
        recordedByAKilledDay0(started);

        String ended = CanaryLeftover.end(workdir());

        assertThat(started.waitFor(10, TimeUnit.SECONDS)).as("the leftover server was ended").isTrue();
        assertThat(ended).startsWith("ended the canary server a killed day0 left running (pid " + started.pid());
        assertThat(workdir().resolve(CanaryLeftover.FILE)).doesNotExist();
    }

    @Test
    public void shouldNotTouchAProcessThatReusedThePidButStartedAtAnotherInstant() throws Exception {
        Process other = startServer();
        recordedByAKilledDay0(other);
        ObjectNode json = (ObjectNode) Json.read(workdir().resolve(CanaryLeftover.FILE));
        json.put("started_at", "2020-01-01T00:00:00Z");
        Files.writeString(workdir().resolve(CanaryLeftover.FILE), Json.write(json), StandardCharsets.UTF_8);

        String ended = CanaryLeftover.end(workdir());

        assertThat(other.isAlive()).isTrue();
        assertThat(ended).contains("had already ended");
        assertThat(workdir().resolve(CanaryLeftover.FILE)).doesNotExist();
    }

    @Test
    public void shouldLeaveTheServerOfADay0ThatStillRuns() throws Exception {
        Process started = startServer();
        CanaryLeftover.record(workdir(), started, List.of("sleep", "120"), Redactor.patternsOnly());

        String ended = CanaryLeftover.end(workdir());

        assertThat(ended).isNull();
        assertThat(started.isAlive()).isTrue();
        assertThat(workdir().resolve(CanaryLeftover.FILE)).isRegularFile();
    }

    @Test
    public void shouldEndTheLeftoverOnTheNextRunOfTheWorkDirectoryAndRecordItInState() throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder("run").toPath());
        assertThat(fixture.conduct(ReleaseFixture.env(), false).exitCode()).isZero();
        Process started = startServer();
        recordedByAKilledDay0(fixture.workdir(), started);

        fixture.conduct(ReleaseFixture.env(), true);

        assertThat(started.waitFor(10, TimeUnit.SECONDS)).as("the leftover server was ended").isTrue();
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("stages").path("canary")
                .path(CanaryLeftover.NOTE).asText()).contains("pid " + started.pid());
    }
}
