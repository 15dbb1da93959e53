package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SourceRefClassifierTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private SourceRef classify(String ref) {
        return new SourceRefClassifier(Redactor.patternsOnly(), Map.of(), temp.getRoot().toPath()).classify(ref);
    }

    @Test
    public void shouldClassifyBareAndPrefixedArxivIds() {
        assertThat(classify("2401.01234v2")).satisfies(ref -> {
            assertThat(ref.kind()).isEqualTo(SourceKind.ARXIV);
            assertThat(ref.arxiv()).isEqualTo(new ArxivId("2401.01234", 2));
        });
        assertThat(classify("arXiv:1706.03762").arxiv()).isEqualTo(new ArxivId("1706.03762", null));
        assertThat(classify("hep-th/9901001").arxiv().id()).isEqualTo("hep-th/9901001");
        assertThat(classify("10.48550/arXiv.2401.01234").arxiv().id()).isEqualTo("2401.01234");
    }

    @Test
    public void shouldClassifyArxivUrlsOfEveryPageKind() {
        assertThat(classify("https://arxiv.org/abs/2401.01234v3").arxiv()).isEqualTo(new ArxivId("2401.01234", 3));
        assertThat(classify("https://arxiv.org/pdf/2401.01234v1.pdf").kind()).isEqualTo(SourceKind.ARXIV);
        assertThat(classify("http://export.arxiv.org/abs/hep-th/9901001v2").arxiv())
                .isEqualTo(new ArxivId("hep-th/9901001", 2));
        assertThat(classify("arxiv.org/html/2401.01234").kind()).isEqualTo(SourceKind.ARXIV);
        assertThat(classify("https://www.arxiv.org/abs/2401.01234/").kind()).isEqualTo(SourceKind.ARXIV);
        assertThat(classify("https://huggingface.co/papers/2401.01234").arxiv().id()).isEqualTo("2401.01234");
        assertThat(classify("https://doi.org/10.48550/arXiv.2401.01234").kind()).isEqualTo(SourceKind.ARXIV);
    }

    @Test
    public void shouldNotStretchAnArxivAddressWithoutAPaperIntoOne() {
        SourceRef listing = classify("https://arxiv.org/list/cs.CL/recent");

        assertThat(listing.kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(listing.arxiv()).isNull();
        assertThat(classify("arXiv:not-an-id").kind()).isEqualTo(SourceKind.UNKNOWN);
    }

    @Test
    public void shouldClassifyGithubRepositoriesWithTreeBlobPathsAndGitSuffix() {
        SourceRef tree = classify("https://github.com/owner/repo/tree/v1.2/src/train.py");
        assertThat(tree.kind()).isEqualTo(SourceKind.GITHUB_REPO);
        assertThat(tree.repository()).isEqualTo("owner/repo");
        assertThat(tree.gitRef()).isEqualTo("v1.2");
        assertThat(tree.repoPath()).isEqualTo("src/train.py");
        assertThat(tree.canonicalUrl()).isEqualTo("https://github.com/owner/repo");

        assertThat(classify("https://github.com/owner/repo.git").repository()).isEqualTo("owner/repo");
        assertThat(classify("git@github.com:owner/my.repo.git").repository()).isEqualTo("owner/my.repo");
        assertThat(classify("github.com/owner/repo").repository()).isEqualTo("owner/repo");
        assertThat(classify("https://github.com/owner/repo/blob/main/README.md").repoPath()).isEqualTo("README.md");
        assertThat(classify("https://raw.githubusercontent.com/owner/repo/abc/x.py").gitRef()).isEqualTo("abc");
        assertThat(classify("https://github.com/owner/repo/releases/tag/v2").gitRef()).isEqualTo("v2");
    }

    @Test
    public void shouldTellAPinnedCommitFromABranch() {
        String sha = "0123456789abcdef0123456789abcdef01234567";

        assertThat(classify("https://github.com/o/r/commit/" + sha).pinnedToCommit()).isTrue();
        assertThat(classify("https://github.com/o/r/tree/main").pinnedToCommit()).isFalse();
    }

    @Test
    public void shouldNotMistakeGithubSitePagesForRepositories() {
        assertThat(classify("https://github.com/orgs/nvidia").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://github.com/owner").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://github.com/-bad-/repo").kind()).isEqualTo(SourceKind.UNKNOWN);
    }

    @Test
    public void shouldClassifyPdfUrlsAndPaperPages() {
        SourceRef pdf = classify("https://aclanthology.org/2023.acl-long.1.pdf");
        assertThat(pdf.kind()).isEqualTo(SourceKind.PDF_URL);
        assertThat(pdf.host()).isEqualTo("aclanthology.org");

        assertThat(classify("https://openreview.net/forum?id=abcXYZ").kind()).isEqualTo(SourceKind.PAPER_URL);
        assertThat(classify("https://proceedings.neurips.cc/paper/2020/hash/abc-Abstract.html").kind())
                .isEqualTo(SourceKind.PAPER_URL);
        assertThat(classify("https://proceedings.mlr.press/v139/radford21a.html").kind())
                .isEqualTo(SourceKind.PAPER_URL);
        assertThat(classify("https://example.org/papers/Paper.PDF").kind()).isEqualTo(SourceKind.PDF_URL);
    }

    @Test
    public void shouldReadAWhollyPercentEncodedAddressAsTheAddress() {
        SourceRef ref = classify("https%3A%2F%2Fgithub.com%2Fowner%2Frepo");

        assertThat(ref.kind()).isEqualTo(SourceKind.GITHUB_REPO);
        assertThat(ref.repository()).isEqualTo("owner/repo");
        assertThat(ref.display()).isEqualTo("https://github.com/owner/repo");
    }

    @Test
    public void shouldCallEverythingElseUnknownInsteadOfGuessing() {
        assertThat(classify("the llama paper").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://example.org/blog/post").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://openreview.net/").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("ftp://example.org/p.pdf").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://huggingface.co/nvidia").kind()).isEqualTo(SourceKind.UNKNOWN);
        assertThat(classify("https://gitlab.com/group").kind()).isEqualTo(SourceKind.UNKNOWN);
    }

    @Test
    public void shouldClassifyALocalPdfFileByItsContent() throws Exception {
        Path pdf = temp.newFile("paper.pdf").toPath();
        Files.writeString(pdf, "%PDF-1.7\n...", StandardCharsets.US_ASCII);

        SourceRef ref = classify("paper.pdf");

        assertThat(ref.kind()).isEqualTo(SourceKind.PDF_FILE);
        assertThat(ref.localFile()).isEqualTo(pdf.toAbsolutePath().normalize().toString());
        assertThat(classify(pdf.toUri().toString()).kind()).isEqualTo(SourceKind.PDF_FILE);
    }

    @Test
    public void shouldRefuseALocalPdfThatDoesNotExistOrIsNotAPdf() throws Exception {
        assertThatThrownBy(() -> classify("missing.pdf")).isInstanceOf(InputException.class)
                .hasMessageContaining("--source-ref").hasMessageContaining("does not exist");
        Files.writeString(temp.newFile("fake.pdf").toPath(), "<html>", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> classify("fake.pdf")).hasMessageContaining("is not a PDF");
    }

    @Test
    public void shouldCallAnExistingNonPdfFileUnknown() throws Exception {
        Files.writeString(temp.newFile("notes.txt").toPath(), "hello", StandardCharsets.US_ASCII);

        assertThat(classify("notes.txt").kind()).isEqualTo(SourceKind.UNKNOWN);
    }

    @Test
    public void shouldRefuseAMissingBlankOrMultiLineReference() {
        assertThatThrownBy(() -> classify(null)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("--source-ref: is missing or blank");
        assertThatThrownBy(() -> classify("   ")).hasMessageContaining("is missing or blank");
        assertThatThrownBy(() -> classify("2401.01234\nrm -rf /")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> classify("a".repeat(5000))).hasMessageContaining("more than 4096");
    }

    @Test
    public void shouldSanitizeTheDisplayAndListWhatWasRemoved() {
        SourceRef ref = classify("https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r");

        assertThat(ref.kind()).isEqualTo(SourceKind.GITHUB_REPO);
        assertThat(ref.display()).isEqualTo("https://github.com/o/r");
        assertThat(ref.redactions()).extracting(Redaction::kind).containsExactly("url_user_info", "github_token");
        assertThat(ref.toJson().toString()).doesNotContain("ghs_abcdefghijklmnopqrstuvwxyz0123456789");
    }

    @Test
    public void shouldMaskASecretFoundInTheRefWhereverItReappears() {
        SourceRef ref = classify("https://github.com/o/r/tree/ghp_abcdefghijklmnopqrstuvwxyz0123456789");

        assertThat(ref.gitRef()).isEqualTo(Redactor.MASK);
        assertThat(ref.detail()).doesNotContain("ghp_");
    }

    @Test
    public void shouldReportSecretShapedTextTheScanDoesNotName() {
        SourceRef ref = classify("https://example.org/files/upload_password=opensesame/p.pdf");

        assertThat(ref.display()).doesNotContain("opensesame");
        assertThat(ref.redactions()).containsExactly(new Redaction("secret_shaped_text", null, false));
    }
    @Test
    public void shouldClassifyHuggingFaceGitlabBitbucketAndSshRepositories() {
        SourceRef model = classify("https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main");
        SourceRef dataset = classify("huggingface.co/datasets/openai/gsm8k");
        SourceRef gitlab = classify("https://gitlab.com/group/sub/project/-/blob/v1.2/src/train.py");
        SourceRef bitbucket = classify("https://bitbucket.org/team/repo/src/main/README.md");
        SourceRef ssh = classify("git@git.example.com:platform/tools/evals.git");

        assertThat(model.kind()).isEqualTo(SourceKind.HUGGINGFACE_REPO);
        assertThat(model.repository()).isEqualTo("meta-llama/Llama-3.1-8B");
        assertThat(model.gitRef()).isEqualTo("main");
        assertThat(dataset.canonicalUrl()).isEqualTo("https://huggingface.co/datasets/openai/gsm8k");
        assertThat(dataset.detail()).contains("Hugging Face dataset repository openai/gsm8k");
        assertThat(gitlab.kind()).isEqualTo(SourceKind.GITLAB_REPO);
        assertThat(gitlab.repository()).isEqualTo("group/sub/project");
        assertThat(gitlab.gitRef()).isEqualTo("v1.2");
        assertThat(gitlab.repoPath()).isEqualTo("src/train.py");
        assertThat(bitbucket.kind()).isEqualTo(SourceKind.BITBUCKET_REPO);
        assertThat(bitbucket.repository()).isEqualTo("team/repo");
        assertThat(ssh.kind()).isEqualTo(SourceKind.GIT_REPO);
        assertThat(ssh.display()).isEqualTo("git@git.example.com:platform/tools/evals.git");
        assertThat(ssh.kind().repository()).isTrue();
        SourceRef withQuery = classify("git@github.com:o/r.git?token=Zq8Xv3Lm9Np2Rs7Tw4Yb");
        assertThat(withQuery.kind()).isEqualTo(SourceKind.GITHUB_REPO);
        assertThat(withQuery.display()).isEqualTo("git@github.com:o/r.git");
    }

    @Test
    public void shouldRebuildTheDisplayFromSafePartsOnly() {
        SourceRef ref = classify("https://alice:pa/ss99@openreview.net/forum?id=rJXMpikCZ&t=Zq8Xv3Lm9Np2Rs7T"
                + "&utm_source=x#code=Zq8Xv3Lm9Np2");

        assertThat(ref.display()).isEqualTo("https://openreview.net/forum?id=rJXMpikCZ");
        assertThat(ref.redactions()).extracting(Redaction::kind).contains("url_user_info", "fragment");
        assertThat(classify("https://example.org/token/Zq8Xv3/report.pdf").display())
                .isEqualTo("https://example.org/token/[REDACTED]/report.pdf");
        assertThat(classify("https://hooks.slack.com/services/T0ABC/B0DEF/Zq8Xv3Lm9Np2Rs7Tw4Yb").display())
                .isEqualTo("https://hooks.slack.com/services/[REDACTED]");
        assertThat(classify("https://api.telegram.org/bot123456:AAHZq8Xv3Lm9Np2Rs7Tw4YbZq8Xv3Lm9Np2/getMe")
                .display()).isEqualTo("https://api.telegram.org/bot[REDACTED]/getMe");
        assertThat(classify("https://example.org/p.pdf#page=3").display()).isEqualTo("https://example.org/p.pdf#page=3");
        assertThat(classify("https://example.org/app;jsessionid=0A1B2C3D4E5F/p.pdf").display())
                .isEqualTo("https://example.org/app/p.pdf");
    }

    @Test
    public void shouldRefuseControlCharactersAlsoWhenPercentEncodedWithoutShowingTheReference() {
        for (String ref : new String[] {"https://example.org/p.pdf?x=Zq8Xv3%0Aecho", "arXiv:2401.01234%250D",
            "https://example.org/\u202ep.pdf"}) {
            assertThatThrownBy(() -> classify(ref)).isInstanceOf(InputException.class)
                    .hasMessageContaining("control characters").hasMessageNotContaining("Zq8Xv3")
                    .hasMessageNotContaining("example.org").hasMessageNotContaining("2401");
        }
    }
}
