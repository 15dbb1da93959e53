package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import dev.day0.testing.SecretCorpus;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 release run} with a stage that prints every text of the shared secret corpus (log lines, error
 * bodies, tokens, PEM blocks) and the value of a secret the plan names: no stdout, stderr or file of the run
 * (stage logs, state, report) may contain any of them, in any encoding.
 */
public class ReleaseSecretCorpusTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() {
        fixture = new ReleaseFixture(temp.getRoot().toPath());
    }

    @Test
    public void shouldKeepEveryCorpusSecretAndTheNamedEnvironmentValueOutOfTheRun() throws Exception {
        String judgeToken = "judge-Token-Value-0815-xyz";
        String lines = SecretCorpus.get().secretBearing().stream().map(SecretCorpus.Entry::text)
                .collect(Collectors.joining("\n"));
        fixture.file("corpus.txt", lines + "\nthe judge token is " + judgeToken + "\n");
        fixture.extra = "setup: {env: [JUDGE_API_TOKEN]}\n";
        fixture.ptq = fixture.ptq.replace("command: [sh, stage.sh, summary.json]",
                "command: [sh, -c, \"cat corpus.txt; cat corpus.txt >&2; sh stage.sh summary.json\"]");

        CliRun run = CliRun.run(ReleaseFixture.env("JUDGE_API_TOKEN", judgeToken), "release", "run", "--plan",
                fixture.plan().toString(), "--workdir", fixture.workdir().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("the judge token is [REDACTED]");
        SecretCorpus.get().assertNoSecretIn(List.of(run.out(), run.err()), List.of(fixture.workdir()),
                List.of(judgeToken));
    }

    @Test
    public void shouldRefuseToRunWithANamedSecretTooShortToMask() {
        CliRun run = CliRun.run(ReleaseFixture.env("HF_TOKEN", "abc12"), "release", "run", "--plan",
                fixture.plan().toString(), "--workdir", fixture.workdir().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").contains("HF_TOKEN").contains("shorter than 8")
                .doesNotContain("abc12");
        assertThat(Path.of(fixture.workdir().toString())).doesNotExist();
    }
}
