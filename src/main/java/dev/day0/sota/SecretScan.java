package dev.day0.sota;

import dev.day0.redact.Redactor;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the secrets in a source reference so that a person can be told what was removed (the kind, never the
 * value), and so that their exact values can be handed to the {@link Redactor} as known secrets. The Redactor
 * does the removing; this class only names what it removes and makes sure a value found here is masked wherever
 * else it shows up (a git ref, a path, an error message), also URL-encoded.
 */
public final class SecretScan {
    /** Query parameters of signed URLs: AWS SigV2/SigV4, Google V4, Azure SAS, CloudFront. */
    private static final Set<String> SIGNED_PARAMETERS = Set.of("sig", "se", "sp", "sv", "st", "spr", "skoid",
            "sktid", "skt", "ske", "sks", "skv", "signature", "awsaccesskeyid", "expires", "policy", "key-pair-id",
            "sas");
    /** Query parameters and fragments that carry a credential. */
    private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("token", "access_token", "id_token",
            "refresh_token", "auth_token", "api_key", "api-key", "apikey", "key", "password", "passwd", "pwd",
            "secret", "client_secret", "credential", "credentials", "auth", "authorization", "session",
            "session_token", "private_token", "hf_token", "github_token", "t", "k", "s", "sk", "pat", "code",
            "state", "rlkey", "resourcekey", "jsessionid", "phpsessid", "sessionid", "sid", "access_key",
            "accesskey", "sig");

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://([^\\s/@?#\"']+)@");
    private static final Pattern PARAMETER = Pattern.compile("[?&;#]([^=&;#?\\s\"']+)=([^&;#?\\s\"'<>]*)");

    private record TokenShape(String kind, Pattern pattern) {
    }

    private static final List<TokenShape> TOKEN_SHAPES = List.of(
            new TokenShape("github_token", Pattern.compile("\\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}\\b")),
            new TokenShape("github_token", Pattern.compile("\\bgithub_pat_[A-Za-z0-9_]{20,}\\b")),
            new TokenShape("huggingface_token", Pattern.compile("\\bhf_[A-Za-z0-9]{20,}\\b")),
            new TokenShape("sk_api_key", Pattern.compile("\\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}")),
            new TokenShape("aws_access_key_id", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b")),
            new TokenShape("nvidia_api_key", Pattern.compile("\\bnvapi-[A-Za-z0-9_-]{16,}")),
            new TokenShape("jwt", Pattern.compile(
                    "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}")),
            new TokenShape("bearer_token", Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9._~+/=-]{8,})")),
            new TokenShape("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}")),
            new TokenShape("slack_token", Pattern.compile("\\bxox[abposre]-[A-Za-z0-9-]{10,}")),
            new TokenShape("google_api_key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}")),
            new TokenShape("stripe_key", Pattern.compile("\\b(?:(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}"
                    + "|whsec_[0-9A-Za-z+/=]{16,})")),
            new TokenShape("npm_token", Pattern.compile("\\bnpm_[A-Za-z0-9]{20,}")),
            new TokenShape("pypi_token", Pattern.compile("\\bpypi-[A-Za-z0-9_-]{16,}")),
            new TokenShape("docker_token", Pattern.compile("\\bdckr_pat_[A-Za-z0-9_-]{16,}")),
            new TokenShape("digitalocean_token", Pattern.compile("\\bdo[opr]_v1_[A-Za-z0-9]{16,}")),
            new TokenShape("linear_key", Pattern.compile("\\blin_(?:api|oauth)_[A-Za-z0-9]{16,}")),
            new TokenShape("gitlab_token", Pattern.compile("\\bgl(?:pat|dt|rt|ptt|ft)-[A-Za-z0-9_-]{16,}")),
            new TokenShape("oauth_code", Pattern.compile("(?<![A-Za-z0-9/])4/0A[A-Za-z0-9_-]{10,}")),
            new TokenShape("webhook", Pattern.compile("(?i)(?:hooks\\.slack\\.com/(?:services|workflows|triggers)"
                    + "|discord(?:app)?\\.com/api/(?:v[0-9]+/)?webhooks|api\\.telegram\\.org/(?:file/)?bot)"
                    + "/?([^\\s?#\"']{8,})")));

    private SecretScan() {
    }

    /**
     * What was found.
     *
     * @param redactions the kinds of secret found, in order of first appearance, without duplicates
     * @param values the secret values themselves (raw and decoded forms), to be masked as known secrets
     */
    public record Result(List<Redaction> redactions, Set<String> values) {
        public Result {
            redactions = List.copyOf(redactions);
            values = Set.copyOf(values);
        }
    }

    /**
     * Scans {@code text} as written and URL-decoded (up to three times, for a signed URL nested in another URL's
     * query), and for the values of the secret environment variables of {@code env}.
     */
    public static Result scan(String text, Map<String, String> env) {
        Map<String, Redaction> found = new LinkedHashMap<>();
        Set<String> values = new LinkedHashSet<>();
        if (text == null || text.isEmpty()) {
            return new Result(List.of(), values);
        }
        List<String> layers = decodedLayers(text);
        for (int layer = 0; layer < layers.size(); layer++) {
            String variant = layers.get(layer);
            boolean encoded = layer > 0;
            scanUserInfo(variant, encoded, found, values);
            scanParameters(variant, encoded, found, values);
            scanTokens(variant, encoded, found, values);
            for (String name : Redactor.SECRET_ENV) {
                String secret = env.get(name);
                if (secret != null && secret.trim().length() >= 6 && variant.contains(secret.trim())) {
                    record(found, new Redaction("known_secret", name, encoded));
                    values.add(secret.trim());
                }
            }
        }
        return new Result(new ArrayList<>(found.values()), values);
    }

    private static void scanUserInfo(String text, boolean encoded, Map<String, Redaction> found,
                                     Set<String> values) {
        Matcher matcher = USER_INFO.matcher(text);
        while (matcher.find()) {
            String userInfo = matcher.group(1);
            record(found, new Redaction("url_user_info", null, encoded));
            addValue(values, userInfo);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                addValue(values, userInfo.substring(colon + 1));
            }
        }
    }

    private static void scanParameters(String text, boolean encoded, Map<String, Redaction> found,
                                       Set<String> values) {
        Matcher matcher = PARAMETER.matcher(text);
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = matcher.group(2);
            String lower = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFKC)
                    .toLowerCase(Locale.ROOT).replace("[]", "");
            String kind = null;
            if (lower.startsWith("x-amz-") || lower.startsWith("x-goog-") || SIGNED_PARAMETERS.contains(lower)) {
                kind = "signed_url_parameter";
            } else if (CREDENTIAL_PARAMETERS.contains(lower) || lower.endsWith("_token")
                    || lower.endsWith("password") || lower.endsWith("secret") || lower.endsWith("api_key")) {
                kind = "credential_parameter";
            }
            if (kind == null || value.isEmpty()) {
                continue;
            }
            // A short value is masked only where the Redactor's own patterns know the parameter; anything else
            // is masked as a known value, which the Redactor does from six characters on. Report only what is
            // really removed.
            boolean patternMasks = Redactor.patternsOnly().containsSecret("?" + name + "=" + value);
            if (patternMasks || value.length() >= 6) {
                record(found, new Redaction(kind, name, encoded));
                addValue(values, value);
            }
        }
    }

    private static void scanTokens(String text, boolean encoded, Map<String, Redaction> found,
                                   Set<String> values) {
        for (TokenShape shape : TOKEN_SHAPES) {
            Matcher matcher = shape.pattern().matcher(text);
            while (matcher.find()) {
                record(found, new Redaction(shape.kind(), null, encoded));
                addValue(values, matcher.groupCount() > 0 && matcher.group(1) != null ? matcher.group(1)
                        : matcher.group());
            }
        }
    }

    /** The value and its decoded form: a value may be written %-encoded in one place and plain in another. */
    private static void addValue(Set<String> values, String value) {
        values.add(value);
        for (String layer : decodedLayers(value)) {
            values.add(layer);
        }
    }

    private static void record(Map<String, Redaction> found, Redaction redaction) {
        String key = redaction.kind() + "\u0000" + (redaction.name() == null ? "" : redaction.name()
                .toLowerCase(Locale.ROOT));
        Redaction earlier = found.get(key);
        if (earlier == null || (earlier.encoded() && !redaction.encoded())) {
            found.put(key, redaction);
        }
    }

    /** The text, then each distinct URL-decoding of it, at most three levels deep. */
    static List<String> decodedLayers(String text) {
        List<String> layers = new ArrayList<>();
        layers.add(text);
        String current = text;
        for (int i = 0; i < 3 && current.indexOf('%') >= 0; i++) {
            String decoded;
            try {
                decoded = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
            if (decoded.equals(current)) {
                break;
            }
            layers.add(decoded);
            current = decoded;
        }
        return layers;
    }
}
