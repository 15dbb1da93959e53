package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class ProcessCommandRunnerTest {
    private final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    public void shouldPassStdinAndEnvironmentAndCollectBothStreamsAndTheExitCode() throws Exception {
        CommandRunner.Result result = runner.run(List.of("sh", "-c", "cat; echo \"$GREETING\"; echo oops >&2; exit 3"),
                "from stdin\n", Map.of("GREETING", "hello"), Duration.ofSeconds(10));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("from stdin\nhello\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(result.succeeded()).isFalse();
        assertThat(result.firstError()).isEqualTo("oops");
    }

    @Test
    public void shouldEndACommandThatDoesNotAnswerInTime() throws Exception {
        CommandRunner.Result result = runner.run(List.of("sleep", "30"), null, Map.of(), Duration.ofMillis(300));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.problem()).isEqualTo("sleep did not answer within 300 ms");
    }

    @Test
    public void shouldSayWhenACommandCannotStart() throws Exception {
        CommandRunner.Result result = runner.run(List.of("no-such-slurm-command"), null, Map.of(),
                Duration.ofSeconds(5));

        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.problem()).startsWith("cannot start no-such-slurm-command");
    }
}
