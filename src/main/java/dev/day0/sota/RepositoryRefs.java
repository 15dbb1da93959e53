package dev.day0.sota;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The repository rules of each family {@link SourceRefClassifier} knows: GitHub, Hugging Face (models, datasets,
 * spaces and paper pages), GitLab with nested groups, Bitbucket and any git transport ({@code git@host:org/repo},
 * {@code ssh://}). Each family has its own reserved first segments (site pages that are not owners) and its own
 * place for the owner, the name and an optional {@code tree|blob|-/tree <ref> <path>}. The segments that name the
 * repository and a ref that is a commit id or an ordinary branch name are protected from masking.
 */
final class RepositoryRefs {
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    static final Set<String> GITHUB_HOSTS = Set.of("github.com");
    static final Set<String> HUB_HOSTS = Set.of("huggingface.co", "hf.co");
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

    /** Hosts whose addresses name repositories (and, on Hugging Face, papers). */
    static boolean repositoryHost(String host) {
        return GITHUB_HOSTS.contains(host) || HUB_HOSTS.contains(host) || gitlabHost(host)
                || host.equals("bitbucket.org");
    }

    private static boolean gitlabHost(String host) {
        return host.equals("gitlab.com") || host.startsWith("gitlab.");
    }

    /** The repository (or Hugging Face paper) the path names on {@code host}, or an unknown source. */
    static SourceRef classify(SourceRefBuilder builder, String host, List<String> segments, boolean gitTransport) {
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

    private static SourceRef hub(SourceRefBuilder builder, List<String> segments) {
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
    private static SourceRef ownerAndName(SourceRefBuilder builder, SourceKind kind, String what, String host,
                                          List<String> segments, int ownerStart, int nameIndex, Set<String> reserved) {
        List<String> owners = segments.subList(ownerStart, nameIndex);
        String name = SourceRefParts.stripSuffix(segments.get(nameIndex), ".git");
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
                + SourceRefParts.stripSuffix(shown[nameIndex], ".git");
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

    private RepositoryRefs() {
    }
}
