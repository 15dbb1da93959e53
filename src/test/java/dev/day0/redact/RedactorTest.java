package dev.day0.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.SecretCorpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class RedactorTest {
    private static final SecretCorpus CORPUS = SecretCorpus.get();
    private final Redactor redactor = Redactor.patternsOnly();

    @Test
    public void shouldCompileEveryRuleItCompilesOnlyWhenFirstNeeded() {
        assertThat(Redactor.compileAllRules()).isGreaterThanOrEqualTo(34);
    }

    @Test
    public void shouldMaskTheStringValueOfASecretNamedFieldInAJsonDocument() {
        JsonNode doc = Json.parse("{\"api_key\": \"xyz123\", \"hf_token\": \"plain\", \"tokenizer\": \"llama\", "
                + "\"max_tokens\": 2048, \"pad_token\": \"\", \"token_env\": \"HF_TOKEN\", \"password\": \"$DB_PASSWORD\", "
                + "\"nested\": [{\"client_secret\": \"s3\"}]}", "doc");

        JsonNode redacted = Redactor.patternsOnly().redactJson(doc);

        assertThat(redacted.path("api_key").asText()).isEqualTo(Redactor.MASK);
        assertThat(redacted.path("hf_token").asText()).isEqualTo(Redactor.MASK);
        assertThat(redacted.at("/nested/0/client_secret").asText()).isEqualTo(Redactor.MASK);
        assertThat(redacted.path("tokenizer").asText()).isEqualTo("llama");
        assertThat(redacted.path("max_tokens").asInt()).isEqualTo(2048);
        assertThat(redacted.path("pad_token").asText()).isEmpty();
        assertThat(redacted.path("token_env").asText()).isEqualTo("HF_TOKEN");
        assertThat(redacted.path("password").asText()).isEqualTo("$DB_PASSWORD");
        assertThat(doc.path("api_key").asText()).as("the input is not changed").isEqualTo("xyz123");
    }

    /**
     * Regression: the secret-named-field rule restarted its key prefix at every position of a long word, so redaction
     * was quadratic (8 KB without spaces took seconds; a 1 MB log line would have taken hours). The timeout guards
     * against a hang; it is not a speed target.
     */
    @Test(timeout = 60_000)
    public void shouldRedactAMegabyteLineWithoutSpacesAndStillFindTheSecretAtItsEnd() {
        String line = "x_".repeat(1 << 19) + " token=abcdef123456";

        String redacted = Redactor.patternsOnly().redact(line);

        assertThat(redacted).endsWith(" token=[REDACTED]").startsWith("x_x_");
    }

    /**
     * Lines of a quarter megabyte shaped to make each newer rule backtrack (slashes after a user-info prefix, a base64 line
     * without its last character class, a run of near-tokens). The timeout guards against a hang.
     */
    @Test(timeout = 60_000)
    public void shouldRedactAdversarialLongLinesForTheNewerRules() {
        List<String> lines = List.of("https://user:" + "a/".repeat(1 << 17) + "x",
                "Ab".repeat(1 << 17) + "!", "xoxb".repeat(1 << 16), "4/0".repeat(1 << 16),
                "ｔｏｋｅｎ".repeat(1 << 15) + "=abc12345", "%25".repeat(1 << 16) + "token%3Dxyz987654321");

        for (String line : lines) {
            assertThat(Redactor.patternsOnly().redact(line)).isNotNull();
        }
        assertThat(Redactor.patternsOnly().redact(lines.get(4))).endsWith("=[REDACTED]");
    }

    @Test
    public void shouldMaskVendorFormatsLookAlikeNamesAndUnsignedJwts() {
        Redactor redactor = Redactor.patternsOnly();

        assertThat(redactor.redact("SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"))
                .isEqualTo("SLACK=[REDACTED]");
        assertThat(redactor.redact("use ｔｏｋｅｎ=Zq8Xv3Lm9Np2 now")).isEqualTo("use token=[REDACTED] now");
        assertThat(redactor.redact("GET /a?token[]=Zq8Xv3Lm9Np2&page=2")).isEqualTo("GET /a?token[]=[REDACTED]&page=2");
        assertThat(redactor.redact("jwt eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.")).isEqualTo("jwt [REDACTED]");
        assertThat(redactor.redact("code 4/0AY0e-g7abcdefghijklmnop")).isEqualTo("code [REDACTED]");
    }

    @Test
    public void shouldRefuseAConfiguredSecretTooShortToMaskNamingItButNotItsValue() {
        assertThatThrownBy(() -> Redactor.fromEnvironment(Map.of("HF_TOKEN", "abc1234")))
                .isInstanceOf(UnmaskableSecretException.class).hasMessageContaining("HF_TOKEN")
                .hasMessageContaining("shorter than 8").hasMessageNotContaining("abc1234");
        assertThat(Redactor.fromEnvironment(Map.of("HF_TOKEN", "abc12345")).redact("t abc12345"))
                .isEqualTo("t [REDACTED]");
        assertThat(Redactor.patternsOnly().andConfigured(Map.of("--env X_TOKEN", "Zq8Xv3Lm9Np2"))
                .redact("x=" + java.net.URLEncoder.encode(java.net.URLEncoder.encode("Zq8Xv3Lm9Np2!",
                        java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8)))
                .doesNotContain("Zq8Xv3Lm9Np2");
    }

    @Test
    public void shouldHoldAtLeastFiftySecretBearingEntriesOfEveryKind() {
        assertThat(CORPUS.secretBearing()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(CORPUS.ofKind("source_ref")).hasSizeGreaterThanOrEqualTo(15);
        assertThat(CORPUS.ofKind("token")).hasSizeGreaterThanOrEqualTo(10);
        assertThat(CORPUS.ofKind("log_line")).hasSizeGreaterThanOrEqualTo(20);
        CORPUS.secretBearing().forEach(entry -> entry.secrets().forEach(secret ->
                assertThat(entry.text().contains(secret) || decoded(entry.text()).contains(secret))
                        .as("corpus entry %s carries its secret %s", entry.text(), secret).isTrue()));
    }

    private static String decoded(String text) {
        return java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    public void shouldRemoveEverySecretOfTheCorpus() {
        List<String> leaks = new ArrayList<>();
        for (SecretCorpus.Entry entry : CORPUS.secretBearing()) {
            String redacted = redactor.redact(entry.text());
            for (String secret : entry.secrets()) {
                for (String form : SecretCorpus.forms(secret)) {
                    if (redacted.contains(form)) {
                        leaks.add(entry.text() + "\n      -> " + redacted + "\n      still shows " + form);
                    }
                }
            }
            if (!redacted.contains(Redactor.MASK)) {
                leaks.add(entry.text() + "\n      -> no mask in " + redacted);
            }
        }
        assertThat(leaks).as("leaks").isEmpty();
    }

    @Test
    public void shouldLeaveOrdinaryTextUnchanged() {
        List<String> changed = new ArrayList<>();
        for (String text : CORPUS.mustStayUnchanged()) {
            String redacted = redactor.redact(text);
            if (!redacted.equals(text)) {
                changed.add(text + "\n      -> " + redacted);
            }
        }
        assertThat(changed).as("ordinary text that was changed").isEmpty();
    }

    @Test
    public void shouldKeepAQuoteHashAndAJobIdIntact() {
        String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        String line = "{\"quote_sha256\": \"" + sha + "\", \"job_id\": \"rj_01HZX3K9Q2M7N4P5R6S7T8V9W0\"}";

        assertThat(redactor.redact(line)).isEqualTo(line);
        assertThat(redactor.containsSecret(line)).isFalse();
    }

    @Test
    public void shouldMaskTheTenantTokenFromTheEnvironmentAlsoWhenUrlEncoded() {
        String token = "rk_live/Tenant+Token=42abc";
        Redactor fromEnv = Redactor.fromEnvironment(Map.of("ROCKIELAB_TENANT_TOKEN", token,
                "ROCKIELAB_TENANT_ID", "tenant-7"));

        String plain = fromEnv.redact("tenant tenant-7 uses " + token + " today");
        String encoded = fromEnv.redact("callback?t=rk_live%2FTenant%2BToken%3D42abc&x=1");

        assertThat(plain).isEqualTo("tenant tenant-7 uses [REDACTED] today");
        assertThat(encoded).doesNotContain("Tenant%2BToken").doesNotContain("42abc").contains("x=1");
    }

    @Test
    public void shouldMaskKnownValuesAddedLater() {
        Redactor more = redactor.and(Set.of("plainlookingvalue"));

        assertThat(more.redact("echo plainlookingvalue")).isEqualTo("echo [REDACTED]");
        assertThat(redactor.redact("echo plainlookingvalue")).isEqualTo("echo plainlookingvalue");
    }

    @Test
    public void shouldKeepTheShapeOfWhatWasMasked() {
        assertThat(redactor.redact("https://bob:pw123456@host.example/x"))
                .isEqualTo("https://[REDACTED]@host.example/x");
        assertThat(redactor.redact("https://h.example/f?X-Amz-Signature=abcdef0123&name=metrics.json"))
                .isEqualTo("https://h.example/f?X-Amz-Signature=[REDACTED]&name=metrics.json");
        assertThat(redactor.redact("Authorization: Bearer abc123def456"))
                .isEqualTo("Authorization: [REDACTED]");
    }

    @Test
    public void shouldNotMaskTheMaskAgain() {
        String once = redactor.redact("token=abc123secretvalue");

        assertThat(redactor.redact(once)).isEqualTo(once);
    }

    @Test
    public void shouldReportWhetherTextHoldsASecret() {
        assertThat(redactor.containsSecret("export HF_TOKEN=hf_QwErTyUiOpAsDfGhJkLzXcVbNm012345")).isTrue();
        assertThat(redactor.containsSecret("loss=2.34 step=10")).isFalse();
        assertThat(redactor.containsSecret(null)).isFalse();
    }

    @Test
    public void shouldPassNullAndEmptyTextThrough() {
        assertThat(redactor.redact(null)).isNull();
        assertThat(redactor.redact("")).isEmpty();
    }
}
