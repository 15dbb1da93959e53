package dev.day0.rockie;

import static dev.day0.rockie.RockieFixture.ENV_SECRET;
import static dev.day0.rockie.RockieFixture.TOKEN;
import static dev.day0.rockie.RockieFixture.files;
import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.submit;
import static dev.day0.rockie.RockieTestServer.finished;
import static dev.day0.rockie.RockieTestServer.poll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.testing.CliRun;
import dev.day0.testing.SecretCorpus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;

/**
 * {@code day0 rockie submit} polling a job whose last log line is, poll after poll, every text of the shared
 * secret corpus and lines that carry the tenant token and the {@code --env} secret (also percent-encoded). The
 * line is printed on every poll and written to the state file: none of the secrets may reach stdout, stderr, the
 * state file or any other file, in any encoding.
 */
public class SubmitSecretCorpusTest {
    private static final RockieFixture FIXTURE = new RockieFixture();

    private RockieTestServer rockie;
    private RockieTestServer storage;
    private Path dir;
    private Map<String, String> env;
    private Path sheet;

    @Before
    public void setUp() {
        rockie = RockieTestServer.start();
        storage = RockieTestServer.start();
        dir = FIXTURE.newDir();
        env = RockieFixture.env(rockie, dir);
        sheet = FIXTURE.approvedSheet(dir);
    }

    @After
    public void tearDown() {
        rockie.close();
        storage.close();
    }

    @AfterClass
    public static void shouldHaveLeakedNoSecretInAnyOutputOrFile() {
        try {
            FIXTURE.assertNoSecretLeaked();
        } finally {
            FIXTURE.delete();
        }
    }

    @Test
    public void shouldMaskEveryCorpusTextAndEveryKnownValueInPolledLogLinesAndTheStateFile() {
        List<String> lines = new ArrayList<>();
        SecretCorpus.get().secretBearing().forEach(entry -> lines.add(entry.text()));
        lines.add("export ROCKIELAB_TENANT_TOKEN=" + TOKEN);
        lines.add("hub login with " + ENV_SECRET + " ok");
        lines.add("GET /download?x=" + URLEncoder.encode("t " + ENV_SECRET, StandardCharsets.UTF_8));
        RockieTestServer.Poll[] polls = new RockieTestServer.Poll[lines.size() + 1];
        for (int i = 0; i < lines.size(); i++) {
            polls[i] = poll("RUNNING", lines.get(i), 10L * i);
        }
        polls[lines.size()] = finished("DONE", "JOB_DONE", 4200, null);
        rockie.acceptSubmit("rj_corpus", 17500).jobStates("rj_corpus", polls)
                .artifacts("rj_corpus", files("metrics.json", "{}"), storage);

        CliRun run = FIXTURE.run(env, submit(dir, sheet));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("hub login with [REDACTED] ok");
        JsonNode state = read(dir.resolve("state.json"));
        assertThat(state.path("last_log_line").asText()).isEqualTo("JOB_DONE");
        SecretCorpus.get().assertNoSecretIn(List.of(run.out(), run.err()), List.of(dir),
                List.of(TOKEN, ENV_SECRET));
    }

    @Test
    public void shouldKeepTheLastSecretBearingLineMaskedInTheStateFile() {
        String pypi = "pypi-AgEIcHlwaS5vcmcCJDQ1NzE4ZWQtStateFileLine0815";
        rockie.acceptSubmit("rj_state", 17500)
                .jobStates("rj_state", poll("RUNNING", "twine upload -p " + pypi, 10),
                        finished("FAILED", "twine upload -p " + pypi, 300, "upload refused for " + pypi))
                .artifacts("rj_state", files("logs/train.log", "x\n"), storage);

        CliRun run = FIXTURE.run(env, submit(dir, sheet));

        JsonNode state = read(dir.resolve("state.json"));
        assertThat(state.path("last_log_line").asText()).isEqualTo("twine upload -p [REDACTED]");
        assertThat(run.out() + run.err() + state).doesNotContain(pypi);
    }

    @Test
    public void shouldRefuseASecretEnvValueTooShortToMaskWithoutPrintingIt() {
        CliRun run = FIXTURE.run(env, submit(dir, sheet, "--env", "API_TOKEN=sh0rt"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(RockieExit.USAGE.code());
        assertThat(run.out() + run.err()).contains("API_TOKEN").contains("shorter than 8").doesNotContain("sh0rt");
        assertThat(rockie.requests()).noneMatch(request -> request.method().equals("POST"));
    }
}
