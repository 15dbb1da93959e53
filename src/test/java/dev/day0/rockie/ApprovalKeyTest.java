package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ApprovalKeyTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldRefuseAShortKeyFromTheEnvironmentWithoutEchoingIt() {
        assertThatThrownBy(() -> ApprovalKey.forApproving(Map.of(ApprovalKey.ENV, "hunter2-short")))
                .isInstanceOfSatisfying(RockieException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(RockieExit.USAGE.code());
                    assertThat(e.getMessage()).contains(ApprovalKey.ENV).doesNotContain("hunter2");
                });
    }

    @Test
    public void shouldNotCreateAKeyFileWhenOnlyCheckingAnApproval() {
        Path file = temp.getRoot().toPath().resolve("none").resolve("approval.key");

        assertThatThrownBy(() -> ApprovalKey.forChecking(Map.of(ApprovalKey.FILE_ENV, file.toString())))
                .isInstanceOfSatisfying(RockieException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(RockieExit.USAGE.code()));
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    public void shouldKeepTheKeyFileItCreatedOnFirstUseForLaterApprovals() {
        Map<String, String> env = Map.of(ApprovalKey.FILE_ENV, temp.getRoot().toPath().resolve("k").toString());

        String first = ApprovalKey.forApproving(env).sign("material");
        String again = ApprovalKey.forChecking(env).sign("material");

        assertThat(again).isEqualTo(first).hasSize(64);
        assertThat(ApprovalKey.forChecking(env).signed("material", first)).isTrue();
        assertThat(ApprovalKey.forChecking(env).signed("other material", first)).isFalse();
        assertThat(ApprovalKey.forChecking(env).toString()).doesNotContain(first);
    }

    @Test
    public void shouldFindTheKeyFileUnderHomeUnlessOverridden() {
        assertThat(ApprovalKey.keyFile(Map.of("HOME", "/home/x"))).isEqualTo(Path.of("/home/x/.day0/approval.key"));
        assertThat(ApprovalKey.keyFile(Map.of("HOME", "/home/x", ApprovalKey.FILE_ENV, "/secure/k")))
                .isEqualTo(Path.of("/secure/k"));
    }
}
