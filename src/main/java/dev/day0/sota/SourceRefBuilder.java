package dev.day0.sota;

import dev.day0.redact.Redactor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects the parts of a {@link SourceRef} while {@link SourceRefClassifier} parses a reference. The display is
 * rebuilt from the parsed parts at the end (never copied from the input), and every text passes the reference's
 * redactor on the way out.
 */
final class SourceRefBuilder {
    final List<Redaction> redactions;
    final Redactor redactor;
    // the parsed address, for the display
    String scheme;
    String hostShown;
    String sshHost;
    List<String> segments = List.of();
    boolean trailingSlash;
    final Map<String, String> parameters = new LinkedHashMap<>();
    String fragment;
    final Set<Integer> protectedSegments = new HashSet<>();
    String fixedDisplay;
    // the fields of the result
    String host;
    String repository;
    String canonicalPrefix = "";
    String gitRef;
    String repoPath;
    String localFile;
    String canonicalUrl;

    SourceRefBuilder(List<Redaction> redactions, Redactor redactor) {
        this.redactions = redactions;
        this.redactor = redactor;
    }

    void url(String scheme, String hostShown, List<String> segments, boolean trailingSlash) {
        this.scheme = scheme;
        this.hostShown = hostShown;
        this.segments = segments;
        this.trailingSlash = trailingSlash;
    }

    void ssh(String host, List<String> segments) {
        this.sshHost = host;
        this.segments = segments;
    }

    void local(String shownPath) {
        if (scheme == null && sshHost == null) {
            fixedDisplay = shownPath;
        }
    }

    void protect(int index) {
        protectedSegments.add(index);
    }

    void protectFrom(int index) {
        for (int i = index; i < segments.size(); i++) {
            protectedSegments.add(i);
        }
    }

    void dropped(String kind, String name) {
        String shownName = name != null && name.matches("[a-z0-9_.-]{1,40}") && !SourceRefParts.looksRandom(name)
                && !SourceRefParts.secretShaped(name) ? name : null;
        boolean named = redactions.stream().anyMatch(r -> shownName != null && shownName.equalsIgnoreCase(
                r.name()));
        Redaction redaction = new Redaction(kind, shownName, false);
        if (!named && !redactions.contains(redaction)) {
            redactions.add(redaction);
        }
    }

    String[] maskedSegments() {
        return SourceRefParts.mask(host, segments, protectedSegments::contains);
    }

    String display() {
        if (fixedDisplay != null) {
            return fixedDisplay;
        }
        String[] shown = maskedSegments();
        StringBuilder text = new StringBuilder();
        if (sshHost != null) {
            text.append("git@").append(SourceRefParts.maskHost(sshHost)).append(':');
            for (int i = 0; i < shown.length; i++) {
                text.append(i == 0 ? "" : "/").append(SourceRefParts.encodeSegment(shown[i]));
            }
            return text.toString();
        }
        text.append(scheme).append("://").append(hostShown);
        for (String segment : shown) {
            text.append('/').append(SourceRefParts.encodeSegment(segment));
        }
        if (trailingSlash) {
            text.append('/');
        }
        String separator = "?";
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            text.append(separator).append(parameter.getKey()).append('=').append(parameter.getValue());
            separator = "&";
        }
        if (fragment != null) {
            text.append('#').append(fragment);
        }
        return text.toString();
    }

    SourceRef arxiv(ArxivId id, String viaHost, String shownAs) {
        host = viaHost;
        canonicalUrl = id.absUrl();
        if (shownAs != null) {
            fixedDisplay = shownAs;
        }
        String version = id.version() == null ? " (no version given: the latest version)"
                : ", version " + id.version();
        return build(SourceKind.ARXIV, "arXiv paper " + id.id() + version, id);
    }

    /** Text that is no address: shown with every word that may be a credential masked. */
    SourceRef unknownText(String text, String why) {
        if (scheme == null && sshHost == null) {
            String[] words = text.split("\\s+");
            String[] shown = SourceRefParts.mask(null, Arrays.asList(words), i -> false);
            fixedDisplay = redactor.redact(String.join(" ", shown));
        }
        return unknown(why);
    }

    SourceRef unknown(String why) {
        repository = null;
        gitRef = null;
        repoPath = null;
        localFile = null;
        canonicalUrl = null;
        if (fixedDisplay == null && scheme == null && sshHost == null) {
            fixedDisplay = Redactor.MASK;
        }
        return build(SourceKind.UNKNOWN, "unknown source: " + why);
    }

    SourceRef build(SourceKind kind, String detail) {
        return build(kind, detail, null);
    }

    SourceRef build(SourceKind kind, String detail, ArxivId arxiv) {
        ArxivId safeArxiv = arxiv == null ? null : new ArxivId(redactor.redact(arxiv.id()), arxiv.version());
        String display = redactor.redact(display());
        if (redactions.isEmpty()) {
            String[] shown = maskedSegments();
            for (int i = 0; i < shown.length && redactions.isEmpty(); i++) {
                if (!shown[i].equals(segments.get(i))) {
                    redactions.add(new Redaction(SourceRefParts.secretShaped(segments.get(i))
                            ? "secret_shaped_text" : "path_segment", null, false));
                }
            }
            if (redactions.isEmpty() && hostShown != null && hostShown.contains(Redactor.MASK)) {
                redactions.add(new Redaction("host_label", null, false));
            }
        }
        return new SourceRef(kind, display, safeArxiv, redactor.redact(repository), redactor.redact(gitRef),
                redactor.redact(repoPath), redactor.redact(host), localFile, redactor.redact(canonicalUrl),
                redactions, redactor.redact(detail), redactor);
    }
}
