package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A corpus of source references with secrets in them (signed URLs, user-info, tokens, URL-encoded and nested
 * variants), run through every sota command that takes a reference: no stdout, stderr or file written may
 * contain any secret, in any encoding.
 */
public class SotaSecretCorpusTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private Path claims;
    private Path recipe;

    /** A reference and the secret values hidden in it. */
    private record Case(String ref, List<String> secrets) {
    }

    @Before
    public void setUp() {
        dir = temp.getRoot().toPath();
        claims = SotaFiles.write(dir, "claims.yaml", SotaFiles.CLAIMS);
        recipe = SotaFiles.write(dir, "recipe.yaml", SotaFiles.RECIPE);
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Every base (one per kind of reference) with every way of embedding a secret: 5 x 11 + extra cases. */
    static List<Case> corpus() {
        String[] bases = {"https://github.com/owner/repo", "https://example.org/papers/p.pdf",
            "https://openreview.net/forum?id=abc123", "https://arxiv.org/abs/2401.01234v2",
            "https://bucket.s3.amazonaws.com/paper.pdf"};
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < bases.length; i++) {
            String base = bases[i];
            String scheme = "https://";
            String rest = base.substring(scheme.length());
            String join = base.contains("?") ? "&" : "?";
            String n = Integer.toString(i);
            String password = "pw" + n + "-Tr0ub4dor-xyz";
            cases.add(new Case(scheme + "alice:" + password + "@" + rest, List.of(password)));
            String ghp = "ghp_" + n + "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
            cases.add(new Case(scheme + ghp + "@" + rest, List.of(ghp)));
            String token = "tok" + n + "-9f8e7d6c5b4a";
            cases.add(new Case(base + join + "token=" + token, List.of(token)));
            String access = "ya29." + n + "a0AfH6SMBxyzSecretValue";
            cases.add(new Case(base + join + "access_token=" + access, List.of(access)));
            String sk = "sk-proj-" + n + "abcdefghijklmnopqrstu";
            cases.add(new Case(base + join + "api_key=" + sk, List.of(sk)));
            String akia = "AKIAIOSFODNN7EXAMPL" + n;
            String signature = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd" + n + "e";
            cases.add(new Case(base + join + "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + akia
                    + "%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600"
                    + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + signature, List.of(akia, signature)));
            String goog = "deadbeefcafebabe" + n + "1234567890abcdef";
            cases.add(new Case(base + join + "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40p.iam"
                    + "&X-Goog-Signature=" + goog, List.of(goog)));
            String sas = "sv2A" + n + "bcDEF123%2Bxyz%3D";
            cases.add(new Case(base + join + "sv=2022-11-02&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=" + sas,
                    List.of(sas, "sv2A" + n + "bcDEF123+xyz=")));
            String hf = "hf_" + n + "abcdefghijklmnopqrstuvwxyz0123";
            cases.add(new Case(base + (base.contains("?") ? "&x=" : "/") + hf, List.of(hf)));
            String nestedSig = "nestedsig" + n + "abcdef0123456789";
            cases.add(new Case("https://example.org/redirect?url=" + enc(base + join + "X-Amz-Signature=" + nestedSig),
                    List.of(nestedSig)));
            String doubleSig = "doublesig" + n + "abcdef0123456789";
            cases.add(new Case("https://example.org/redirect?url=" + enc(enc(base + join + "sig=" + doubleSig)),
                    List.of(doubleSig)));
        }
        cases.add(new Case("https://example.org/p.pdf#access_token=fragment-secret-123456",
                List.of("fragment-secret-123456")));
        cases.add(new Case("https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r/tree/main",
                List.of("ghs_abcdefghijklmnopqrstuvwxyz0123456789")));
        cases.add(new Case("https://github.com/o/r?private_token=glpat-abcdefghij0123456789",
                List.of("glpat-abcdefghij0123456789")));
        cases.add(new Case("git@github.com:o/r.git?token=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                List.of("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz")));
        cases.add(new Case("https://example.org/p.pdf?auth="
                + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sgnSgnSgn123",
                List.of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sgnSgnSgn123")));
        cases.add(new Case("https://user%40corp.com:p%40ss%3Aword99@example.org/p.pdf",
                List.of("p%40ss%3Aword99", "p@ss:word99")));
        cases.add(new Case("https%3A%2F%2Fbob%3Aencodedpass77%40example.org%2Fpaper.pdf", List.of("encodedpass77")));
        cases.add(new Case("https://example.org/p.pdf?Authorization=Bearer%20bearervalue0123456",
                List.of("bearervalue0123456")));
        cases.add(new Case("arXiv:2401.01234v2 nvapi-abcdefghijklmnop0123", List.of("nvapi-abcdefghijklmnop0123")));
        cases.add(new Case("https://example.org/p.pdf?password=hunter2hunter2&client_secret=cs-0123456789",
                List.of("hunter2hunter2", "cs-0123456789")));
        return cases;
    }

    /** A secret and the encoded forms it could leak in. */
    private static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(enc(secret));
        forms.add(enc(enc(secret)));
        return forms;
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

    private static void assertClean(String label, String produced, List<String> secrets) {
        for (String secret : secrets) {
            for (String form : forms(secret)) {
                assertThat(produced).as(label + " leaks " + form).doesNotContain(form);
            }
        }
    }

    @Test
    public void shouldHoldAtLeastFiftySecretBearingReferences() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(corpus()).allSatisfy(c -> assertThat(c.secrets()).isNotEmpty()
                .allSatisfy(s -> assertThat(c.ref()).containsAnyOf(forms(s).toArray(String[]::new))));
    }

    @Test
    public void shouldKeepEverySecretOutOfClassify() {
        for (Case c : corpus()) {
            CliRun run = CliRun.run(Map.of(), "sota", "classify", "--source-ref", c.ref());
            assertThat(run.exitCode()).as(run.toString()).isIn(0, 1);
            assertClean("classify " + c.ref(), run.out() + run.err(), c.secrets());
            assertThat(run.out()).as(c.ref()).contains("\"redactions\" : [ {");
        }
    }

    @Test
    public void shouldKeepEverySecretOutOfPlanOutputAndFiles() {
        int index = 0;
        int planned = 0;
        for (Case c : corpus()) {
            Path outDir = dir.resolve("plan-" + index++);
            CliRun run = CliRun.run(Map.of(), "sota", "plan", "--source-ref", c.ref(), "--claims",
                    claims.toString(), "--recipe", recipe.toString(), "--out-dir", outDir.toString());
            assertThat(run.exitCode()).as(run.toString()).isIn(0, 2);
            planned += run.exitCode() == 0 ? 1 : 0;
            assertClean("plan " + c.ref(), run.out() + run.err() + allFiles(outDir), c.secrets());

            CliRun embedded = CliRun.run(Map.of(), "sota", "plan", "--source-ref", c.ref(), "--claims",
                    claims.toString(), "--recipe", recipe.toString());
            assertClean("plan (embedded script) " + c.ref(), embedded.out() + embedded.err(), c.secrets());
        }
        assertThat(planned).as("secrets are removed and the reference is still planned").isGreaterThan(40);
    }

    @Test
    public void shouldKeepAKnownEnvironmentSecretOutOfEveryOutput() {
        String value = "plain-env-secret-4711";
        Map<String, String> env = Map.of("HF_TOKEN", value);
        Path outDir = dir.resolve("env-plan");

        CliRun classify = CliRun.run(env, "sota", "classify", "--source-ref", "https://github.com/o/" + value);
        CliRun plan = CliRun.run(env, "sota", "plan", "--source-ref", "https://example.org/" + value + "/p.pdf",
                "--claims", claims.toString(), "--recipe", recipe.toString(), "--out-dir", outDir.toString());

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertClean("env", classify.out() + classify.err() + plan.out() + plan.err() + allFiles(outDir),
                List.of(value));
        assertThat(classify.out()).contains("\"name\" : \"HF_TOKEN\"");
    }

    @Test
    public void shouldKeepSecretsOutOfErrorsAboutTheReference() {
        String secret = "pw-in-broken-ref-999";
        CliRun run = CliRun.run(Map.of(), "sota", "classify", "--source-ref",
                "https://u:" + secret + "@example.org/p.pdf\nsecond line");
        CliRun missingFile = CliRun.run(Map.of(), "sota", "classify", "--source-ref",
                dir.resolve("token=" + secret + "/paper.pdf").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertClean("errors", run.out() + run.err() + missingFile.out() + missingFile.err(), List.of(secret));
    }

    @Test
    public void shouldKeepSecretsOutOfRecipeRefusals() {
        String[] leaks = {"ghp_recipeAbCdEfGhIjKlMnOpQrStUvWxYz", "hf_recipeabcdefghijklmnopqrstuvwxyz",
            "AKIAIOSFODNN7RECIPE1"};
        for (String leak : leaks) {
            Path leaky = SotaFiles.write(dir, "leaky.yaml", "run:\n  - curl -H 'Authorization: Bearer " + leak
                    + "' https://example.org\n");
            Path outDir = dir.resolve("leaky-plan");
            CliRun run = CliRun.run(Map.of(), "sota", "plan", "--source-ref", "2401.01234v2", "--claims",
                    claims.toString(), "--recipe", leaky.toString(), "--out-dir", outDir.toString());
            assertThat(run.exitCode()).isEqualTo(2);
            assertClean("recipe " + leak, run.out() + run.err() + allFiles(outDir), List.of(leak));
        }
    }

    @Test
    public void shouldKeepSecretsOutOfReviewsAndAssessments() throws Exception {
        String secret = "ghp_reviewAbCdEfGhIjKlMnOpQrStUvWxYz01";
        Path baseline = SotaFiles.write(dir, "b/metrics.json", "{\"accuracy\": 93.0, \"loss\": 0.3}");
        Path delta = SotaFiles.write(dir, "d/metrics.json", "{\"accuracy\": 94.0, \"loss\": 0.3}");
        Path out = dir.resolve("r/review.json");

        CliRun review = CliRun.run(Map.of(), "sota", "review", "--baseline", baseline.toString(), "--delta",
                delta.toString(), "--delta-description", "cloned with https://" + secret + "@github.com/o/r",
                "--claims", claims.toString(), "--out", out.toString());
        Path leakyDir = SotaFiles.write(dir, "token=" + secret + "/metrics.json", "{\"accuracy\": 93.5, \"loss\": 1}");
        CliRun assess = CliRun.run(Map.of(), "sota", "assess", "--claims", claims.toString(), "--metrics",
                leakyDir.toString());

        assertThat(review.exitCode()).as(review.toString()).isZero();
        assertClean("review/assess", review.out() + review.err() + Files.readString(out) + assess.out()
                + assess.err(), List.of(secret));
    }
    @Test
    public void shouldMaskTheValueOfASecretTheRecipeNamesAndRefuseOneTooShortToMask() {
        String value = "recipe-named-secret-0815";
        Path outDir = dir.resolve("named-plan");
        CliRun plan = CliRun.run(Map.of("HF_TOKEN", value), "sota", "plan", "--source-ref",
                "https://example.org/" + value + "/p.pdf", "--claims", claims.toString(), "--recipe",
                recipe.toString(), "--out-dir", outDir.toString());
        Path shortRecipe = SotaFiles.write(dir, "short.yaml", SotaFiles.RECIPE.replace("HF_TOKEN", "JUDGE_KEY"));
        CliRun refused = CliRun.run(Map.of("JUDGE_KEY", "k3y9"), "sota", "plan", "--source-ref", "2401.01234v2",
                "--claims", claims.toString(), "--recipe", shortRecipe.toString());

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertClean("named", plan.out() + plan.err() + allFiles(outDir), List.of(value));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("JUDGE_KEY").contains("shorter than 8").doesNotContain("k3y9");
    }
}
