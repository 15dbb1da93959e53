package dev.day0.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
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

    /** A class, not a lambda: it sorts while the class initializes, on every call's path (see {@link Guard}). */
    private static final Comparator<String> LONGEST_FIRST = new Comparator<>() {
        @Override
        public int compare(String a, String b) {
            return Integer.compare(b.length(), a.length());
        }
    };

    // After LONGEST_FIRST, which its constructor uses.
    private static final Redactor PATTERNS_ONLY = new Redactor(Collections.emptySet());

    // Names of query parameters and key=value pairs whose values are secrets. Matched case-insensitively.
    // A trailing "[]" (PHP-style arrays, also percent-encoded) does not make a name harmless.
    private static final String SECRET_PARAM = "(?:x-amz-[a-z0-9-]+|x-goog-[a-z0-9-]+|sig|se|sp|sv|skoid|sktid|"
            + "token|access_token|id_token|refresh_token|auth_token|api[_-]?key|apikey|key|password|passwd|pwd|"
            + "secret|client_secret|credential|signature|sas|auth|pat|sk|code|rlkey|resourcekey|jsessionid|"
            + "phpsessid|sessionid|session_token|private_token)(?:\\[\\]|%5B%5D)?";

    // What the header rule and the secret-named field rule each need, one of, before they can match.
    private static final String[] HEADER_NAMES = {"authorization", "cookie", "x-tenant-token", "api-key"};
    private static final String[] FIELD_WORDS = {"token", "secret", "passw", "key", "credential", "signature"};

    /** The shortest configured secret that can be masked without masking ordinary words along with it. */
    public static final int MIN_SECRET_LENGTH = 8;

    private static final List<Rule> RULES = List.of(
            // PEM private keys, whole block (the body spans lines)
            new Rule(regex("-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                    + "(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)"), MASK,
                    Guard.literal("-----BEGIN ")),
            // a line of key material on its own (the body of a PEM block printed line by line, where no line
            // carries the BEGIN marker): base64 of 40 or more characters in mixed case with digits
            new Rule(regex("(?m)^\\s*(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])"
                    + "[A-Za-z0-9+/]{40,}={0,2}\\s*$"), MASK,
                    Guard.base64Run(40)),
            // user:password@, :password@ or token@ in any scheme://
            // (the conventional ssh user "git@" carries no credential and stays, so clone URLs keep working)
            new Rule(regex("(?i)\\b([a-z][a-z0-9+.-]*://)(?!git@)"
                    + "(?:[^\\s/@:?#\"']+(?::[^\\s/@?#\"']*)?|:[^\\s/@?#\"']+)@"), "$1" + MASK + "@",
                    Guard.literal("://").and(Guard.AT)),
            // a password with an unencoded slash in it (user:pa/ss@host.tld): not valid URL syntax, but pasted
            new Rule(regex("(?i)\\b([a-z][a-z0-9+.-]*://)(?!git@)[^\\s/@:?#\"']+:(?:[^\\s@?#\"'/]*+/)++"
                    + "[^\\s@?#\"'/]*+@(?=[a-z0-9-]+\\.[a-z0-9.-]+)"), "$1" + MASK + "@",
                    Guard.literal("://").and(Guard.AT)),
            // webhook addresses whose path is the credential
            new Rule(regex("(?i)(hooks\\.slack\\.com/(?:services|workflows|triggers)/)[^\\s\"'<>]+"),
                    "$1" + MASK,
                    Guard.literalIgnoringCase("hooks.slack.com/")),
            new Rule(regex("(?i)((?:canary\\.|ptb\\.)?discord(?:app)?\\.com/api/(?:v[0-9]+/)?webhooks/)"
                    + "[^\\s\"'<>?#]+"), "$1" + MASK,
                    Guard.literalIgnoringCase("discord")),
            // Telegram bot tokens (bot<id>:<secret>), also outside api.telegram.org/bot... paths
            new Rule(regex("(?<![0-9])[0-9]{6,12}:[A-Za-z0-9_-]{30,}"), MASK,
                    Guard.wordRun(30).and(Guard.COLON)),
            // signed-URL and form parameters: ?X-Amz-Signature=... &sig=... ;token=..., also after a JSON-escaped
            // ampersand (\\u0026, as Go's encoder writes it)
            new Rule(regex("(?i)((?:[?&;#]|\\\\u0026)" + SECRET_PARAM + "=)"
                    + "(?:(?!\\\\u0026)[^&\\s\"'#<>\\\\])+"), "$1" + MASK,
                    Guard.marks(Guard.EQUALS)),
            // command-line flags that take a secret: --token X, --password=X, --api-key X
            new Rule(regex("(?i)(--(?:[a-z0-9]+-)*(?:token|password|passwd|secret|api-?key|apikey|"
                    + "access-key|secret-key|credentials?)(?:=|\\s+))(?!-)[^\\s\"']+"), "$1" + MASK,
                    Guard.marks(Guard.DOUBLE_DASH)),
            // URL-encoded query parameters inside another URL's value: %3Fsig%3D...%26
            new Rule(regex("(?i)((?:%3F|%26)" + SECRET_PARAM + "%3D)(?:(?!%26)[^&\\s\"'#<>])+"),
                    "$1" + MASK,
                    Guard.literalIgnoringCase("%3d").and(Guard.PERCENT)),
            // HTTP headers written as text: "Authorization: Bearer x", "Cookie: a=b", "X-Tenant-Token: x"
            new Rule(regex("(?i)\\b((?:proxy-)?authorization|cookie|set-cookie|x-tenant-token|"
                    + "x-api-key|api-key)(\"?\\s*[:=]\\s*\"?)[^\"\\r\\n]+"), "$1$2" + MASK,
                    Guard.literalIgnoringCase(HEADER_NAMES).andOneOf(Guard.COLON | Guard.EQUALS)),
            // Bearer and Basic credentials anywhere. A credential has a digit (or, for bearer, is long), which keeps
            // prose such as "basic sanitychecks" intact.
            new Rule(regex("(?i)\\b(bearer)\\s+(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}"
                    + "|[A-Za-z0-9._~+/=-]{20,})"), "$1 " + MASK,
                    Guard.literalIgnoringCase("bearer")),
            new Rule(regex("(?i)\\b(basic)\\s+(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{8,}={0,2}"),
                    "$1 " + MASK,
                    Guard.literalIgnoringCase("basic")),
            // JSON or YAML fields and shell assignments that name a secret: "token": "x", password=x, API_KEY=x
            // The look-behind anchors the key at its start: without it the engine retried the whole prefix from
            // every position of a long word, and an 8 KB line without spaces took seconds.
            new Rule(regex("(?i)(?<![a-z0-9_.-])([\"']?[a-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|"
                    + "access[_-]?key|private[_-]?key|credentials?|signature)(?:\\[\\])?[\"']?\\s*[:=]\\s*[\"']?)"
                    + "(?![\\[$]|\\s|\\{|null\\b|true\\b|false\\b|-?[0-9]+(?:\\.[0-9]+)?(?:[,}\\]\\s]|$)|$)"
                    + "[^\\s\"',}]+"), "$1" + MASK,
                    Guard.literalIgnoringCase(FIELD_WORDS).andOneOf(Guard.COLON | Guard.EQUALS)),
            // Token formats with a recognisable prefix
            new Rule(regex("\\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}\\b"), MASK,
                    Guard.literal("ghp_", "gho_", "ghs_", "ghu_", "ghr_")),
            new Rule(regex("\\bgithub_pat_[A-Za-z0-9_]{20,}\\b"), MASK,
                    Guard.literal("github_pat_")),
            new Rule(regex("\\bhf_[A-Za-z0-9]{20,}\\b"), MASK,
                    Guard.literal("hf_")),
            new Rule(regex("\\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("sk-")),
            new Rule(regex("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), MASK,
                    Guard.literal("AKIA", "ASIA")),
            new Rule(regex("\\bnvapi-[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("nvapi-")),
            // JWTs, signed (three parts) or not (two parts, "alg": "none")
            new Rule(regex("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}(?:\\.[A-Za-z0-9_-]*)?"), MASK,
                    Guard.literal("eyJ")),
            new Rule(regex("\\bgl(?:pat|dt|rt|ptt|ft)-[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("glpat-", "gldt-", "glrt-", "glptt-", "glft-")),
            new Rule(regex("\\bxox[abposre]-[A-Za-z0-9-]{10,}"), MASK,
                    Guard.literal("xox")),
            new Rule(regex("\\bAIza[0-9A-Za-z_-]{30,}"), MASK,
                    Guard.literal("AIza")),
            new Rule(regex("\\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}"), MASK,
                    Guard.literal("_live_", "_test_")),
            new Rule(regex("\\bwhsec_[0-9A-Za-z+/=]{16,}"), MASK,
                    Guard.literal("whsec_")),
            new Rule(regex("\\bnpm_[A-Za-z0-9]{20,}"), MASK,
                    Guard.literal("npm_")),
            new Rule(regex("\\bpypi-[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("pypi-")),
            new Rule(regex("\\bdckr_pat_[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("dckr_pat_")),
            new Rule(regex("\\bdo[opr]_v1_[A-Za-z0-9]{16,}"), MASK,
                    Guard.literal("_v1_")),
            new Rule(regex("\\blin_(?:api|oauth)_[A-Za-z0-9]{16,}"), MASK,
                    Guard.literal("lin_api_", "lin_oauth_")),
            // Google OAuth authorization codes (4/0A...), refresh tokens (1//0...) and access tokens (ya29.)
            new Rule(regex("(?<![A-Za-z0-9/])4/0A[A-Za-z0-9_-]{10,}"), MASK,
                    Guard.literal("4/0A")),
            new Rule(regex("(?<![A-Za-z0-9/])1//0[A-Za-z0-9_-]{16,}"), MASK,
                    Guard.literal("1//0")),
            new Rule(regex("\\bya29\\.[A-Za-z0-9_-]{10,}"), MASK,
                    Guard.literal("ya29.")));

    private static final Pattern SECRET_FIELD_NAME = Pattern.compile("(?i)[a-z0-9_.-]*(?:token|secret|password|"
            + "passwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|signature)");

    private final List<String> knownSecrets;

    private Redactor(Set<String> knownSecrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : knownSecrets) {
            // Short values would mask ordinary words; the patterns still cover secret-shaped short values.
            // Configured secrets never get here short: withConfiguredSecrets refuses them.
            if (secret == null || secret.length() < 6) {
                continue;
            }
            forms.add(secret);
            String encoded = java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8);
            forms.add(encoded);
            forms.add(encoded.replace("+", "%20"));
            forms.add(java.net.URLEncoder.encode(encoded, StandardCharsets.UTF_8));
        }
        List<String> ordered = new ArrayList<>(forms);
        // Longest first, so a secret that contains another is masked whole.
        ordered.sort(LONGEST_FIRST);
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

    /**
     * A redactor that masks the values of {@link #SECRET_ENV} in this environment.
     *
     * @throws UnmaskableSecretException when one of them is shorter than {@link #MIN_SECRET_LENGTH}
     */
    public static Redactor fromEnvironment(Map<String, String> env) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String name : SECRET_ENV) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                secrets.put(name, value);
            }
        }
        return PATTERNS_ONLY.andConfigured(secrets);
    }

    /** This redactor plus more known values found in the input (a password in a URL, say). */
    public Redactor and(Set<String> more) {
        Set<String> all = new LinkedHashSet<>(knownSecrets);
        all.addAll(more);
        return new Redactor(all);
    }

    /**
     * This redactor plus secrets a person configured, by name (environment variables, {@code --env} values, the
     * tenant token). A value that short would be masked inside ordinary words and missed nowhere else, so it is
     * refused rather than half hidden.
     *
     * @throws UnmaskableSecretException naming the variable (never the value) when a value is shorter than
     *     {@link #MIN_SECRET_LENGTH} characters
     */
    public Redactor andConfigured(Map<String, String> namedSecrets) {
        Set<String> values = new LinkedHashSet<>();
        for (Map.Entry<String, String> entry : namedSecrets.entrySet()) {
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (value.isEmpty()) {
                continue;
            }
            if (value.length() < MIN_SECRET_LENGTH) {
                throw new UnmaskableSecretException(entry.getKey());
            }
            values.add(value);
            if (!value.equals(entry.getValue())) {
                values.add(entry.getValue());
            }
        }
        return and(values);
    }

    public String redact(String text) {
        return redact(text, true);
    }

    /** {@link #redact} with every rule run on every text, for the property test that checks the fast path. */
    String redactWithoutFastPath(String text) {
        return redact(text, false);
    }

    private String redact(String text, boolean fastPath) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = redactAsWritten(text, fastPath);
        // Look-alike letters (full-width "ｔｏｋｅｎ=", ligatures) hide a secret-named key from the rules; the
        // NFKC form shows it. The text is kept as written unless that form has something to mask. ASCII text is
        // its own NFKC form.
        if (!(fastPath && ascii(result)) && !Normalizer.isNormalized(result, Normalizer.Form.NFKC)) {
            String folded = Normalizer.normalize(result, Normalizer.Form.NFKC);
            String redactedFolded = redactAsWritten(folded, fastPath);
            if (!redactedFolded.equals(folded)) {
                result = redactedFolded;
            }
        }
        return result;
    }

    private String redactAsWritten(String text, boolean fastPath) {
        String result = text;
        for (String secret : knownSecrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        result = applyRules(result, fastPath);
        // Text that is URL-encoded as a whole (a signed URL inside a query value) is checked decoded, too, and
        // decoded again for a value encoded twice.
        String current = result;
        for (int depth = 0; depth < 3 && current.indexOf('%') >= 0; depth++) {
            String decoded = decodeQuietly(current);
            if (decoded.equals(current)) {
                break;
            }
            String redacted = redactDecoded(decoded, fastPath);
            if (!redacted.equals(decoded)) {
                result = redacted;
            }
            current = redacted;
        }
        return result;
    }

    /**
     * The rules in order. On the fast path a rule runs only when its guard, a necessary condition computed from one
     * pass over the text (see {@link Scan}), says it could match: most output (task names, figures, verdicts,
     * progress lines) has no character sequence any rule starts with and skips every regular expression. The guard
     * is re-evaluated after a rule changed the text. The full path runs every rule; the property test compares them.
     */
    private static String applyRules(String text, boolean fastPath) {
        String result = text;
        Scan scan = fastPath ? new Scan(result) : null;
        for (Rule rule : RULES) {
            if (scan != null && !rule.guard().admits(scan)) {
                continue;
            }
            String applied = rule.apply(result);
            if (scan != null && !applied.equals(result)) {
                scan = new Scan(applied);
            }
            result = applied;
        }
        return result;
    }

    private String redactDecoded(String decoded, boolean fastPath) {
        String result = decoded;
        for (String secret : knownSecrets) {
            result = result.replace(secret, MASK);
        }
        return applyRules(result, fastPath);
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

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * What one pass over a text finds that some rule needs: the separators ({@code = : @ % --}) and the longest
     * runs of token and base64 characters. Literal prefixes are looked up on demand. Case-insensitive look-ups
     * fold more than the rules' ASCII-only {@code (?i)} does, so a guard may let a rule run that then finds
     * nothing, never the other way round.
     */
    static final class Scan {
        final String text;
        /** Which of {@code = : @ % --} the text holds, as {@link Guard} bits. */
        final int marks;
        /** The longest run of {@code [A-Za-z0-9_-]}. */
        final int wordRun;
        /** The longest run of {@code [A-Za-z0-9+/]}. */
        final int base64Run;

        Scan(String text) {
            this.text = text;
            int found = 0;
            int word = 0;
            int longestWord = 0;
            int b64 = 0;
            int longestB64 = 0;
            char previous = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
                word = alnum || c == '_' || c == '-' ? word + 1 : 0;
                b64 = alnum || c == '+' || c == '/' ? b64 + 1 : 0;
                longestWord = Math.max(longestWord, word);
                longestB64 = Math.max(longestB64, b64);
                switch (c) {
                    case '=' -> found |= Guard.EQUALS;
                    case ':' -> found |= Guard.COLON;
                    case '@' -> found |= Guard.AT;
                    case '%' -> found |= Guard.PERCENT;
                    case '-' -> found |= previous == '-' ? Guard.DOUBLE_DASH : 0;
                    default -> {
                    }
                }
                previous = c;
            }
            this.marks = found;
            this.wordRun = longestWord;
            this.base64Run = longestB64;
        }

        boolean containsAny(String... literals) {
            for (String literal : literals) {
                if (text.contains(literal)) {
                    return true;
                }
            }
            return false;
        }

        boolean containsIgnoringCase(String lowerLiteral) {
            int last = text.length() - lowerLiteral.length();
            char first = lowerLiteral.charAt(0);
            char firstUpper = Character.toUpperCase(first);
            for (int i = 0; i <= last; i++) {
                char c = text.charAt(i);
                if ((c == first || c == firstUpper || c >= 0x80)
                        && text.regionMatches(true, i, lowerLiteral, 0, lowerLiteral.length())) {
                    return true;
                }
            }
            return false;
        }

        boolean containsAnyIgnoringCase(String... lowerLiterals) {
            for (String literal : lowerLiterals) {
                if (containsIgnoringCase(literal)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Marks a rule's regular expression in the table above; it is compiled by {@link Rule} when first needed. */
    private static String regex(String expression) {
        return expression;
    }

    /**
     * One pattern rule. Its expression is compiled the first time its guard lets a text through, not when the class
     * loads: most commands print only text no guard lets through, and compiling all the expressions was most of
     * the redactor's share of a gate call's start-up. RedactorTest compiles every one, so a broken expression
     * still fails the build, not a user's run.
     */
    private static final class Rule {
        private final String expression;
        private final String replacement;
        private final Guard guard;
        // Written at most a few times by racing threads, each with an equal Pattern (immutable, thread-safe).
        private volatile Pattern pattern;

        Rule(String expression, String replacement, Guard guard) {
            this.expression = expression;
            this.replacement = replacement;
            this.guard = guard;
        }

        Guard guard() {
            return guard;
        }

        Pattern pattern() {
            Pattern compiled = pattern;
            if (compiled == null) {
                compiled = Pattern.compile(expression);
                pattern = compiled;
            }
            return compiled;
        }

        String apply(String text) {
            Matcher matcher = pattern().matcher(text);
            return matcher.find() ? matcher.replaceAll(replacement) : text;
        }
    }

    /** Compiles every rule's expression: for the test that a broken one fails the build. */
    static int compileAllRules() {
        RULES.forEach(Rule::pattern);
        return RULES.size();
    }

    @Override
    public String toString() {
        return "Redactor[" + knownSecrets.size() + " known values]";
    }
}
