package dev.day0.sota;

import dev.day0.redact.Redactor;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The pieces of the source-reference allowlist: decoding, normalising, and deciding which parts of an address are
 * safe to show. A part is shown only when it is known to identify a source; anything that may carry a credential
 * is masked or dropped, because a denylist of secret names always misses the next name.
 */
final class SourceRefParts {
    /** How often a reference is percent-decoded: enough for a URL nested twice in another URL's query. */
    static final int MAX_DECODINGS = 4;

    /** Path segments after which the next segment is a credential ({@code /token/<tok>/report.pdf}). */
    private static final Set<String> SECRET_SEGMENTS = Set.of("token", "tokens", "key", "keys", "apikey",
            "api_key", "api-key", "auth", "secret", "secrets", "sig", "signature", "password", "passwd",
            "access_token", "access-token", "credential", "credentials", "session", "webhook", "webhooks");
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{7,40}");
    private static final Pattern PAGE_ANCHOR = Pattern.compile("page=[0-9]{1,6}");
    private static final Pattern SAFE_PARAMETER_VALUE = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Pattern TELEGRAM_BOT = Pattern.compile("(?i)bot[0-9]+:.*");

    private SourceRefParts() {
    }

    /** True for a character no address contains: controls (C0, DEL, C1) and invisible formatting (bidi, ZWSP). */
    static boolean hasControlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            int type = Character.getType(text.charAt(i));
            if (type == Character.CONTROL || type == Character.FORMAT) {
                return true;
            }
        }
        return false;
    }

    /** The text percent-decoded until it stops changing, at most {@link #MAX_DECODINGS} times. */
    static String decodeFully(String text) {
        String current = text;
        for (int i = 0; i < MAX_DECODINGS && current.indexOf('%') >= 0; i++) {
            String decoded = decodeOnce(current);
            if (decoded.equals(current)) {
                break;
            }
            current = decoded;
        }
        return current;
    }

    static String decodeOnce(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    static String nfkc(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC);
    }

    /** A query-parameter name as a server reads it: decoded, look-alike letters folded, {@code []} dropped. */
    static String parameterName(String raw) {
        String name = nfkc(decodeFully(raw)).toLowerCase(Locale.ROOT);
        return name.endsWith("[]") ? name.substring(0, name.length() - 2) : name;
    }

    /** True for a kept parameter value: a plain identifier that no secret rule flags. */
    static boolean safeParameterValue(String value) {
        return SAFE_PARAMETER_VALUE.matcher(value).matches() && !Redactor.patternsOnly().containsSecret(value);
    }

    static boolean pageAnchor(String fragment) {
        return PAGE_ANCHOR.matcher(nfkc(decodeFully(fragment)).toLowerCase(Locale.ROOT)).matches();
    }

    /** A short or full commit id: identifying on a git host, never masked there. */
    static boolean commitId(String segment) {
        return HEX_ID.matcher(segment).matches();
    }

    /**
     * True when a segment looks like a random credential rather than a name: a run of letters and digits of 16
     * or more with at least two of each, a run of 24 or more in mixed case with a third or more upper case
     * (base64 without digits; CamelCase names have far fewer capitals), or any run of 40 or more that is not all
     * lower-case letters. Model names ({@code Llama-3.1-8B}), arXiv ids, DOIs and slugs break into short runs.
     */
    static boolean looksRandom(String segment) {
        int runStart = 0;
        for (int i = 0; i <= segment.length(); i++) {
            if (i == segment.length() || !Character.isLetterOrDigit(segment.charAt(i))) {
                if (randomRun(segment, runStart, i)) {
                    return true;
                }
                runStart = i + 1;
            }
        }
        return false;
    }

    private static boolean randomRun(String text, int start, int end) {
        int length = end - start;
        if (length < 16) {
            return false;
        }
        int digits = 0;
        int upper = 0;
        int lower = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isDigit(c)) {
                digits++;
            } else if (Character.isUpperCase(c)) {
                upper++;
            } else {
                lower++;
            }
        }
        int letters = upper + lower;
        if (digits >= 2 && letters >= 2) {
            return true;
        }
        if (length >= 24 && lower >= 3 && upper * 3 >= letters) {
            return true;
        }
        return length >= 40 && !(digits == 0 && upper == 0);
    }

    /** True when a secret rule of the redactor flags the segment (a vendor token format, {@code key=value}). */
    static boolean secretShaped(String segment) {
        return Redactor.patternsOnly().containsSecret(segment);
    }

    /**
     * Masks the path segments that may be credentials; {@code isProtected} tells which ones identify the source
     * (repository owner and name, a commit id, an arXiv id, a DOI) and stay. A protected segment is masked only
     * when it has a vendor token format.
     */
    static String[] mask(String host, List<String> segments, java.util.function.IntPredicate isProtected) {
        String[] shown = new String[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            boolean keep = isProtected.test(i);
            boolean afterSecretName = i > 0 && !isProtected.test(i - 1)
                    && SECRET_SEGMENTS.contains(segments.get(i - 1).toLowerCase(Locale.ROOT));
            if (host != null && host.equals("api.telegram.org") && TELEGRAM_BOT.matcher(segment).matches()) {
                shown[i] = "bot" + Redactor.MASK;
            } else if (secretShaped(segment)) {
                shown[i] = Redactor.MASK;
            } else if (keep) {
                shown[i] = segment;
            } else if (afterSecretName || webhookSecret(host, segments, i) || looksRandom(segment)) {
                shown[i] = Redactor.MASK;
            } else {
                shown[i] = segment;
            }
        }
        return shown;
    }

    /**
     * Webhook addresses whose path is the credential: Slack ({@code hooks.slack.com/services/T../B../<secret>},
     * also workflows and triggers), Discord ({@code /api/webhooks/<id>/<token>}); everything after the marker goes.
     */
    private static boolean webhookSecret(String host, List<String> segments, int index) {
        if (host == null) {
            return false;
        }
        if (host.equals("hooks.slack.com")) {
            return index >= 1 && Set.of("services", "workflows", "triggers").contains(segments.get(0));
        }
        if (host.equals("discord.com") || host.equals("discordapp.com") || host.endsWith(".discord.com")) {
            int marker = segments.indexOf("webhooks");
            return marker >= 0 && index > marker;
        }
        return false;
    }

    /** A host label (left of the registrable name) that looks random: {@code <token>.ngrok.io}. */
    static String maskHost(String host) {
        String[] labels = host.split("\\.", -1);
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            if (i > 0) {
                shown.append('.');
            }
            shown.append(looksRandom(labels[i]) || secretShaped(labels[i]) ? Redactor.MASK : labels[i]);
        }
        return shown.toString();
    }

    /** A segment as written in a display address: decoded, with the characters that would change its meaning escaped. */
    static String encodeSegment(String segment) {
        if (segment.equals(Redactor.MASK) || segment.endsWith(Redactor.MASK)) {
            return segment;
        }
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** {@code text} without {@code suffix} (compared ignoring case), or as it was. */
    static String stripSuffix(String text, String suffix) {
        return text.toLowerCase(Locale.ROOT).endsWith(suffix) ? text.substring(0, text.length() - suffix.length())
                : text;
    }
}
