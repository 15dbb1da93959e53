package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.Test;

public class SecretScanTest {
    private static final String GHP = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

    @Test
    public void shouldNameUserInfoAndKeepItsValueForMasking() {
        SecretScan.Result result = SecretScan.scan("https://alice:hunter22@example.org/p.pdf", Map.of());

        assertThat(result.redactions()).containsExactly(new Redaction("url_user_info", null, false));
        assertThat(result.values()).contains("alice:hunter22", "hunter22");
    }

    @Test
    public void shouldNameSignedUrlParametersByName() {
        SecretScan.Result result = SecretScan.scan("https://b.s3.amazonaws.com/p.pdf?X-Amz-Date=20240101T000000Z"
                + "&X-Amz-Signature=0123456789abcdef&sig=abcDEF", Map.of());

        assertThat(result.redactions()).extracting(Redaction::describe).contains(
                "signed_url_parameter X-Amz-Date", "signed_url_parameter X-Amz-Signature", "signed_url_parameter sig");
        assertThat(result.values()).contains("0123456789abcdef", "abcDEF");
    }

    @Test
    public void shouldNameTokenFormatsByTheirIssuer() {
        String text = "x " + GHP + " hf_abcdefghijklmnopqrstuvwxyz012345 sk-proj-abcdefghijklmnopqrstuv "
                + "AKIAIOSFODNN7EXAMPLE";

        assertThat(SecretScan.scan(text, Map.of()).redactions()).extracting(Redaction::kind)
                .containsExactly("github_token", "huggingface_token", "sk_api_key", "aws_access_key_id");
    }

    @Test
    public void shouldFindSecretsThatAreOnlyVisibleUrlDecodedAndMarkThemEncoded() {
        String nested = "https://example.org/go?u=https%253A%252F%252Fb.example%252Fp.pdf%253Ftoken%253Dsupersecret1";

        SecretScan.Result result = SecretScan.scan(nested, Map.of());

        assertThat(result.redactions()).containsExactly(new Redaction("credential_parameter", "token", true));
        assertThat(result.values()).contains("supersecret1");
    }

    @Test
    public void shouldReportAKnownEnvironmentSecretByItsVariableName() {
        SecretScan.Result result = SecretScan.scan("https://example.org/p.pdf/plainvalue123",
                Map.of("HF_TOKEN", "plainvalue123"));

        assertThat(result.redactions()).containsExactly(new Redaction("known_secret", "HF_TOKEN", false));
    }

    @Test
    public void shouldNotReportAShortValueTheRedactorWouldNotMask() {
        SecretScan.Result result = SecretScan.scan("https://example.org/p.pdf?expires=12", Map.of());

        assertThat(result.redactions()).isEmpty();
    }

    @Test
    public void shouldFindNothingInAnOrdinaryReference() {
        assertThat(SecretScan.scan("https://openreview.net/forum?id=abcXYZ", Map.of()).redactions()).isEmpty();
        assertThat(SecretScan.scan("", Map.of()).redactions()).isEmpty();
    }

    @Test
    public void shouldDecodeAtMostThreeLayers() {
        assertThat(SecretScan.decodedLayers("a%25252541")).containsExactly("a%25252541", "a%252541", "a%2541",
                "a%41");
        assertThat(SecretScan.decodedLayers("plain")).containsExactly("plain");
        assertThat(SecretScan.decodedLayers("bad%zz")).containsExactly("bad%zz");
    }
}
