package dev.day0.sota;

/** What a source reference points at. The label is the value of {@code kind} in JSON. */
public enum SourceKind {
    ARXIV("arxiv"),
    PDF_URL("pdf_url"),
    PDF_FILE("pdf_file"),
    GITHUB_REPO("github_repo"),
    PAPER_URL("paper_url"),
    UNKNOWN("unknown");

    private final String label;

    SourceKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
