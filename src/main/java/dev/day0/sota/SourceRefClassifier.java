package dev.day0.sota;

import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells what a source reference points at: an arXiv paper, a PDF (URL or local file), a repository (GitHub,
 * GitLab, Bitbucket, Hugging Face, any {@code git@host:org/repo}), a paper page on a known publisher or review
 * site, or nothing day0 can name. It only reads the reference (and, for a local file, the file's first bytes): it
 * never looks a paper up, and a reference it cannot place is {@link SourceKind#UNKNOWN}, not a best guess.
 *
 * <p>The reference shown anywhere (the {@code display}) is rebuilt from parts known to be safe, an allowlist:
 * scheme, host, the path with every segment that may be a credential masked, only the query parameters that
 * identify a source on that host, and a page anchor. User-info, other parameters and fragments are dropped. The
 * raw reference stays in memory: no field of the result holds it. {@link SecretScan} names what was removed.
 */
public final class SourceRefClassifier {
    public static final String OPTION = "--source-ref";
    static final int MAX_LENGTH = 4096;

    private static final Pattern SCHEME = Pattern.compile("(?i)^([a-z][a-z0-9+.-]*)://");
    private static final Pattern ENCODED_URL = Pattern.compile("(?i)^https?%(?:25)*3A%(?:25)*2F%(?:25)*2F");
    private static final Pattern SSH_GIT = Pattern.compile("^git@([A-Za-z0-9.-]+):(.+?)/?$");
    private static final Pattern ARXIV_PREFIX = Pattern.compile("(?i)^arxiv:\\s*(.+)$");
    private static final Pattern ARXIV_DOI = Pattern.compile("(?i)^(?:doi:\\s*)?10\\.48550/arxiv\\.(.+)$");
    private static final Pattern ARXIV_PATH = Pattern.compile("^/(?:abs|pdf|html|format|ps|overview)/(.+?)/?$");
    private static final Pattern DOTTED_HOST = Pattern.compile("(?i)^[a-z0-9-]+(?:\\.[a-z0-9-]+)+(?::[0-9]+)?(?:/|$)");
    private static final Pattern HOST = Pattern.compile("[\\p{L}\\p{N}.-]+|\\[[0-9a-f:.]+\\]");

    private static final Set<String> ARXIV_HOSTS = Set.of("arxiv.org", "export.arxiv.org", "browse.arxiv.org",
            "alphaxiv.org");
    private static final Set<String> PAPER_HOSTS = Set.of("openreview.net", "aclanthology.org", "aclweb.org",
            "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc", "neurips.cc", "nips.cc",
            "proceedings.mlr.press", "openaccess.thecvf.com", "ecva.net", "dl.acm.org", "ieeexplore.ieee.org",
            "link.springer.com", "semanticscholar.org", "paperswithcode.com", "ojs.aaai.org", "aaai.org",
            "ijcai.org", "jmlr.org", "jair.org", "transacl.org", "nature.com", "science.org", "biorxiv.org",
            "medrxiv.org", "pnas.org", "iclr.cc", "icml.cc", "proceedings.iclr.cc", "sciencedirect.com",
            "onlinelibrary.wiley.com", "academic.oup.com", "papers.ssrn.com", "isca-archive.org",
            "isca-speech.org", "ceur-ws.org", "doi.org", "dx.doi.org");
    /** The query parameters that identify a source, per host; every other parameter of every host is dropped. */
    private static final Map<String, Set<String>> IDENTIFYING_PARAMETERS = Map.of(
            "openreview.net", Set.of("id"),
            "drive.google.com", Set.of("id"),
            "docs.google.com", Set.of("id"),
            "ieeexplore.ieee.org", Set.of("arnumber"),
            "papers.ssrn.com", Set.of("abstract_id"));
    private final Redactor base;
    private final Map<String, String> env;
    private final Path workDir;

    /**
     * @param base the redactor of the process (secrets from the environment)
     * @param env the environment, whose secret variables are reported by name when they appear in a reference
     * @param workDir the directory a relative local path is resolved against
     */
    public SourceRefClassifier(Redactor base, Map<String, String> env, Path workDir) {
        this.base = base;
        this.env = env;
        this.workDir = workDir;
    }

    /**
     * Classifies a reference.
     *
     * @throws InputException when the reference is missing, blank, too long or contains control characters
     *     (also once decoded), or names a local PDF file that does not exist or is not a PDF; the message never
     *     shows the reference
     */
    public SourceRef classify(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InputException(OPTION, "", "is missing or blank: give an arXiv id or URL, a PDF URL or "
                    + "file, a repository URL or a paper URL (day0 never guesses a source)");
        }
        String text = raw.strip();
        if (text.length() > MAX_LENGTH) {
            throw new InputException(OPTION, "", "is " + text.length() + " characters long, more than "
                    + MAX_LENGTH + ": not a reference to a paper or repository");
        }
        for (String layer : SecretScan.decodedLayers(text)) {
            if (SourceRefParts.hasControlCharacters(layer)) {
                throw new InputException(OPTION, "", "contains control characters or invisible formatting, "
                        + "written or percent-encoded (a line break or tab is never part of a paper or repository "
                        + "address); the reference is not shown");
            }
        }
        SecretScan.Result scan = SecretScan.scan(text, env);
        Redactor redactor = base.and(scan.values());
        SourceRefBuilder builder = new SourceRefBuilder(new ArrayList<>(scan.redactions()), redactor);
        String working = text;
        if (ENCODED_URL.matcher(text).find()) {
            // A whole address pasted percent-encoded (copied out of another URL's query) is that address.
            working = SourceRefParts.decodeFully(text).strip();
        }
        return classifyText(SourceRefParts.nfkc(working), builder);
    }

    private SourceRef classifyText(String text, SourceRefBuilder builder) {
        Matcher prefixed = ARXIV_PREFIX.matcher(text);
        if (prefixed.matches()) {
            return ArxivId.parse(prefixed.group(1).strip())
                    .map(id -> builder.arxiv(id, null, "arXiv:" + id.versioned()))
                    .orElseGet(() -> builder.unknownText(text, "\"arXiv:\" is followed by no valid arXiv id"));
        }
        Optional<ArxivId> bare = ArxivId.parse(text);
        if (bare.isPresent()) {
            return builder.arxiv(bare.get(), null, bare.get().versioned());
        }
        Matcher doi = ARXIV_DOI.matcher(text);
        if (doi.matches()) {
            return ArxivId.parse(doi.group(1))
                    .map(id -> builder.arxiv(id, "doi.org", "10.48550/arXiv." + id.versioned()))
                    .orElseGet(() -> builder.unknownText(text, "an arXiv DOI with no valid arXiv id"));
        }
        Matcher ssh = SSH_GIT.matcher(text);
        if (ssh.matches()) {
            String repoPath = ssh.group(2);
            int cut = indexOfAny(repoPath, "?#");
            if (cut >= 0) {
                // git@ addresses take no query or fragment: whatever follows is not part of the repository
                builder.dropped(repoPath.charAt(cut) == '?' ? "query_parameter" : "fragment", null);
                repoPath = repoPath.substring(0, cut);
            }
            String host = hostKey(ssh.group(1));
            List<String> segments = segments(SourceRefParts.decodeFully(repoPath));
            builder.ssh(ssh.group(1).toLowerCase(Locale.ROOT), segments);
            return RepositoryRefs.classify(builder, host, segments, true);
        }
        String withScheme = withSchemeForKnownHost(text);
        if (SCHEME.matcher(withScheme).find()) {
            return classifyUrl(withScheme, builder);
        }
        return classifyLocal(text, builder);
    }

    private static int indexOfAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@code github.com/owner/repo} and the like, written without a scheme, are web addresses. */
    private static String withSchemeForKnownHost(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || text.contains("://")) {
            return text;
        }
        String host = hostKey(text.substring(0, slash));
        if (ARXIV_HOSTS.contains(host) || RepositoryRefs.GITHUB_HOSTS.contains(host) || PAPER_HOSTS.contains(host)
                || RepositoryRefs.HUB_HOSTS.contains(host) || host.equals("gitlab.com") || host.equals("bitbucket.org")) {
            return "https://" + text;
        }
        return text;
    }

    private SourceRef classifyUrl(String text, SourceRefBuilder builder) {
        Matcher schemeMatch = SCHEME.matcher(text);
        schemeMatch.find();
        String scheme = schemeMatch.group(1).toLowerCase(Locale.ROOT);
        String rest = text.substring(schemeMatch.end());
        int hash = rest.indexOf('#');
        String fragment = hash < 0 ? null : rest.substring(hash + 1);
        String beforeFragment = hash < 0 ? rest : rest.substring(0, hash);
        int question = beforeFragment.indexOf('?');
        String query = question < 0 ? "" : beforeFragment.substring(question + 1);
        String hierarchy = question < 0 ? beforeFragment : beforeFragment.substring(0, question);
        int hostStart = userInfoEnd(hierarchy);
        if (hostStart > 0 && builder.redactions.stream().noneMatch(r -> r.kind().equals("url_user_info"))) {
            builder.redactions.add(new Redaction("url_user_info", null, false));
        }
        String afterUserInfo = hierarchy.substring(hostStart);
        int slash = afterUserInfo.indexOf('/');
        String authority = slash < 0 ? afterUserInfo : afterUserInfo.substring(0, slash);
        String rawPath = slash < 0 ? "" : afterUserInfo.substring(slash);
        String path = SourceRefParts.nfkc(SourceRefParts.decodeFully(rawPath));
        if (scheme.equals("file")) {
            if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
                builder.url(scheme, Redactor.MASK, List.of(), false);
                return builder.unknown("a file URL on another machine cannot be read");
            }
            return classifyLocal(path, builder);
        }
        String hostShown = hostShown(authority);
        String host = hostKey(authority);
        List<String> segments = segments(path);
        builder.url(scheme, hostShown, segments, path.endsWith("/") && !segments.isEmpty());
        keepParameters(builder, host, query);
        keepFragment(builder, fragment);
        boolean web = scheme.equals("http") || scheme.equals("https");
        boolean gitTransport = scheme.equals("ssh") || scheme.equals("git") || scheme.equals("git+https")
                || scheme.equals("git+ssh");
        if (host.isEmpty() || !HOST.matcher(host).matches()) {
            builder.hostShown = Redactor.MASK;
            return builder.unknown("a URL without a usable host");
        }
        builder.host = host;
        if (host.equals("raw.githubusercontent.com") && web && segments.size() >= 3) {
            List<String> asBlob = new ArrayList<>(List.of(segments.get(0), segments.get(1), "blob"));
            asBlob.addAll(segments.subList(2, segments.size()));
            builder.segments = asBlob;
            builder.hostShown = "github.com";
            return RepositoryRefs.classify(builder, "github.com", asBlob, false);
        }
        if ((web || gitTransport) && RepositoryRefs.repositoryHost(host)) {
            return RepositoryRefs.classify(builder, host, segments, gitTransport);
        }
        if (gitTransport && segments.size() >= 2) {
            return RepositoryRefs.classify(builder, host, segments, true);
        }
        if (!web) {
            return builder.unknown("the " + scheme + ":// scheme is not a web address of a paper or repository");
        }
        if (ARXIV_HOSTS.contains(host)) {
            Matcher arxivPath = ARXIV_PATH.matcher(path);
            if (arxivPath.matches()) {
                String candidate = SourceRefParts.stripSuffix(arxivPath.group(1), ".pdf");
                Optional<ArxivId> id = ArxivId.parse(candidate);
                if (id.isPresent()) {
                    builder.protectFrom(1);
                    return builder.arxiv(id.get(), host, null);
                }
            }
            return builder.unknown("an arXiv address that names no paper");
        }
        if ((host.equals("doi.org") || host.equals("dx.doi.org")) && path.length() > 1) {
            builder.protectFrom(0);
            Matcher doi = ARXIV_DOI.matcher(path.substring(1));
            if (doi.matches()) {
                Optional<ArxivId> id = ArxivId.parse(doi.group(1));
                if (id.isPresent()) {
                    return builder.arxiv(id.get(), host, null);
                }
            }
        }
        protectIdentifyingSegments(builder, host, segments);
        if (path.toLowerCase(Locale.ROOT).endsWith(".pdf")) {
            builder.canonicalUrl = null;
            return builder.build(SourceKind.PDF_URL, "a PDF at " + host);
        }
        boolean paperPage = PAPER_HOSTS.contains(host) && (!segments.isEmpty() || !builder.parameters.isEmpty());
        if (paperPage) {
            return builder.build(SourceKind.PAPER_URL, "a paper page at " + host);
        }
        return builder.unknown("a web address at " + host + " that is not a known paper site, a PDF or a "
                + "repository");
    }

    /**
     * Where the host starts: after the user-info, also after a password with an unencoded slash in it
     * ({@code user:pa/ss@host.tld/...}), which is not URL syntax but is pasted anyway and would otherwise put the
     * rest of the password into the path.
     */
    private static int userInfoEnd(String hierarchy) {
        int slash = hierarchy.indexOf('/');
        String authority = slash < 0 ? hierarchy : hierarchy.substring(0, slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            return at + 1;
        }
        int lastAt = hierarchy.lastIndexOf('@');
        if (lastAt > 0 && authority.contains(":") && DOTTED_HOST.matcher(hierarchy.substring(lastAt + 1)).find()) {
            return lastAt + 1;
        }
        return 0;
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            // Matrix parameters (";jsessionid=...") are parameters, not part of the name.
            int semicolon = segment.indexOf(';');
            String name = semicolon < 0 ? segment : segment.substring(0, semicolon);
            if (!name.isEmpty()) {
                segments.add(name);
            }
        }
        return segments;
    }

    private static void keepParameters(SourceRefBuilder builder, String host, String query) {
        if (query.isEmpty()) {
            return;
        }
        Set<String> identifying = IDENTIFYING_PARAMETERS.getOrDefault(host, Set.of());
        for (String pair : query.split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = SourceRefParts.parameterName(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : SourceRefParts.nfkc(SourceRefParts.decodeFully(pair.substring(eq + 1)));
            if (identifying.contains(name) && !builder.parameters.containsKey(name)
                    && SourceRefParts.safeParameterValue(value)) {
                builder.parameters.put(name, value);
            } else {
                builder.dropped("query_parameter", name);
            }
        }
    }

    private static void keepFragment(SourceRefBuilder builder, String fragment) {
        if (fragment == null || fragment.isEmpty()) {
            return;
        }
        if (SourceRefParts.pageAnchor(fragment)) {
            builder.fragment = SourceRefParts.nfkc(SourceRefParts.decodeFully(fragment)).toLowerCase(Locale.ROOT);
        } else {
            builder.dropped("fragment", null);
        }
    }

    /** Segments that name a paper on a host although they look random: a NeurIPS hash, a Drive file id. */
    private static void protectIdentifyingSegments(SourceRefBuilder builder, String host, List<String> segments) {
        for (int i = 0; i + 1 < segments.size(); i++) {
            String segment = segments.get(i).toLowerCase(Locale.ROOT);
            boolean nextIdentifies = segment.equals("hash") && (host.contains("neurips") || host.contains("nips"))
                    || segment.equals("paper") && host.equals("semanticscholar.org")
                    || segment.equals("d") && (host.equals("drive.google.com") || host.equals("docs.google.com"))
                    || segment.equals("fi") && host.equals("dropbox.com")
                    || segment.equals("doi") && segments.get(i + 1).startsWith("10.");
            if (nextIdentifies) {
                builder.protect(i + 1);
                if (segment.equals("doi")) {
                    builder.protectFrom(i + 1);
                }
            }
        }
        if (host.equals("semanticscholar.org") && segments.size() >= 3 && segments.get(0).equals("paper")) {
            builder.protect(2);
        }
    }

    private SourceRef classifyLocal(String text, SourceRefBuilder builder) {
        boolean pdfName = text.toLowerCase(Locale.ROOT).endsWith(".pdf");
        Path file;
        try {
            file = workDir.resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return builder.unknownText(text, "neither a known web address nor a usable file path");
        }
        // Only what the person typed is masked: the working directory around a relative path is not input.
        String typed = maskedPath(builder.redactor, text);
        String shown = Path.of(text).isAbsolute() ? maskedPath(builder.redactor, file.toString())
                : builder.redactor.redact(workDir.resolve(typed).toAbsolutePath().normalize().toString());
        builder.local(typed);
        if (!Files.exists(file)) {
            if (pdfName) {
                throw new InputException(OPTION, "", "the local PDF file " + shown + " does not exist");
            }
            return builder.unknownText(text, "not an arXiv id, a known web address or an existing file");
        }
        if (!Files.isRegularFile(file)) {
            if (pdfName) {
                throw new InputException(OPTION, "", shown + " is not a regular file");
            }
            return builder.unknown("a local path that is not a file");
        }
        boolean pdf = startsWithPdfMagic(file, shown);
        if (!pdf) {
            if (pdfName) {
                throw new InputException(OPTION, "", shown + " is not a PDF (it does not start with %PDF-)");
            }
            return builder.unknown("a local file that is not a PDF");
        }
        builder.localFile = shown;
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InputException(OPTION, "", shown + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
        return builder.build(SourceKind.PDF_FILE, "a local PDF file of " + size + " bytes");
    }

    /** A local path with every segment that may be a credential masked, as for a URL path. */
    private static String maskedPath(Redactor redactor, String path) {
        String[] parts = path.split("/", -1);
        String[] shown = SourceRefParts.mask(null, Arrays.asList(parts), i -> false);
        return redactor.redact(String.join("/", shown));
    }

    private static boolean startsWithPdfMagic(Path file, String shown) {
        byte[] head = new byte[5];
        try (InputStream in = Files.newInputStream(file)) {
            int read = in.readNBytes(head, 0, head.length);
            return read == 5 && new String(head, StandardCharsets.US_ASCII).equals("%PDF-");
        } catch (IOException e) {
            throw new InputException(OPTION, "", shown + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Lower case, without port, trailing dot or a leading {@code www.}. */
    private static String hostKey(String hostAndPort) {
        String host = hostAndPort.toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            return host;
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.startsWith("www.") ? host.substring(4) : host;
    }

    /** The host as shown: lower case, with a numeric port, random-looking labels masked. */
    private static String hostShown(String authority) {
        String lower = authority.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[")) {
            return HOST.matcher(lower).matches() ? lower : Redactor.MASK;
        }
        int colon = lower.indexOf(':');
        String host = colon < 0 ? lower : lower.substring(0, colon);
        String port = colon < 0 ? "" : lower.substring(colon + 1);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
            return Redactor.MASK;
        }
        return SourceRefParts.maskHost(host) + (port.matches("[0-9]{1,5}") ? ":" + port : "");
    }

}
