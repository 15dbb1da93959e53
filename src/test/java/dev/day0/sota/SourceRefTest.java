package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.redact.Redactor;
import java.util.List;
import org.junit.Test;

public class SourceRefTest {
    private static SourceRef ref(SourceKind kind, ArxivId arxiv, String gitRef, List<Redaction> redactions) {
        return new SourceRef(kind, "shown", arxiv, null, gitRef, null, null, null, null, redactions, "detail",
                Redactor.patternsOnly());
    }

    @Test
    public void shouldRenderEveryFieldEvenWhenNull() {
        JsonNode json = ref(SourceKind.ARXIV, new ArxivId("2401.01234", null), null, List.of()).toJson();

        assertThat(json.fieldNames()).toIterable().containsExactly("kind", "source_ref", "arxiv_id", "arxiv_version",
                "repository", "git_ref", "path", "host", "local_file", "canonical_url", "redactions", "detail");
        assertThat(json.path("arxiv_version").isNull()).isTrue();
        assertThat(json.path("kind").asText()).isEqualTo("arxiv");
    }

    @Test
    public void shouldListRedactionsByKindAndNameOnly() {
        JsonNode json = ref(SourceKind.PDF_URL, null, null,
                List.of(new Redaction("signed_url_parameter", "sig", true))).toJson();

        assertThat(json.path("redactions").toString())
                .isEqualTo("[{\"kind\":\"signed_url_parameter\",\"name\":\"sig\",\"encoded\":true}]");
    }

    @Test
    public void shouldCountOnlyAFullCommitHashAsPinned() {
        assertThat(ref(SourceKind.GITHUB_REPO, null, "a".repeat(40), List.of()).pinnedToCommit()).isTrue();
        assertThat(ref(SourceKind.GITHUB_REPO, null, "abc1234", List.of()).pinnedToCommit()).isFalse();
        assertThat(ref(SourceKind.GITHUB_REPO, null, null, List.of()).pinnedToCommit()).isFalse();
    }
}
