package dev.day0.sota;

import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
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
 * Tells what a source reference points at: an arXiv paper, a PDF (URL or local file), a GitHub repository, a
 * paper page on a known publisher or review site, or nothing day0 can name. It only reads the reference (and,
 * for a local file, the file's first bytes): it never looks a paper up, and a reference it cannot place is
 * {@link SourceKind#UNKNOWN}, not a best guess.
 *
 * <p>Secrets in the reference (URL user-info, signed-URL parameters, tokens) are found by {@link SecretScan} and
 * removed by the {@link Redactor}; every field of the result is built from the sanitized text.
 */
public final class SourceRefClassifier {
    public static final String OPTION = "--source-ref";
    static final int MAX_LENGTH = 4096;

    private static final Pattern URL = Pattern.compile(
            "(?i)^([a-z][a-z0-9+.-]*)://([^/?#]*)([^?#]*)(\\?[^#]*)?(#.*)?$");
    private static final Pattern ENCODED_URL = Pattern.compile("(?i)^https?%3A%2F%2F");
    private static final Pattern SSH_GITHUB = Pattern.compile("^git@(?:www\\.)?github\\.com:([^/]+)/([^/]+?)/?$");
    private static final Pattern ARXIV_PREFIX = Pattern.compile("(?i)^arxiv:\\s*(.+)$");
    private static final Pattern ARXIV_DOI = Pattern.compile("(?i)^(?:doi:\\s*)?10\\.48550/arxiv\\.(.+)$");
    private static final Pattern ARXIV_PATH = Pattern.compile("^/(?:abs|pdf|html|format|ps|overview)/(.+?)/?$");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private static final Set<String> ARXIV_HOSTS = Set.of("arxiv.org", "export.arxiv.org", "browse.arxiv.org",
            "alphaxiv.org");
    private static final Set<String> GITHUB_HOSTS = Set.of("github.com");
    private static final Set<String> PAPER_HOSTS = Set.of("openreview.net", "aclanthology.org", "aclweb.org",
            "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc", "neurips.cc", "nips.cc",
            "proceedings.mlr.press", "openaccess.thecvf.com", "ecva.net", "dl.acm.org", "ieeexplore.ieee.org",
            "link.springer.com", "semanticscholar.org", "paperswithcode.com", "ojs.aaai.org", "aaai.org",
            "ijcai.org", "jmlr.org", "jair.org", "transacl.org", "nature.com", "science.org", "biorxiv.org",
            "medrxiv.org", "pnas.org", "iclr.cc", "icml.cc", "proceedings.iclr.cc", "sciencedirect.com",
            "onlinelibrary.wiley.com", "academic.oup.com", "papers.ssrn.com", "isca-archive.org",
            "isca-speech.org", "ceur-ws.org", "doi.org", "dx.doi.org");
    /** First path segments of github.com that are site pages, not owners. */
    private static final Set<String> GITHUB_RESERVED = Set.of("about", "account", "apps", "codespaces",
            "collections", "contact", "copilot", "customer-stories", "enterprise", "events", "explore", "features",
            "gist", "issues", "join", "login", "logout", "marketplace", "new", "notifications", "organizations",
            "orgs", "pricing", "pulls", "readme", "resources", "search", "security", "settings", "site",
            "solutions", "sponsors", "team", "topics", "trending", "users");

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
     * @throws InputException when the reference is missing, blank, too long or contains control characters,
     *     or names a local PDF file that does not exist or is not a PDF
     */
    public SourceRef classify(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InputException(OPTION, "", "is missing or blank: give an arXiv id or URL, a PDF URL or "
                    + "file, a GitHub repository URL or a paper URL (day0 never guesses a source)");
        }
        String text = raw.strip();
        SecretScan.Result scan = SecretScan.scan(text, env);
        Redactor redactor = base.and(scan.values());
        if (text.length() > MAX_LENGTH) {
            throw new InputException(OPTION, "", "is " + text.length() + " characters long, more than "
                    + MAX_LENGTH + ": not a reference to a paper or repository");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InputException(OPTION, "", "contains control characters (a line break or tab is never part "
                    + "of a paper or repository address)");
        }
        String display = redactor.redact(text);
        List<Redaction> redactions = new ArrayList<>(scan.redactions());
        if (!display.equals(text) && redactions.isEmpty()) {
            redactions.add(new Redaction("secret_shaped_text", null, false));
        }
        Builder builder = new Builder(display, redactions, redactor);
        if (ENCODED_URL.matcher(text).find()) {
            // A whole address pasted percent-encoded (copied out of another URL's query) is that address.
            String decoded = decodePath(text);
            if (!decoded.equals(text) && decoded.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
                return classifyText(decoded.strip(), builder);
            }
        }
        return classifyText(text, builder);
    }

    private SourceRef classifyText(String text, Builder builder) {
        Matcher prefixed = ARXIV_PREFIX.matcher(text);
        if (prefixed.matches()) {
            return ArxivId.parse(prefixed.group(1).strip())
                    .map(id -> builder.arxiv(id, null))
                    .orElseGet(() -> builder.unknown("\"arXiv:\" is followed by no valid arXiv id"));
        }
        Optional<ArxivId> bare = ArxivId.parse(text);
        if (bare.isPresent()) {
            return builder.arxiv(bare.get(), null);
        }
        Matcher doi = ARXIV_DOI.matcher(text);
        if (doi.matches()) {
            return ArxivId.parse(doi.group(1)).map(id -> builder.arxiv(id, "doi.org"))
                    .orElseGet(() -> builder.unknown("an arXiv DOI with no valid arXiv id"));
        }
        Matcher ssh = SSH_GITHUB.matcher(text);
        if (ssh.matches()) {
            return github(builder, "github.com", ssh.group(1), ssh.group(2), List.of());
        }
        String withScheme = withSchemeForKnownHost(text);
        Matcher url = URL.matcher(withScheme);
        if (url.matches()) {
            return classifyUrl(url, builder);
        }
        return classifyLocal(text, builder);
    }

    /** {@code github.com/owner/repo} and the like, written without a scheme, are web addresses. */
    private static String withSchemeForKnownHost(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || text.contains("://")) {
            return text;
        }
        String host = hostKey(text.substring(0, slash));
        if (ARXIV_HOSTS.contains(host) || GITHUB_HOSTS.contains(host) || PAPER_HOSTS.contains(host)
                || host.equals("huggingface.co")) {
            return "https://" + text;
        }
        return text;
    }

    private SourceRef classifyUrl(Matcher url, Builder builder) {
        String scheme = url.group(1).toLowerCase(Locale.ROOT);
        String authority = url.group(2);
        String path = decodePath(url.group(3));
        String query = url.group(4) == null ? "" : url.group(4).substring(1);
        if (scheme.equals("file")) {
            if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
                return builder.unknown("a file URL on another machine (" + authority + ") cannot be read");
            }
            return classifyLocal(path, builder);
        }
        String host = hostKey(authority.substring(authority.lastIndexOf('@') + 1));
        List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        boolean web = scheme.equals("http") || scheme.equals("https");
        boolean gitTransport = scheme.equals("ssh") || scheme.equals("git") || scheme.equals("git+https")
                || scheme.equals("git+ssh");
        if (host.isEmpty()) {
            return builder.unknown("a URL without a host");
        }
        if (GITHUB_HOSTS.contains(host) && (web || gitTransport)) {
            if (segments.size() < 2) {
                return builder.unknown("a GitHub address that names no repository");
            }
            return github(builder, host, segments.get(0), segments.get(1), segments.subList(2, segments.size()));
        }
        if (host.equals("raw.githubusercontent.com") && web && segments.size() >= 3) {
            List<String> rest = new ArrayList<>(List.of("blob"));
            rest.addAll(segments.subList(2, segments.size()));
            return github(builder, "github.com", segments.get(0), segments.get(1), rest);
        }
        if (!web) {
            return builder.unknown("the " + scheme + ":// scheme is not a web address of a paper or repository");
        }
        builder.host = host;
        if (ARXIV_HOSTS.contains(host)) {
            Matcher arxivPath = ARXIV_PATH.matcher(path);
            if (arxivPath.matches()) {
                String candidate = stripSuffix(arxivPath.group(1), ".pdf");
                Optional<ArxivId> id = ArxivId.parse(candidate);
                if (id.isPresent()) {
                    return builder.arxiv(id.get(), host);
                }
            }
            return builder.unknown("an arXiv address that names no paper");
        }
        if (host.equals("huggingface.co") && segments.size() == 2 && segments.get(0).equals("papers")) {
            Optional<ArxivId> id = ArxivId.parse(segments.get(1));
            if (id.isPresent()) {
                return builder.arxiv(id.get(), host);
            }
        }
        if ((host.equals("doi.org") || host.equals("dx.doi.org")) && path.length() > 1) {
            Matcher doi = ARXIV_DOI.matcher(path.substring(1));
            if (doi.matches()) {
                Optional<ArxivId> id = ArxivId.parse(doi.group(1));
                if (id.isPresent()) {
                    return builder.arxiv(id.get(), host);
                }
            }
        }
        if (path.toLowerCase(Locale.ROOT).endsWith(".pdf")) {
            builder.canonicalUrl = null;
            return builder.build(SourceKind.PDF_URL, "a PDF at " + host);
        }
        boolean paperPage = PAPER_HOSTS.contains(host) && (!segments.isEmpty() || !query.isEmpty());
        boolean hubPaperPage = host.equals("huggingface.co") && segments.size() >= 2
                && segments.get(0).equals("papers");
        if (paperPage || hubPaperPage) {
            return builder.build(SourceKind.PAPER_URL, "a paper page at " + host);
        }
        return builder.unknown("a web address at " + host + " that is not a known paper site, a PDF or a "
                + "repository");
    }

    private SourceRef github(Builder builder, String host, String owner, String repoSegment, List<String> rest) {
        String repo = stripSuffix(repoSegment, ".git");
        builder.host = host;
        if (GITHUB_RESERVED.contains(owner.toLowerCase(Locale.ROOT)) || !OWNER.matcher(owner).matches()) {
            return builder.unknown("a GitHub address whose first segment is not a repository owner");
        }
        if (!REPO.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
            return builder.unknown("a GitHub address whose second segment is not a repository name");
        }
        builder.repository = owner + "/" + repo;
        builder.canonicalUrl = "https://github.com/" + owner + "/" + repo;
        if (rest.size() >= 2 && Set.of("tree", "blob", "raw", "commit", "blame").contains(rest.get(0))) {
            builder.gitRef = rest.get(1);
            if (rest.size() > 2) {
                builder.repoPath = String.join("/", rest.subList(2, rest.size()));
            }
        } else if (rest.size() >= 3 && rest.get(0).equals("releases") && rest.get(1).equals("tag")) {
            builder.gitRef = rest.get(2);
        }
        String at = builder.gitRef == null ? "" : " at " + builder.gitRef;
        return builder.build(SourceKind.GITHUB_REPO, "GitHub repository " + owner + "/" + repo + at
                + (builder.repoPath == null ? "" : ", path " + builder.repoPath));
    }

    private SourceRef classifyLocal(String text, Builder builder) {
        boolean pdfName = text.toLowerCase(Locale.ROOT).endsWith(".pdf");
        Path file;
        try {
            file = workDir.resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return builder.unknown("neither a known web address nor a usable file path");
        }
        String shown = builder.redactor.redact(file.toString());
        if (!Files.exists(file)) {
            if (pdfName) {
                throw new InputException(OPTION, "", "the local PDF file " + shown + " does not exist");
            }
            return builder.unknown("not an arXiv id, a known web address or an existing file");
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
            throw new InputException(OPTION, "", shown + " cannot be read: " + e.getMessage(), e);
        }
        return builder.build(SourceKind.PDF_FILE, "a local PDF file of " + size + " bytes");
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

    private static String decodePath(String path) {
        try {
            return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    private static String stripSuffix(String text, String suffix) {
        return text.toLowerCase(Locale.ROOT).endsWith(suffix) ? text.substring(0, text.length() - suffix.length())
                : text;
    }

    /** Collects the fields of the result; every text passes the reference's redactor on the way out. */
    private static final class Builder {
        final String display;
        final List<Redaction> redactions;
        final Redactor redactor;
        String host;
        String repository;
        String gitRef;
        String repoPath;
        String localFile;
        String canonicalUrl;

        Builder(String display, List<Redaction> redactions, Redactor redactor) {
            this.display = display;
            this.redactions = redactions;
            this.redactor = redactor;
        }

        SourceRef arxiv(ArxivId id, String viaHost) {
            host = viaHost;
            canonicalUrl = id.absUrl();
            String version = id.version() == null ? " (no version given: the latest version)"
                    : ", version " + id.version();
            return build(SourceKind.ARXIV, "arXiv paper " + id.id() + version, id);
        }

        SourceRef unknown(String why) {
            repository = null;
            gitRef = null;
            repoPath = null;
            localFile = null;
            canonicalUrl = null;
            return build(SourceKind.UNKNOWN, "unknown source: " + why);
        }

        SourceRef build(SourceKind kind, String detail) {
            return build(kind, detail, null);
        }

        SourceRef build(SourceKind kind, String detail, ArxivId arxiv) {
            ArxivId safeArxiv = arxiv == null ? null : new ArxivId(redactor.redact(arxiv.id()), arxiv.version());
            return new SourceRef(kind, display, safeArxiv, redactor.redact(repository), redactor.redact(gitRef),
                    redactor.redact(repoPath), redactor.redact(host), localFile, redactor.redact(canonicalUrl),
                    redactions, redactor.redact(detail), redactor);
        }
    }
}
