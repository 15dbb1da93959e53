package dev.day0.cli.sota;

import dev.day0.cli.ExitCodeFamily;
import dev.day0.cli.OutFile;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.Subcommands;
import dev.day0.core.CommonExit;
import dev.day0.cli.Version;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import dev.day0.redact.UnmaskableSecretException;
import dev.day0.sota.Assessment;
import dev.day0.sota.BaselineGuard;
import dev.day0.sota.ClaimedMetric;
import dev.day0.sota.Claims;
import dev.day0.sota.DeltaReview;
import dev.day0.core.Direction;
import dev.day0.sota.JobScript;
import dev.day0.sota.Judgment;
import dev.day0.sota.JobState;
import dev.day0.sota.MetricsDocument;
import dev.day0.sota.Recipe;
import dev.day0.sota.ReproductionPlan;
import dev.day0.sota.SourceKind;
import dev.day0.sota.SourceRef;
import dev.day0.sota.SourceRefClassifier;
import dev.day0.sota.Tolerance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 sota classify|plan|assess|review}: reproduce a paper's claims, then judge a change on top of it. */
@Command(name = "sota",
        description = "Reproduce a paper (classify the source, plan the job, assess the reproduction), then review "
                + "a delta against the reproduced baseline. See docs/sota-delta.md.",
        mixinStandardHelpOptions = true)
@ExitCodeFamily(value = CommonExit.class, codes = {0, 1, 2, 70})
@Subcommands({SotaCommand.Classify.class, SotaCommand.Plan.class, SotaCommand.Assess.class,
    SotaCommand.Review.class})
public final class SotaCommand {

    /** Output for the sota commands: JSON through a redactor that also knows the source reference's secrets. */
    abstract static class SotaLeaf extends EngineCommand {
        /** Prints (or writes to {@code out}) the answer with the meaning of {@code exit}; returns the code. */
        int emit(ObjectNode json, CommonExit exit, Path out, Redactor redactor) {
            json.set("exit", exit.toJson());
            String text = Json.write(redactor.redactJson(json)) + System.lineSeparator();
            if (out == null) {
                console().print(text);
            } else {
                new RedactingWriter(console().redactor()).text(out, text);
            }
            return exit.code();
        }

        /** An output file is never one of the command's own inputs: a verdict must not replace its evidence. */
        static void refuseOverwritingInputs(Path out, Path... inputs) {
            if (out == null) {
                return;
            }
            Path target = BaselineGuard.resolve(out);
            for (Path input : inputs) {
                if (input != null && target.equals(BaselineGuard.resolve(input))) {
                    throw new InputException("--out", "", out + " is also an input of this command (" + input
                            + "); it would be overwritten");
                }
            }
        }

        SourceRefClassifier classifier() {
            return new SourceRefClassifier(console().redactor(), env(), Path.of("").toAbsolutePath());
        }
    }

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Say what a source reference points at, with every secret removed from it.",
            footer = {"", "Output: {kind, source_ref (sanitized), arxiv_id, arxiv_version, repository, git_ref, path, "
                    + "host, local_file, canonical_url, redactions[{kind, name, encoded}], detail}.",
                "kind: arxiv, pdf_url, pdf_file, github_repo, gitlab_repo, bitbucket_repo, huggingface_repo, "
                        + "git_repo, paper_url or unknown.",
                "Exit codes: 0 classified, 1 kind unknown, 2 reference missing, blank or unusable (a local PDF "
                        + "that does not exist or is not a PDF)."})
    static final class Classify extends SotaLeaf {
        @Option(names = "--source-ref", required = true, paramLabel = "REF",
                description = "arXiv id or URL, PDF URL or file, repository URL (GitHub, GitLab, Bitbucket, "
                        + "Hugging Face, git@host:org/repo), or paper URL.")
        String sourceRef;

        @Override
        public Integer call() {
            SourceRef ref = classifier().classify(sourceRef);
            return emit(ref.toJson(), ref.kind() == SourceKind.UNKNOWN ? CommonExit.FAILED : CommonExit.OK, null,
                    ref.redactor());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Write the reproduction plan a person approves before any spend (JSON and Markdown) and "
                    + "the job script for 'day0 rockie submit --script'.",
            footer = {"", "With --out-dir DIR: writes DIR/plan.json, DIR/plan.md and DIR/job.sh; an existing file "
                    + "with other content is never overwritten. Without it the plan (with the script text) goes "
                    + "to stdout only.",
                "Exit codes: 0 plan written (approval pending), 2 input could not be used (reference missing or "
                        + "of unknown kind, claims or recipe invalid, a secret in the recipe, an existing plan in "
                        + "--out-dir)."})
    static final class Plan extends SotaLeaf {
        @Option(names = "--source-ref", required = true, paramLabel = "REF", description = "The paper or code.")
        String sourceRef;

        @Option(names = "--claims", required = true, paramLabel = "FILE", description = "claims.yaml.")
        Path claims;

        @Option(names = "--recipe", required = true, paramLabel = "FILE", description = "recipe.yaml.")
        Path recipe;

        @Option(names = "--out-dir", paramLabel = "DIR", description = "Write plan.json, plan.md and job.sh here.")
        Path outDir;

        @Override
        public Integer call() {
            SourceRef ref = classifier().classify(sourceRef);
            if (ref.kind() == SourceKind.UNKNOWN) {
                throw new InputException(SourceRefClassifier.OPTION, "", "cannot tell what " + ref.display()
                        + " points at (" + ref.detail() + "); a plan needs an arXiv id or URL, a PDF, a "
                        + "repository or a paper URL, and day0 never guesses one");
            }
            Claims claimed = Claims.read(claims);
            Recipe steps = Recipe.read(recipe, ref.redactor(), env());
            Redactor redactor = withNamedSecrets(ref.redactor(), steps);
            String script = JobScript.render(ref, claimed, steps, Version.current(), redactor);
            ReproductionPlan plan = new ReproductionPlan(ref, claimed, steps, script);
            ObjectNode inputs = Json.object();
            inputs.set("claims", input(claims));
            inputs.set("recipe", input(recipe));

            if (outDir == null) {
                return emit(plan.toJson(null, inputs), CommonExit.OK, null, redactor);
            }
            Path scriptFile = outDir.resolve("job.sh");
            ObjectNode json = plan.toJson(scriptFile.toString(), inputs);
            Map<Path, String> files = new LinkedHashMap<>();
            files.put(scriptFile, script);
            files.put(outDir.resolve("plan.json"), Json.write(redactor.redactJson(json)) + System.lineSeparator());
            files.put(outDir.resolve("plan.md"), redactor.redact(plan.toMarkdown(scriptFile.toString())));
            writeAll(files, new RedactingWriter(redactor));
            int code = emit(json, CommonExit.OK, null, redactor);
            console().info(redactor.redact("day0 sota plan: wrote " + String.join(", ", files.keySet().stream()
                    .map(Path::toString).toList()) + "; nothing is spent until a person approves the quote"));
            return code;
        }

        /** The values, in this environment, of the secrets the recipe names: masked wherever they show up. */
        private Redactor withNamedSecrets(Redactor redactor, Recipe steps) {
            Map<String, String> named = new LinkedHashMap<>();
            for (String name : steps.secrets()) {
                String value = env().get(name);
                if (value != null) {
                    named.put(name, value);
                }
            }
            try {
                return redactor.andConfigured(named);
            } catch (UnmaskableSecretException e) {
                throw new InputException(recipe.toString(), "secrets", e.getMessage());
            }
        }

        private static ObjectNode input(Path file) {
            ObjectNode json = Json.object();
            json.put("file", file.toString());
            json.put("sha256", FileDigest.sha256(file));
            return json;
        }

        /** Writes every file, or none when one of them would replace a different existing file. */
        private void writeAll(Map<Path, String> files, RedactingWriter writer) {
            if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
                throw new InputException("--out-dir", "", outDir + " exists and is not a directory");
            }
            List<Path> unchanged = new ArrayList<>();
            for (Map.Entry<Path, String> file : files.entrySet()) {
                Path path = file.getKey();
                if (!Files.exists(path)) {
                    continue;
                }
                try {
                    if (Files.isRegularFile(path) && Files.readString(path, StandardCharsets.UTF_8)
                            .equals(writer.asWritten(file.getValue()))) {
                        unchanged.add(path);
                        continue;
                    }
                } catch (IOException e) {
                    // unreadable counts as different: refuse below
                }
                throw new InputException("--out-dir", "", path + " exists with other content: a plan that may "
                        + "have been approved is never overwritten; choose a new --out-dir");
            }
            Path script = outDir.resolve("job.sh");
            for (Map.Entry<Path, String> file : files.entrySet()) {
                if (unchanged.contains(file.getKey())) {
                    continue;
                }
                if (file.getKey().equals(script)) {
                    writer.script(file.getKey(), file.getValue());
                } else {
                    writer.text(file.getKey(), file.getValue());
                }
            }
        }
    }

    @Command(name = "assess", mixinStandardHelpOptions = true,
            description = "Judge a reproduction: each claimed metric against the reproduced one, then one verdict.",
            footer = {"", "Verdicts: reproduced, partially_reproduced, failed_to_reproduce, could_not_judge. "
                    + "failure_class (bug, infrastructure or null) and triage_class (for 'day0 triage') say why a "
                    + "run could not be judged.",
                "Exit codes: 0 reproduced, 1 any other verdict, 2 input could not be used (claims, state file, "
                        + "options)."})
    static final class Assess extends SotaLeaf {
        @Option(names = "--claims", required = true, paramLabel = "FILE", description = "claims.yaml.")
        Path claims;

        @Option(names = "--metrics", required = true, paramLabel = "FILE",
                description = "The reproduction's metrics.json; missing, empty or unparseable means could_not_judge.")
        Path metrics;

        @Option(names = "--job-state", paramLabel = "FILE",
                description = "The state file of 'day0 rockie submit'; without JOB_DONE nothing is judged.")
        Path jobState;

        @Mixin
        OutFile outFile = new OutFile();

        @Override
        public Integer call() {
            Path out = outFile.file();
            refuseOverwritingInputs(out, claims, metrics, jobState);
            Claims claimed = Claims.read(claims);
            JobState state = jobState == null ? null : JobState.read(jobState);
            Judgment<Assessment.Verdict> result = Assessment.assess(claimed, MetricsDocument.load(metrics), state);
            int code = emit(result.json(), result.verdict() == Assessment.Verdict.REPRODUCED ? CommonExit.OK
                    : CommonExit.FAILED, out, console().redactor());
            if (out != null) {
                console().info("day0 sota assess: " + result.verdict().label() + " (written to " + out + ")");
            }
            return code;
        }
    }

    @Command(name = "review", mixinStandardHelpOptions = true,
            description = "Review a delta run against the reproduced baseline, metric by metric, and suggest a "
                    + "failure class (bug, bad-hyperparam, bad-hypothesis, infrastructure).",
            footer = {"", "Metrics reviewed: those of --claims (name, direction, pointer, tolerance as the no-change "
                    + "band) and those named by --direction. The baseline keeps its own directory: a --delta or "
                    + "--out inside it (or a delta directory containing it) is refused.",
                "Outcomes: improved, no_change, regressed, mixed, could_not_judge.",
                "Exit codes: 0 improved, 1 any other outcome, 2 input could not be used (including a path that "
                        + "would touch the baseline directory)."})
    static final class Review extends SotaLeaf {
        @Option(names = "--baseline", required = true, paramLabel = "FILE",
                description = "The reproduced baseline's metrics.json, in a directory of its own.")
        Path baseline;

        @Option(names = "--delta", required = true, paramLabel = "FILE",
                description = "The delta run's metrics.json, outside the baseline directory.")
        Path delta;

        @Option(names = "--delta-description", required = true, paramLabel = "TEXT",
                description = "What the delta changed, in words.")
        String description;

        @Option(names = "--claims", paramLabel = "FILE", description = "claims.yaml: metrics, directions, bands.")
        Path claims;

        @Option(names = "--direction", paramLabel = "NAME=higher|lower",
                description = "Review metric NAME of metrics.json with this direction; repeatable. Overrides the "
                        + "direction of a claimed metric of the same name.")
        List<String> directions = new ArrayList<>();

        @Option(names = "--delta-job-state", paramLabel = "FILE",
                description = "The delta job's 'day0 rockie submit' state file.")
        Path deltaJobState;

        @Mixin
        OutFile outFile = new OutFile();

        @Override
        public Integer call() {
            Path out = outFile.file();
            if (description.isBlank()) {
                throw new InputException("--delta-description", "", "is blank: say what the delta changed");
            }
            if (description.length() > 2000) {
                throw new InputException("--delta-description", "", "is longer than 2000 characters");
            }
            if (description.chars().anyMatch(c -> (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)) {
                throw new InputException("--delta-description", "", "contains control characters");
            }
            BaselineGuard guard = new BaselineGuard(baseline);
            guard.checkDelta(delta);
            if (out != null) {
                guard.checkOutput("--out", out, delta);
                refuseOverwritingInputs(out, claims, deltaJobState);
            }
            List<DeltaReview.MetricSpec> specs = specs();
            JobState state = deltaJobState == null ? null : JobState.read(deltaJobState);
            Judgment<DeltaReview.Outcome> result = DeltaReview.review(specs, MetricsDocument.load(baseline),
                    MetricsDocument.load(delta), state, description.strip());
            int code = emit(result.json(), result.verdict() == DeltaReview.Outcome.IMPROVED ? CommonExit.OK
                    : CommonExit.FAILED, out, console().redactor());
            if (out != null) {
                console().info("day0 sota review: " + result.verdict().label() + " (written to " + out + ")");
            }
            return code;
        }

        private List<DeltaReview.MetricSpec> specs() {
            Map<String, DeltaReview.MetricSpec> specs = new LinkedHashMap<>();
            if (claims != null) {
                for (ClaimedMetric metric : Claims.read(claims).metrics()) {
                    specs.put(metric.name(), new DeltaReview.MetricSpec(metric.name(), metric.direction(),
                            metric.pointer(), metric.tolerance()));
                }
            }
            for (String entry : directions) {
                int eq = entry.lastIndexOf('=');
                String name = eq > 0 ? entry.substring(0, eq).strip() : "";
                Direction direction = eq > 0 ? Direction.parse(entry.substring(eq + 1)).orElse(null) : null;
                if (name.isEmpty() || direction == null) {
                    throw new InputException("--direction", "", "expected NAME=higher or NAME=lower, found \""
                            + entry + "\"");
                }
                DeltaReview.MetricSpec claimed = specs.get(name);
                specs.put(name, new DeltaReview.MetricSpec(name, direction, claimed == null ? null : claimed.pointer(),
                        claimed == null ? Tolerance.DEFAULT : claimed.band()));
            }
            if (specs.isEmpty()) {
                throw new InputException("day0 sota review", "", "no metric to review: give --claims or "
                        + "--direction NAME=higher|lower (day0 never guesses which way a metric is better)");
            }
            return new ArrayList<>(specs.values());
        }
    }
}
