package dev.day0.sota;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.util.List;

/**
 * A classified source reference. Every text field holds the sanitized form; the raw reference is not kept.
 *
 * @param kind what the reference points at
 * @param display the reference with every secret masked, fit for a log, a plan or a job script
 * @param arxiv the arXiv id, for kind arxiv
 * @param repository {@code owner/repo}, for kind github_repo
 * @param gitRef the branch, tag or commit named in a tree/blob/commit URL, or null
 * @param repoPath the path inside the repository named in a tree/blob URL, or null
 * @param host the host of a URL, or null
 * @param localFile the local PDF file, for kind pdf_file
 * @param canonicalUrl the canonical address of the paper or repository, or null
 * @param redactions what kinds of secret were removed
 * @param detail one sentence saying what was recognised, or why nothing was
 * @param redactor the redactor that masks this reference's secrets (the environment's, plus the values found)
 */
public record SourceRef(SourceKind kind, String display, ArxivId arxiv, String repository, String gitRef,
                        String repoPath, String host, String localFile, String canonicalUrl,
                        List<Redaction> redactions, String detail, Redactor redactor) {
    public SourceRef {
        redactions = List.copyOf(redactions);
    }

    /** True when the reference names a full 40-hex commit, so the code cannot change under the plan. */
    public boolean pinnedToCommit() {
        return gitRef != null && gitRef.matches("[0-9a-f]{40}");
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("kind", kind.label());
        json.put("source_ref", display);
        json.put("arxiv_id", arxiv == null ? null : arxiv.id());
        if (arxiv == null || arxiv.version() == null) {
            json.putNull("arxiv_version");
        } else {
            json.put("arxiv_version", arxiv.version());
        }
        json.put("repository", repository);
        json.put("git_ref", gitRef);
        json.put("path", repoPath);
        json.put("host", host);
        json.put("local_file", localFile);
        json.put("canonical_url", canonicalUrl);
        ArrayNode list = json.putArray("redactions");
        redactions.forEach(redaction -> list.add(redaction.toJson()));
        json.put("detail", detail);
        return json;
    }
}
