package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.Test;

public class BatchScriptTest {

    static SlurmJobSpec spec(SlurmOptions options, List<String> command) {
        return new SlurmJobSpec("llama3-fp8", "ptq", 1, "/runs/r1", command, options, "/shared/day0/ptq.out");
    }

    @Test
    public void shouldWriteEverySlurmOptionAsAnSbatchDirective() {
        SlurmOptions options = new SlurmOptions(null, "batch", "proj42", "high", 2, "h100:8", "gpu:8", "02:00:00",
                "ib", List.of("--mem=64G", "--exclusive"), List.of("HF_TOKEN"), "/shared/day0");

        String script = BatchScript.render(spec(options, List.of("python", "ptq.py")));

        assertThat(script).startsWith("#!/bin/bash\n").contains("#SBATCH --partition=batch\n",
                "#SBATCH --account=proj42\n", "#SBATCH --qos=high\n", "#SBATCH --nodes=2\n",
                "#SBATCH --gpus=h100:8\n", "#SBATCH --gres=gpu:8\n", "#SBATCH --time=02:00:00\n",
                "#SBATCH --constraint=ib\n", "#SBATCH --mem=64G\n", "#SBATCH --exclusive\n",
                "#SBATCH --chdir=/shared/day0\n", "#SBATCH --output=/shared/day0/ptq.out\n");
    }

    @Test
    public void shouldNameTheJobUniquelyForPlanStageAttemptAndRun() {
        SlurmJobSpec first = spec(SlurmOptions.none(), List.of("true"));
        SlurmJobSpec retry = new SlurmJobSpec("llama3-fp8", "ptq", 2, "/runs/r1", List.of("true"),
                SlurmOptions.none(), "/o");
        SlurmJobSpec otherRun = new SlurmJobSpec("llama3-fp8", "ptq", 1, "/runs/r2", List.of("true"),
                SlurmOptions.none(), "/o");

        String script = BatchScript.render(first);

        assertThat(script).contains("#SBATCH --job-name=" + first.jobName() + "\n",
                "#SBATCH --comment=" + first.comment() + "\n");
        assertThat(first.jobName()).startsWith("day0-llama3-fp8-ptq-a1-");
        assertThat(List.of(first.jobName(), retry.jobName(), otherRun.jobName())).doesNotHaveDuplicates();
    }

    @Test
    public void shouldPassEnvironmentByNameOnlyAndNothingElseByDefault() {
        SlurmOptions withEnv = new SlurmOptions(null, null, null, null, null, null, null, null, null, List.of(),
                List.of("HF_TOKEN", "WANDB_API_KEY"), null);

        assertThat(BatchScript.render(spec(withEnv, List.of("true"))))
                .contains("#SBATCH --export=HF_TOKEN,WANDB_API_KEY\n");
        assertThat(BatchScript.render(spec(SlurmOptions.none(), List.of("true")))).contains("#SBATCH --export=NONE\n");
    }

    @Test
    public void shouldQuoteTheCommandSoTheShellRunsItAsGiven() {
        String script = BatchScript.render(spec(SlurmOptions.none(),
                List.of("sh", "-c", "echo \"$HOME\" it's; rm -rf nothing")));

        assertThat(script).endsWith("\nsh -c 'echo \"$HOME\" it'\"'\"'s; rm -rf nothing'\n");
    }

    @Test
    public void shouldExportDayZerosOwnVariablesBeforeTheCommand() {
        SlurmJobSpec spec = new SlurmJobSpec("p", "ptq", 1, "/runs/1", List.of("sh", "ptq.sh"),
                java.util.Map.of("DAY0_STAGE", "ptq", "DAY0_STAGE_DIR", "/shared/run 1/ptq"), SlurmOptions.none(),
                "/o");

        assertThat(BatchScript.render(spec)).endsWith("export DAY0_STAGE=ptq\n"
                + "export DAY0_STAGE_DIR='/shared/run 1/ptq'\nsh ptq.sh\n");
    }

    @Test
    public void shouldLeaveOptionsOutThatThePlanDoesNotGive() {
        String script = BatchScript.render(spec(SlurmOptions.none(), List.of("true")));

        assertThat(script).doesNotContain("--partition", "--account", "--gpus", "--time", "--chdir");
    }
}
