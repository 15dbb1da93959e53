package dev.day0.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The redaction boundary: every line printed, every JSON event, state file, report and generated script passes
 * through here before it leaves the process.
 *
 * <p>Two kinds of secret are removed. Known values (the tenant token, tokens read from the environment) are
 * replaced wherever they appear, also URL-encoded. Secret-shaped text is found by pattern: URL user-info,
 * signed-URL query values, {@code Authorization} and {@code Cookie} values, bearer tokens, secret-named fields,
 * assignments and command-line flags, PEM private keys, and the token formats of GitHub, Hugging Face, OpenAI-style
 * {@code sk-} keys and AWS access keys. Replacements keep the shape of the text ({@code key=[REDACTED]}) so a
 * reader still sees what was there. The shared test corpus (src/test/resources/dev/day0/redact/secret-corpus.json)
 * is the specification of what must go and what must stay.
 */
public final class Redactor {
    public static final String MASK = "[REDACTED]";

    /** Environment variables whose values are secrets wherever they show up. */
    public static final List<String> SECRET_ENV = List.of(
            "ROCKIELAB_TENANT_TOKEN", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD", "HF_TOKEN",
            "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "OPENAI_API_KEY", "NGC_API_KEY",
            "NVIDIA_API_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "WANDB_API_KEY");

    private static final Redactor PATTERNS_ONLY = new Redactor(Collections.emptySet());

    // Names of query parameters and key=value pairs whose values are secrets. Matched case-insensitively.
    private static final String SECRET_PARAM = "(?:x-amz-[a-z0-9-]+|x-goog-[a-z0-9-]+|sig|se|sp|sv|skoid|sktid|"
            + "token|access_token|id_token|refresh_token|auth_token|api[_-]?key|apikey|key|password|passwd|pwd|"
            + "secret|client_secret|credential|signature|sas)";

    private static final List<Rule> RULES = List.of(
            // PEM private keys, whole block (the body spans lines)
            new Rule(Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?"
                    + "(?:-----END [A-Z ]*PRIVATE KEY-----|$)"), MASK),
            // user:password@, :password@ or token@ in any scheme://
            // (the conventional ssh user "git@" carries no credential and stays, so clone URLs keep working)
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)(?!git@)"
                    + "(?:[^\\s/@:?#\"']+(?::[^\\s/@?#\"']*)?|:[^\\s/@?#\"']+)@"), "$1" + MASK + "@"),
            // signed-URL and form parameters: ?X-Amz-Signature=... &sig=... ;token=..., also after a JSON-escaped
            // ampersand (\\u0026, as Go's encoder writes it)
            new Rule(Pattern.compile("(?i)((?:[?&;]|\\\\u0026)" + SECRET_PARAM + "=)"
                    + "(?:(?!\\\\u0026)[^&\\s\"'#<>\\\\])+"), "$1" + MASK),
            // command-line flags that take a secret: --token X, --password=X, --api-key X
            new Rule(Pattern.compile("(?i)(--(?:[a-z0-9]+-)*(?:token|password|passwd|secret|api-?key|apikey|"
                    + "access-key|secret-key|credentials?)(?:=|\\s+))(?!-)[^\\s\"']+"), "$1" + MASK),
            // URL-encoded query parameters inside another URL's value: %3Fsig%3D...%26
            new Rule(Pattern.compile("(?i)((?:%3F|%26)" + SECRET_PARAM + "%3D)(?:(?!%26)[^&\\s\"'#<>])+"),
                    "$1" + MASK),
            // HTTP headers written as text: "Authorization: Bearer x", "Cookie: a=b", "X-Tenant-Token: x"
            new Rule(Pattern.compile("(?i)\\b((?:proxy-)?authorization|cookie|set-cookie|x-tenant-token|"
                    + "x-api-key|api-key)(\"?\\s*[:=]\\s*\"?)[^\"\\r\\n]+"), "$1$2" + MASK),
            // Bearer and Basic credentials anywhere. A credential has a digit (or, for bearer, is long), which keeps
            // prose such as "basic sanitychecks" intact.
            new Rule(Pattern.compile("(?i)\\b(bearer)\\s+(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}"
                    + "|[A-Za-z0-9._~+/=-]{20,})"), "$1 " + MASK),
            new Rule(Pattern.compile("(?i)\\b(basic)\\s+(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{8,}={0,2}"),
                    "$1 " + MASK),
            // JSON or YAML fields and shell assignments that name a secret: "token": "x", password=x, API_KEY=x
            // The look-behind anchors the key at its start: without it the engine retried the whole prefix from
            // every position of a long word, and an 8 KB line without spaces took seconds.
            new Rule(Pattern.compile("(?i)(?<![a-z0-9_.-])([\"']?[a-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|"
                    + "access[_-]?key|private[_-]?key|credentials?|signature)[\"']?\\s*[:=]\\s*[\"']?)"
                    + "(?![\\[$]|\\s|\\{|null\\b|true\\b|false\\b|-?[0-9]+(?:\\.[0-9]+)?(?:[,}\\]\\s]|$)|$)"
                    + "[^\\s\"',}]+"), "$1" + MASK),
            // Token formats with a recognisable prefix
            new Rule(Pattern.compile("\\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}\\b"), MASK),
            new Rule(Pattern.compile("\\bgithub_pat_[A-Za-z0-9_]{20,}\\b"), MASK),
            new Rule(Pattern.compile("\\bhf_[A-Za-z0-9]{20,}\\b"), MASK),
            new Rule(Pattern.compile("\\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}"), MASK),
            new Rule(Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), MASK),
            new Rule(Pattern.compile("\\bnvapi-[A-Za-z0-9_-]{16,}"), MASK),
            new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"), MASK));

    private static final Pattern SECRET_FIELD_NAME = Pattern.compile("(?i)[a-z0-9_.-]*(?:token|secret|password|"
            + "passwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|signature)");

    private final List<String> knownSecrets;

    private Redactor(Set<String> knownSecrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : knownSecrets) {
            // Short values would mask ordinary words; the patterns still cover secret-shaped short values.
            if (secret == null || secret.length() < 6) {
                continue;
            }
            forms.add(secret);
            forms.add(java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8));
            forms.add(java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        List<String> ordered = new ArrayList<>(forms);
        // Longest first, so a secret that contains another is masked whole.
        ordered.sort((a, b) -> Integer.compare(b.length(), a.length()));
        this.knownSecrets = List.copyOf(ordered);
    }

    /** A redactor that knows only the secret patterns, for text produced before any secret is loaded. */
    public static Redactor patternsOnly() {
        return PATTERNS_ONLY;
    }

    /** A redactor that also masks the given values wherever they appear. */
    public static Redactor withSecrets(Set<String> secrets) {
        return new Redactor(secrets);
    }

    /** A redactor that masks the values of {@link #SECRET_ENV} in this environment. */
    public static Redactor fromEnvironment(Map<String, String> env) {
        Set<String> secrets = new LinkedHashSet<>();
        for (String name : SECRET_ENV) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                secrets.add(value.trim());
            }
        }
        return new Redactor(secrets);
    }

    /** This redactor plus more known values. */
    public Redactor and(Set<String> more) {
        Set<String> all = new LinkedHashSet<>(knownSecrets);
        all.addAll(more);
        return new Redactor(all);
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : knownSecrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        for (Rule rule : RULES) {
            result = rule.apply(result);
        }
        // Text that is URL-encoded as a whole (a signed URL inside a query value) is checked decoded, too.
        if (result.indexOf('%') >= 0) {
            String decoded = decodeQuietly(result);
            if (!decoded.equals(result) && !redactDecoded(decoded).equals(decoded)) {
                result = redactDecoded(decoded);
            }
        }
        return result;
    }

    private String redactDecoded(String decoded) {
        String result = decoded;
        for (String secret : knownSecrets) {
            result = result.replace(secret, MASK);
        }
        for (Rule rule : RULES) {
            result = rule.apply(result);
        }
        return result;
    }

    /**
     * A copy of a JSON document with every string value and field name redacted on its own. Redacting the
     * serialized text instead can cut an escape sequence in half (a secret-shaped value followed by an escaped
     * quote) and leave invalid JSON, so documents are redacted as trees.
     */
    public JsonNode redactJson(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            String redacted = redact(text);
            return redacted.equals(text) ? node : TextNode.valueOf(redacted);
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> copy.set(redact(e.getKey()),
                    secretField(e.getKey(), e.getValue()) ? TextNode.valueOf(MASK) : redactJson(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> copy.add(redactJson(item)));
            return copy;
        }
        return node;
    }

    /**
     * A string value under a secret-named field ({@code "api_key": "x"}): the value alone may look harmless, the
     * pair does not. As in the text rule, the name must end in the keyword, so {@code tokenizer} and
     * {@code max_tokens} pass, and references to the environment ({@code "$HF_TOKEN"}) are not secrets.
     */
    private static boolean secretField(String name, JsonNode value) {
        if (!value.isTextual()) {
            return false;
        }
        String text = value.textValue();
        return !text.isBlank() && !text.startsWith("$") && !text.equals(MASK)
                && SECRET_FIELD_NAME.matcher(name).matches();
    }

    /** True when redaction would change the text: a secret or a secret-shaped value is in it. */
    public boolean containsSecret(String text) {
        return text != null && !redact(text).equals(text);
    }

    private static String decodeQuietly(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private record Rule(Pattern pattern, String replacement) {
        String apply(String text) {
            Matcher matcher = pattern.matcher(text);
            return matcher.find() ? matcher.replaceAll(replacement) : text;
        }
    }

    @Override
    public String toString() {
        return "Redactor[" + knownSecrets.size() + " known values]";
    }
}
