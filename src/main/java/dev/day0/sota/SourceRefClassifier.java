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
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern DOTTED_HOST = Pattern.compile("(?i)^[a-z0-9-]+(?:\\.[a-z0-9-]+)+(?::[0-9]+)?(?:/|$)");
    private static final Pattern HOST = Pattern.compile("[\\p{L}\\p{N}.-]+|\\[[0-9a-f:.]+\\]");

    private static final Set<String> ARXIV_HOSTS = Set.of("arxiv.org", "export.arxiv.org", "browse.arxiv.org",
            "alphaxiv.org");
    private static final Set<String> GITHUB_HOSTS = Set.of("github.com");
    private static final Set<String> HUB_HOSTS = Set.of("huggingface.co", "hf.co");
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
    /** First path segments of github.com that are site pages, not owners. */
    private static final Set<String> GITHUB_RESERVED = Set.of("about", "account", "apps", "codespaces",
            "collections", "contact", "copilot", "customer-stories", "enterprise", "events", "explore", "features",
            "gist", "issues", "join", "login", "logout", "marketplace", "new", "notifications", "organizations",
            "orgs", "pricing", "pulls", "readme", "resources", "search", "security", "settings", "site",
            "solutions", "sponsors", "team", "topics", "trending", "users");
    private static final Set<String> GITLAB_RESERVED = Set.of("-", "admin", "api", "dashboard", "explore",
            "groups", "help", "profile", "projects", "search", "users");
    private static final Set<String> BITBUCKET_RESERVED = Set.of("account", "dashboard", "product", "repo",
            "site", "socialauth");
    private static final Set<String> HUB_RESERVED = Set.of("api", "blog", "chat", "collections", "docs",
            "enterprise", "join", "learn", "login", "models", "new", "organizations", "posts", "pricing",
            "search", "settings", "tasks", "welcome");
    private static final Set<String> REF_MARKERS = Set.of("tree", "blob", "raw", "commit", "commits", "blame",
            "resolve", "src", "branch");

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
        Builder builder = new Builder(new ArrayList<>(scan.redactions()), redactor);
        String working = text;
        if (ENCODED_URL.matcher(text).find()) {
            // A whole address pasted percent-encoded (copied out of another URL's query) is that address.
            working = SourceRefParts.decodeFully(text).strip();
        }
        return classifyText(SourceRefParts.nfkc(working), builder);
    }

    private SourceRef classifyText(String text, Builder builder) {
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
            return repository(builder, host, segments, true);
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
        if (ARXIV_HOSTS.contains(host) || GITHUB_HOSTS.contains(host) || PAPER_HOSTS.contains(host)
                || HUB_HOSTS.contains(host) || host.equals("gitlab.com") || host.equals("bitbucket.org")) {
            return "https://" + text;
        }
        return text;
    }

    private SourceRef classifyUrl(String text, Builder builder) {
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
            return repository(builder, "github.com", asBlob, false);
        }
        if ((web || gitTransport) && repositoryHost(host)) {
            return repository(builder, host, segments, gitTransport);
        }
        if (gitTransport && segments.size() >= 2) {
            return repository(builder, host, segments, true);
        }
        if (!web) {
            return builder.unknown("the " + scheme + ":// scheme is not a web address of a paper or repository");
        }
        if (ARXIV_HOSTS.contains(host)) {
            Matcher arxivPath = ARXIV_PATH.matcher(path);
            if (arxivPath.matches()) {
                String candidate = stripSuffix(arxivPath.group(1), ".pdf");
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

    private static void keepParameters(Builder builder, String host, String query) {
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

    private static void keepFragment(Builder builder, String fragment) {
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
    private static void protectIdentifyingSegments(Builder builder, String host, List<String> segments) {
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

    private static boolean repositoryHost(String host) {
        return GITHUB_HOSTS.contains(host) || HUB_HOSTS.contains(host) || gitlabHost(host)
                || host.equals("bitbucket.org");
    }

    private static boolean gitlabHost(String host) {
        return host.equals("gitlab.com") || host.startsWith("gitlab.");
    }

    private SourceRef repository(Builder builder, String host, List<String> segments, boolean gitTransport) {
        builder.host = host;
        if (GITHUB_HOSTS.contains(host)) {
            if (segments.size() < 2) {
                return builder.unknown("a GitHub address that names no repository");
            }
            return ownerAndName(builder, SourceKind.GITHUB_REPO, "GitHub", host, segments, 0, 1, GITHUB_RESERVED);
        }
        if (HUB_HOSTS.contains(host)) {
            return hub(builder, segments);
        }
        if (gitlabHost(host)) {
            int dash = segments.indexOf("-");
            int end = dash < 0 ? segments.size() : dash;
            if (end < 2) {
                return builder.unknown("a GitLab address that names no project");
            }
            return ownerAndName(builder, SourceKind.GITLAB_REPO, "GitLab", host, segments, 0, end - 1,
                    GITLAB_RESERVED);
        }
        if (host.equals("bitbucket.org")) {
            if (segments.size() < 2) {
                return builder.unknown("a Bitbucket address that names no repository");
            }
            return ownerAndName(builder, SourceKind.BITBUCKET_REPO, "Bitbucket", host, segments, 0, 1,
                    BITBUCKET_RESERVED);
        }
        if (gitTransport && segments.size() >= 2) {
            return ownerAndName(builder, SourceKind.GIT_REPO, "git", host, segments, 0, segments.size() - 1,
                    Set.of());
        }
        return builder.unknown("a git address that names no repository");
    }

    private SourceRef hub(Builder builder, List<String> segments) {
        if (segments.isEmpty()) {
            return builder.unknown("a Hugging Face address that names no repository");
        }
        String first = segments.get(0);
        if (first.equals("papers")) {
            if (segments.size() == 2) {
                Optional<ArxivId> id = ArxivId.parse(segments.get(1));
                if (id.isPresent()) {
                    builder.protect(1);
                    return builder.arxiv(id.get(), builder.host, null);
                }
            }
            return segments.size() >= 2 ? builder.build(SourceKind.PAPER_URL, "a paper page at " + builder.host)
                    : builder.unknown("a Hugging Face papers listing, not a paper");
        }
        int start = first.equals("datasets") || first.equals("spaces") ? 1 : 0;
        String type = start == 0 ? "model" : first.equals("datasets") ? "dataset" : "space";
        if (segments.size() < start + 2) {
            return builder.unknown("a Hugging Face address that names no " + type + " repository "
                    + "(owner/name)");
        }
        builder.canonicalPrefix = start == 0 ? "" : first + "/";
        return ownerAndName(builder, SourceKind.HUGGINGFACE_REPO, "Hugging Face " + type, "huggingface.co",
                segments, start, start + 1, start == 0 ? HUB_RESERVED : Set.of());
    }

    /**
     * A repository whose path is {@code segments[ownerStart..nameIndex]} (GitLab groups nest), followed by an
     * optional {@code tree|blob|...|-/tree <ref> <path>}.
     */
    private SourceRef ownerAndName(Builder builder, SourceKind kind, String what, String host,
                                   List<String> segments, int ownerStart, int nameIndex, Set<String> reserved) {
        List<String> owners = segments.subList(ownerStart, nameIndex);
        String name = stripSuffix(segments.get(nameIndex), ".git");
        if (reserved.contains(owners.get(0).toLowerCase(Locale.ROOT))
                || !owners.stream().allMatch(owner -> OWNER.matcher(owner).matches()
                        || kind != SourceKind.GITHUB_REPO && REPO.matcher(owner).matches())) {
            return builder.unknown("a " + what + " address whose path does not start with a repository owner");
        }
        if (!REPO.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return builder.unknown("a " + what + " address that names no repository");
        }
        for (int i = ownerStart; i <= nameIndex; i++) {
            builder.protect(i);
        }
        int marker = nameIndex + 1;
        if (marker < segments.size() && segments.get(marker).equals("-")) {
            marker++;
        }
        int refIndex = -1;
        if (marker + 1 < segments.size() && REF_MARKERS.contains(segments.get(marker))) {
            refIndex = marker + 1;
        } else if (marker + 2 < segments.size() && segments.get(marker).equals("releases")
                && segments.get(marker + 1).equals("tag")) {
            refIndex = marker + 2;
        }
        if (refIndex >= 0) {
            String ref = segments.get(refIndex);
            if (SourceRefParts.commitId(ref) || !SourceRefParts.looksRandom(ref)) {
                builder.protect(refIndex);
            }
        }
        String[] shown = builder.maskedSegments();
        String repository = String.join("/", Arrays.asList(shown).subList(ownerStart, nameIndex)) + "/"
                + stripSuffix(shown[nameIndex], ".git");
        builder.repository = repository;
        builder.canonicalUrl = "https://" + host + "/" + builder.canonicalPrefix + repository;
        if (refIndex >= 0) {
            builder.gitRef = shown[refIndex];
            if (refIndex + 1 < shown.length) {
                builder.repoPath = String.join("/", Arrays.asList(shown).subList(refIndex + 1, shown.length));
            }
        }
        String at = builder.gitRef == null ? "" : " at " + builder.gitRef;
        return builder.build(kind, what + " repository " + repository + at
                + (builder.repoPath == null ? "" : ", path " + builder.repoPath));
    }

    private SourceRef classifyLocal(String text, Builder builder) {
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

    private static String stripSuffix(String text, String suffix) {
        return text.toLowerCase(Locale.ROOT).endsWith(suffix) ? text.substring(0, text.length() - suffix.length())
                : text;
    }

    /**
     * Collects the parts of the result. The display is rebuilt from the parsed parts at the end (never copied
     * from the input), and every text passes the reference's redactor on the way out.
     */
    private static final class Builder {
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

        Builder(List<Redaction> redactions, Redactor redactor) {
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
}
