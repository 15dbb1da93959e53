package dev.day0.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The shared redaction corpus ({@code src/test/resources/dev/day0/redact/secret-corpus.json}): secret-bearing
 * source refs, tokens and log lines with the secrets each carries, and ordinary text that must pass unchanged.
 * Any test that makes the engine print or write can feed corpus texts in and {@link #assertNoSecretIn} what came
 * out.
 */
public final class SecretCorpus {
    public static final String RESOURCE = "/dev/day0/redact/secret-corpus.json";

    /** One corpus entry: the text, what kind of text it is, and the secrets in it. */
    public record Entry(String kind, String text, List<String> secrets) {
    }

    private static final SecretCorpus INSTANCE = load();

    private final List<Entry> secretBearing;
    private final List<String> mustStayUnchanged;

    private SecretCorpus(List<Entry> secretBearing, List<String> mustStayUnchanged) {
        this.secretBearing = List.copyOf(secretBearing);
        this.mustStayUnchanged = List.copyOf(mustStayUnchanged);
    }

    public static SecretCorpus get() {
        return INSTANCE;
    }

    public List<Entry> secretBearing() {
        return secretBearing;
    }

    public List<Entry> ofKind(String kind) {
        return secretBearing.stream().filter(entry -> entry.kind().equals(kind)).toList();
    }

    public List<String> mustStayUnchanged() {
        return mustStayUnchanged;
    }

    /** Every secret in the corpus, for scanning output. */
    public Set<String> allSecrets() {
        Set<String> secrets = new LinkedHashSet<>();
        secretBearing.forEach(entry -> secrets.addAll(entry.secrets()));
        return secrets;
    }

    /**
     * The secrets (corpus ones plus {@code extra}) found in {@code text}, as written, percent-encoded once or
     * twice, or percent-decoded once or twice; empty when the text is clean.
     */
    public List<String> secretsIn(String text, Collection<String> extra) {
        List<String> found = new ArrayList<>();
        Set<String> all = allSecrets();
        all.addAll(extra);
        for (String secret : all) {
            for (String form : forms(secret)) {
                if (text.contains(form)) {
                    found.add(form);
                }
            }
        }
        return found;
    }

    /** A secret and the encoded and decoded forms it could leak in. */
    public static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        String decoded = decode(secret);
        forms.add(secret);
        forms.add(encoded);
        forms.add(URLEncoder.encode(encoded, StandardCharsets.UTF_8));
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

    /**
     * Fails when any corpus secret or any of {@code extra} (a tenant token, say) occurs in one of the texts or in
     * any file under one of the directories.
     */
    public void assertNoSecretIn(Collection<String> texts, Collection<Path> dirs, Collection<String> extra) {
        List<String> problems = new ArrayList<>();
        int index = 0;
        for (String text : texts) {
            List<String> found = secretsIn(text == null ? "" : text, extra);
            if (!found.isEmpty()) {
                problems.add("text #" + index + " contains " + found);
            }
            index++;
        }
        for (Path dir : dirs) {
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                    List<String> found = secretsIn(content, extra);
                    if (!found.isEmpty()) {
                        problems.add(file + " contains " + found);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("secrets leaked:\n  " + String.join("\n  ", problems));
        }
    }

    private static SecretCorpus load() {
        try (InputStream in = SecretCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            JsonNode doc = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            List<Entry> entries = new ArrayList<>();
            for (JsonNode node : doc.get("secret_bearing")) {
                List<String> secrets = new ArrayList<>();
                node.get("secrets").forEach(secret -> secrets.add(secret.textValue()));
                entries.add(new Entry(node.get("kind").textValue(), node.get("text").textValue(), secrets));
            }
            List<String> unchanged = new ArrayList<>();
            doc.get("must_stay_unchanged").forEach(text -> unchanged.add(text.textValue()));
            return new SecretCorpus(entries, unchanged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
