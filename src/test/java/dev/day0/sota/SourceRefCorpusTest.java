package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The source-reference corpus ({@code source-ref-corpus.json}): references whose secrets hide in short or
 * innocuous parameter names, paths, webhooks, fragments, vendor formats and disguises, run in this JVM through
 * {@code sota classify} and {@code sota plan}. No secret may reach any output or file in any encoding, and the
 * display must still name the source. References that carry no secret must classify to exactly their source.
 */
public class SourceRefCorpusTest {
    private static final String RESOURCE = "/dev/day0/sota/source-ref-corpus.json";

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static JsonNode corpus;
    private static Path claims;
    private static Path recipe;

    @BeforeClass
    public static void load() throws IOException {
        try (InputStream in = SourceRefCorpusTest.class.getResourceAsStream(RESOURCE)) {
            corpus = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        }
        Path dir = TEMP.getRoot().toPath();
        claims = SotaFiles.write(dir, "claims.yaml", SotaFiles.CLAIMS);
        recipe = SotaFiles.write(dir, "recipe.yaml", SotaFiles.RECIPE);
    }

    private static List<JsonNode> secretBearing() {
        List<JsonNode> entries = new ArrayList<>();
        corpus.get("secret_bearing").forEach(entries::add);
        return entries;
    }

    private static List<JsonNode> identifying() {
        List<JsonNode> entries = new ArrayList<>();
        corpus.get("identifying").forEach(entries::add);
        return entries;
    }

    private static List<String> secrets(JsonNode entry) {
        List<String> secrets = new ArrayList<>();
        entry.get("secrets").forEach(secret -> secrets.add(secret.textValue()));
        return secrets;
    }

    /** A secret as written, percent-encoded once and twice, and percent-decoded once and twice. */
    static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        forms.add(secret);
        forms.add(encoded);
        forms.add(URLEncoder.encode(encoded, StandardCharsets.UTF_8));
        String decoded = decode(secret);
        forms.add(decoded);
        forms.add(decode(decoded));
        return forms;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String allFiles(Path root) {
        if (!Files.exists(root)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                text.append(file).append('\n').append(Files.readString(file, StandardCharsets.UTF_8)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static List<String> leaks(String produced, List<String> secrets) {
        List<String> leaks = new ArrayList<>();
        for (String secret : secrets) {
            for (String form : forms(secret)) {
                if (produced.contains(form)) {
                    leaks.add(form);
                }
            }
        }
        return leaks;
    }

    @Test
    public void shouldHoldAtLeastTwoHundredSecretBearingReferencesOfEveryFamily() {
        assertThat(secretBearing()).hasSizeGreaterThanOrEqualTo(200);
        assertThat(secretBearing().stream().map(e -> e.get("family").textValue()).distinct())
                .contains("short_parameter_t", "short_parameter_sk", "oauth_code_state", "dropbox_rlkey",
                        "drive_resourcekey", "tracking_token", "token_path_segment", "slack_webhook",
                        "discord_webhook", "telegram_bot", "fragment_access_token", "fragment_code",
                        "slack_token_unknown_name", "google_api_key", "stripe_secret_key", "stripe_webhook_secret",
                        "npm_token", "pypi_token", "docker_token", "digitalocean_token", "linear_key",
                        "oauth_code_state", "fullwidth_name", "double_encoded", "array_name", "jsessionid",
                        "slash_in_password", "jwt_two_part");
        assertThat(identifying()).hasSizeGreaterThanOrEqualTo(100);
    }

    @Test
    public void shouldKeepEverySecretOutOfClassifyAndStillNameTheSource() {
        SourceRefClassifier classifier = new SourceRefClassifier(Redactor.patternsOnly(), Map.of(),
                TEMP.getRoot().toPath());
        List<String> problems = new ArrayList<>();
        for (JsonNode entry : secretBearing()) {
            String ref = entry.get("ref").textValue();
            SourceRef source = classifier.classify(ref);
            String produced = Json.write(source.redactor().redactJson(source.toJson()));
            List<String> leaks = leaks(produced, secrets(entry));
            if (!leaks.isEmpty()) {
                problems.add(entry.get("family").textValue() + " " + ref + " leaks " + leaks);
            }
            if (!source.display().contains(entry.get("identifies").textValue())) {
                problems.add(entry.get("family").textValue() + " " + ref + " is shown as " + source.display()
                        + ", which no longer names " + entry.get("identifies").textValue());
            }
        }
        for (JsonNode entry : secretBearing()) {
            String ref = entry.get("ref").textValue();
            CliRun run = CliRun.run(Map.of(), "sota", "classify", "--source-ref", ref);
            List<String> leaks = leaks(run.out() + run.err(), secrets(entry));
            if (!leaks.isEmpty()) {
                problems.add("classify " + ref + " leaks " + leaks);
            }
            if (run.exitCode() != 0 && run.exitCode() != 1) {
                problems.add("classify " + ref + " exit " + run.exitCode() + ": " + run.err());
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    public void shouldKeepEverySecretOutOfPlanOutputAndFiles() {
        List<String> problems = new ArrayList<>();
        SourceRefClassifier classifier = new SourceRefClassifier(Redactor.patternsOnly(), Map.of(),
                TEMP.getRoot().toPath());
        Claims claimed = Claims.read(claims);
        for (JsonNode entry : secretBearing()) {
            String ref = entry.get("ref").textValue();
            SourceRef source = classifier.classify(ref);
            if (source.kind() == SourceKind.UNKNOWN) {
                continue;
            }
            Redactor redactor = source.redactor();
            Recipe steps = Recipe.read(recipe, redactor, Map.of());
            String script = JobScript.render(source, claimed, steps, "test", redactor);
            ReproductionPlan plan = new ReproductionPlan(source, claimed, steps, script);
            String produced = script + Json.write(redactor.redactJson(plan.toJson("job.sh", Json.object())))
                    + redactor.redact(plan.toMarkdown("job.sh"));
            List<String> leaks = leaks(produced, secrets(entry));
            if (!leaks.isEmpty()) {
                problems.add(entry.get("family").textValue() + " " + ref + " leaks " + leaks);
            }
        }
        int index = 0;
        for (JsonNode entry : secretBearing()) {
            String ref = entry.get("ref").textValue();
            Path outDir = TEMP.getRoot().toPath().resolve("plan-" + index++);
            CliRun run = CliRun.run(Map.of(), "sota", "plan", "--source-ref", ref, "--claims", claims.toString(),
                    "--recipe", recipe.toString(), "--out-dir", outDir.toString());
            List<String> leaks = leaks(run.out() + run.err() + allFiles(outDir), secrets(entry));
            if (!leaks.isEmpty()) {
                problems.add("plan " + ref + " leaks " + leaks);
            }
            if (run.exitCode() != 0 && run.exitCode() != 2) {
                problems.add("plan " + ref + " exit " + run.exitCode());
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    public void shouldClassifyEveryReferenceWithoutSecretsToExactlyItsSource() {
        SourceRefClassifier classifier = new SourceRefClassifier(Redactor.patternsOnly(), Map.of(),
                TEMP.getRoot().toPath());
        List<String> problems = new ArrayList<>();
        for (JsonNode entry : identifying()) {
            String ref = entry.get("ref").textValue();
            SourceRef source = classifier.classify(ref);
            List<String> wrong = new ArrayList<>();
            if (!source.kind().label().equals(entry.get("kind").textValue())) {
                wrong.add("kind " + source.kind().label());
            }
            if (!source.display().equals(entry.get("display").textValue())) {
                wrong.add("display " + source.display());
            }
            if (entry.has("repository") && !entry.get("repository").textValue().equals(source.repository())) {
                wrong.add("repository " + source.repository());
            }
            if (entry.has("git_ref") && !entry.get("git_ref").textValue().equals(source.gitRef())) {
                wrong.add("git_ref " + source.gitRef());
            }
            if (entry.has("arxiv_id") && (source.arxiv() == null
                    || !entry.get("arxiv_id").textValue().equals(source.arxiv().id()))) {
                wrong.add("arxiv " + source.arxiv());
            }
            if (!wrong.isEmpty()) {
                problems.add(ref + ": " + wrong);
            }
        }
        assertThat(problems).isEmpty();
    }
}
