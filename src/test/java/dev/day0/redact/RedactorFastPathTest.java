package dev.day0.redact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.SecretCorpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.Test;

/**
 * The redactor's fast path (a rule runs only when one pass over the text says it could match) against the full
 * path (every rule on every text). jqwik is not on this project's JUnit 4 classpath, so the property is checked
 * over generated strings from a fixed seed: a failure names the string and is reproducible.
 */
public class RedactorFastPathTest {
    private static final SecretCorpus CORPUS = SecretCorpus.get();
    private static final Redactor KNOWING = Redactor.withSecrets(Set.of("configured-Secret-4711"));

    /** Pieces that start, end or disguise what the rules look for, mixed with ordinary output. */
    private static final String[] PIECES = {
        "token", "=", ":", "@", "%", "%3D", "%26", "%3F", "%25", "?", "&", ";", "#", "--", "-", "_", "/", "//",
        "://", "https", "git@", " ", "\n", "\t", "\"", "'", "{", "}", "[", "]", "\\u0026", "Bearer ", "bearer ",
        "Basic ", "Authorization", "cookie", "X-Tenant-Token", "api-key", "api_key", "password", "passwd",
        "secret", "credential", "signature", "sig", "key", "pat", "sk", "code", "-----BEGIN ", "PRIVATE KEY",
        "-----END ", "ghp_", "gho_", "github_pat_", "hf_", "sk-", "sk-proj-", "AKIA", "ASIA", "nvapi-", "eyJ",
        "glpat-", "xoxb-", "AIza", "sk_live_", "rk_test_", "whsec_", "npm_", "pypi-", "dckr_pat_", "dop_v1_",
        "lin_api_", "4/0A", "1//0", "ya29.", "hooks.slack.com/services/", "discord.com/api/webhooks/", "bot",
        "123456789", "0", "9", "A", "z", "Q", "abcdefghij", "ABCDEFGHIJ", "0123456789", "+", "ｔｏｋｅｎ", "ﬁ",
        "é", "K", "\u212a", "İ", "mmlu_high_school", "acc_norm", "REGRESSION", "0.4321", "configured-Secret-4711",
        "configured-Secret-4711".replace("-", "%2D"), "[REDACTED]",
    };

    @Test
    public void shouldRedactGeneratedStringsExactlyAsTheFullPathDoes() {
        Random random = new Random(20261202L);
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String text = generated(random);
            for (Redactor redactor : List.of(Redactor.patternsOnly(), KNOWING)) {
                if (!redactor.redact(text).equals(redactor.redactWithoutFastPath(text))) {
                    differing.add(text);
                }
            }
        }

        assertThat(differing).as("texts the fast path redacts differently").isEmpty();
    }

    @Test
    public void shouldRedactEveryCorpusTextExactlyAsTheFullPathDoes() {
        List<String> texts = new ArrayList<>(CORPUS.mustStayUnchanged());
        CORPUS.secretBearing().forEach(entry -> texts.add(entry.text()));

        assertThat(texts).hasSizeGreaterThan(300)
                .allSatisfy(text -> assertThat(Redactor.patternsOnly().redact(text))
                        .as("fast path of %s", text).isEqualTo(Redactor.patternsOnly().redactWithoutFastPath(text)));
    }

    @Test
    public void shouldStillMaskACorpusSecretCutOutOfItsContext() {
        // The secret on its own, with no parameter name or header around it: only its own shape can be caught,
        // and the fast path must not skip the rule that catches it.
        Random random = new Random(7L);
        List<String> differing = new ArrayList<>();
        for (SecretCorpus.Entry entry : CORPUS.secretBearing()) {
            for (String secret : entry.secrets()) {
                String text = PIECES[random.nextInt(PIECES.length)] + secret + PIECES[random.nextInt(PIECES.length)];
                if (!Redactor.patternsOnly().redact(text).equals(Redactor.patternsOnly().redactWithoutFastPath(text))) {
                    differing.add(text);
                }
            }
        }

        assertThat(differing).isEmpty();
    }

    private static String generated(Random random) {
        StringBuilder text = new StringBuilder();
        int pieces = 1 + random.nextInt(12);
        for (int p = 0; p < pieces; p++) {
            if (random.nextInt(4) == 0) {
                // a run of token characters: a random-looking value of 8 to 60 characters
                String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/.";
                int length = 8 + random.nextInt(53);
                for (int i = 0; i < length; i++) {
                    text.append(alphabet.charAt(random.nextInt(random.nextBoolean() ? 62 : alphabet.length())));
                }
            } else {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
        }
        return text.toString();
    }
}
