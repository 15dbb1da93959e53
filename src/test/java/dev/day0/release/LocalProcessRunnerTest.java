package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LocalProcessRunnerTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private LocalProcessRunner.Outcome sh(String script, long timeoutSeconds, Path log) {
        return LocalProcessRunner.execute(List.of("sh", "-c", script), temp.getRoot().toPath(), ReleaseFixture.env(),
                timeoutSeconds, log, Redactor.withSecrets(Set.of("very-secret-value")), lines::add);
    }

    @Test
    public void shouldStreamStdoutAndStderrToTheConsoleAndTheLog() throws Exception {
        Path log = temp.getRoot().toPath().resolve("logs/stage.log");

        LocalProcessRunner.Outcome outcome = sh("echo one; echo two >&2; printf 'three'", 10, log);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(Files.readAllLines(log)).contains("one", "two", "three", "# day0: exit 0");
    }

    @Test
    public void shouldRedactSecretsBeforeTheyReachTheConsoleOrTheLog() throws Exception {
        Path log = temp.getRoot().toPath().resolve("stage.log");

        sh("echo 'key very-secret-value'; echo 'Authorization: Bearer abcdefghijklmnop'", 10, log);

        assertThat(lines).containsExactly("key [REDACTED]", "Authorization: [REDACTED]");
        assertThat(Files.readString(log)).doesNotContain("very-secret-value").doesNotContain("abcdefghijklmnop");
    }

    @Test
    public void shouldReportTheExitCode() {
        LocalProcessRunner.Outcome outcome = sh("exit 7", 10, temp.getRoot().toPath().resolve("a.log"));

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(7);
        assertThat(outcome.timedOut()).isFalse();
    }

    @Test
    public void shouldEndTheWholeProcessTreeOnTimeout() throws Exception {
        Path pidFile = temp.getRoot().toPath().resolve("child.pid");

        LocalProcessRunner.Outcome outcome = sh("sleep 60 & echo $! > " + pidFile + "; wait", 1,
                temp.getRoot().toPath().resolve("b.log"));

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.elapsedSeconds()).isLessThan(20);
        long child = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(endsWithin(child, 5_000)).as("the background child was ended").isTrue();
    }

    @Test
    public void shouldEndTheWholeProcessTreeWhenDay0IsInterrupted() throws Exception {
        Path pidFile = temp.getRoot().toPath().resolve("child.pid");
        Path log = temp.getRoot().toPath().resolve("interrupted.log");
        Thread stage = Thread.currentThread();
        // SIGINT/SIGTERM of `release run` interrupts the conductor's thread; this stands in for that signal.
        Thread signal = new Thread(() -> {
            try {
                while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
                    Thread.sleep(20);
                }
                stage.interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        signal.start();

        LocalProcessRunner.Outcome outcome = sh("sleep 60 & echo $! > " + pidFile + "; wait", 120, log);
        signal.join();

        long child = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.interruption()).startsWith("process tree ended (pids ").contains(Long.toString(child));
        assertThat(endsWithin(child, 5_000)).as("the background child was ended").isTrue();
        assertThat(Files.readString(log)).contains("# day0: interrupted: process tree ended");
        assertThat(Thread.currentThread().isInterrupted()).as("the flag is left clear for closeout").isFalse();
    }

    @Test
    public void shouldRecordTheEndedTreeInStateAndCloseTheRunWhenInterruptedDuringAStage() throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder("run").toPath());
        Thread conductor = Thread.currentThread();
        Thread signal = new Thread(() -> {
            try {
                while (!fixture.runs().contains("ptq 1")) {
                    Thread.sleep(20);
                }
                Thread.sleep(200);
                conductor.interrupt();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        signal.start();

        var run = fixture.conduct(ReleaseFixture.env("SLEEP_SECONDS", "60"), false);
        signal.join();

        var state = dev.day0.io.Json.read(fixture.workdir().resolve("state.json"));
        assertThat(state.path("stages").path("ptq").path(LocalProcessRunner.INTERRUPTED).asText())
                .startsWith("process tree ended (pids ");
        assertThat(dev.day0.io.Json.read(fixture.workdir().resolve("report/decision.json")).path("decision")
                .asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(run.exitCode()).isNotZero();
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    /** True when the process is gone or a zombie (ended, waiting for its new parent to reap it). */
    private static boolean endsWithin(long pid, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            if (!Files.exists(stat)) {
                return true;
            }
            String text = Files.readString(stat);
            String state = text.substring(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
            if (state.equals("Z") || state.equals("X")) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    public void shouldSplitAnEndlessLineAtASpaceSoASecretAcrossTheLimitIsStillMasked() {
        // Regression: lines were cut every 4096 characters, and a token cut in two matched no redaction rule.
        sh("awk 'BEGIN { for (i = 0; i < 209714; i++) printf \"word \"; "
                + "printf \"ghp_abcdefghijklmnopqrstuvwxyz0123456789 \"; "
                + "for (i = 0; i < 100000; i++) printf \"word \"; print \"\" }'", 30,
                temp.getRoot().toPath().resolve("c.log"));

        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines).allMatch(line -> line.length() <= LocalProcessRunner.MAX_LINE + 1);
        assertThat(lines).noneMatch(line -> line.contains("ghp_"));
        assertThat(String.join("\n", lines)).contains("[REDACTED]");
    }

    @Test
    public void shouldLeaveAnEndlessBlobWithoutSpacesOutOfTheLog() {
        sh("head -c 3000000 /dev/zero | tr '\\0' 'x'", 30, temp.getRoot().toPath().resolve("c.log"));

        // 3,000,000 characters: two full chunks over the limit are left out, the shorter tail is an ordinary line.
        assertThat(lines).filteredOn(line -> line.contains("characters without a space left out of the log"))
                .hasSize(2);
        assertThat(lines).allMatch(line -> line.length() <= LocalProcessRunner.MAX_LINE + 1);
    }

    @Test
    public void shouldSayWhenTheCommandCannotStart() {
        LocalProcessRunner.Outcome outcome = LocalProcessRunner.execute(List.of("/no/such/program"), temp.getRoot().toPath(),
                Map.of(), 10, temp.getRoot().toPath().resolve("d.log"), Redactor.patternsOnly(), lines::add);

        assertThat(outcome.startError()).contains("cannot start /no/such/program");
    }

    @Test
    public void shouldGiveTheCommandNoInput() {
        LocalProcessRunner.Outcome outcome = sh("read line || echo 'no input'", 10, temp.getRoot().toPath().resolve("e.log"));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines).containsExactly("no input");
    }
}
