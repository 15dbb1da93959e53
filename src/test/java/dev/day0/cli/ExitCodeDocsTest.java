package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.cli.mlflow.MlflowExit;
import dev.day0.core.CommonExit;
import dev.day0.core.ExitCode;
import dev.day0.release.ReleaseExit;
import dev.day0.rockie.RockieExit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * docs/exit-codes.md lists every exit code of every command family exactly as the enums define them, and
 * {@code --help} prints the same list. Run with {@code -Dday0.docs.update=true} to rewrite the tables after
 * changing an enum.
 */
public class ExitCodeDocsTest {
    private static final Path DOC = Path.of("docs", "exit-codes.md");
    private static final String BEGIN = "<!-- exit codes: generated from the enums by ExitCodeDocsTest -->";
    private static final String END = "<!-- end of exit codes -->";
    private static final Map<String, Class<? extends ExitCode>> FAMILIES = Map.of(
            "Every command (gate, inspect, report, triage, probe, slurm, sota)", CommonExit.class,
            "day0 release run", ReleaseExit.class,
            "day0 rockie", RockieExit.class,
            "day0 mlflow", MlflowExit.class,
            "day0 publish", PublishExit.class);
    private static final List<String> ORDER = List.of("Every command (gate, inspect, report, triage, probe, slurm, sota)",
            "day0 release run", "day0 rockie", "day0 mlflow", "day0 publish");

    static String tables() {
        StringBuilder text = new StringBuilder(BEGIN).append("\n");
        for (String family : ORDER) {
            text.append("\n### ").append(family).append(" (`").append(FAMILIES.get(family).getSimpleName())
                    .append("`)\n\n| code | name | meaning |\n|---:|---|---|\n");
            for (ExitCode exit : FAMILIES.get(family).getEnumConstants()) {
                text.append("| ").append(exit.code()).append(" | ").append(exit.name()).append(" | ")
                        .append(exit.meaning()).append(" |\n");
            }
        }
        return text.append("\n").append(END).toString();
    }

    @Test
    public void shouldDocumentEveryExitCodeAsTheEnumsDefineIt() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("the generated section's markers in " + DOC).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String expected = tables();
        if (Boolean.getBoolean("day0.docs.update")) {
            doc = doc.substring(0, begin) + expected + doc.substring(end + END.length());
            Files.writeString(DOC, doc, StandardCharsets.UTF_8);
        }

        assertThat(doc.substring(doc.indexOf(BEGIN), doc.indexOf(END) + END.length())).isEqualTo(expected);
    }

    @Test
    public void shouldListTheFamilysCodesInHelp() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Day0.execute(new String[] {"rockie", "submit", "--help"}, new PrintWriter(out),
                new PrintWriter(err), Map.of());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Exit codes:")
                .contains("130").contains("CANCELLED: " + RockieExit.CANCELLED.meaning().substring(0, 20))
                .contains("NOT_APPROVED");
    }

    @Test
    public void shouldListOnlyTheCodesACommandUses() {
        StringWriter out = new StringWriter();

        Day0.execute(new String[] {"rockie", "render", "--help"}, new PrintWriter(out), new PrintWriter(out),
                Map.of());

        assertThat(out.toString()).contains("NO_TERM_SHEET").doesNotContain("CANCELLED");
    }
}
