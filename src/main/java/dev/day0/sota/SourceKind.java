package dev.day0.sota;

/** What a source reference points at. The label is the value of {@code kind} in JSON. */
public enum SourceKind {
    ARXIV("arxiv"),
    PDF_URL("pdf_url"),
    PDF_FILE("pdf_file"),
    GITHUB_REPO("github_repo"),
    GITLAB_REPO("gitlab_repo"),
    BITBUCKET_REPO("bitbucket_repo"),
    HUGGINGFACE_REPO("huggingface_repo"),
    GIT_REPO("git_repo"),
    PAPER_URL("paper_url"),
    UNKNOWN("unknown");

    private final String label;

    SourceKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** True for a source-code or model repository, whose {@code git_ref} pins what is reproduced. */
    public boolean repository() {
        return this == GITHUB_REPO || this == GITLAB_REPO || this == BITBUCKET_REPO || this == HUGGINGFACE_REPO
                || this == GIT_REPO;
    }
}
