package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RecipeTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static final String MINIMAL = "run:\n  - python eval.py\n";

    private Recipe read(String yaml) {
        return read(yaml, Map.of());
    }

    private Recipe read(String yaml, Map<String, String> env) {
        return Recipe.read(SotaFiles.write(temp.getRoot().toPath(), "recipe.yaml", yaml),
                Redactor.fromEnvironment(env), env);
    }

    private void assertRefused(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(InputException.class)
                .hasMessageContaining("recipe.yaml: ").hasMessageContaining(message);
    }

    @Test
    public void shouldReadEveryDocumentedField() {
        Recipe recipe = read(SotaFiles.RECIPE);

        assertThat(recipe.name()).isEqualTo("sst2-repro");
        assertThat(recipe.seed()).isEqualTo(7L);
        assertThat(recipe.setup()).containsExactly("pip install torch");
        assertThat(recipe.run()).containsExactly("python train.py --seed \"$DAY0_SEED\"");
        assertThat(recipe.env()).containsEntry("BATCH_SIZE", "32");
        assertThat(recipe.secrets()).containsExactly("HF_TOKEN");
        assertThat(recipe.compute()).isEqualTo(new Recipe.Compute("A100_80GB", 1, 60L, null, null));
    }

    @Test
    public void shouldDefaultTheNameWorkdirAndMetricsFile() {
        Recipe recipe = read(MINIMAL);

        assertThat(recipe.name()).isEqualTo("reproduction");
        assertThat(recipe.workdir()).isEqualTo("/workspace");
        assertThat(recipe.metricsFile()).isEqualTo("/workspace/results/metrics.json");
        assertThat(recipe.metricsInResults()).isTrue();
        assertThat(recipe.seed()).isNull();
        assertThat(recipe.compute()).isNull();
    }

    @Test
    public void shouldRefuseASecretInACommandNamingFieldAndKindButNotTheValue() {
        String token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

        assertThatThrownBy(() -> read("run:\n  - git clone https://" + token + "@github.com/o/r\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("run[0]: contains a secret value (url_user_info, github_token)")
                .hasMessageNotContaining(token);
    }

    @Test
    public void shouldRefuseSecretsInEveryOtherPlaceOfTheRecipe() {
        assertRefused("setup:\n  - export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz012345\n" + MINIMAL,
                "setup[0]: contains a secret value");
        assertRefused(MINIMAL + "env:\n  MODEL_URL: https://b.s3.amazonaws.com/m?X-Amz-Signature=abcdef123456\n",
                "env.MODEL_URL: contains a secret value");
        assertRefused(MINIMAL + "env:\n  HF_TOKEN: abc\n", "env.HF_TOKEN: is the name of a secret variable");
        assertRefused(MINIMAL + "env:\n  WANDB_API_KEY: abc\n", "env.WANDB_API_KEY: is the name of a secret");
        assertRefused(MINIMAL + "metrics_file: /workspace/sk-proj-abcdefghijklmnopqrstuv.json\n",
                "metrics_file: contains a secret value");
    }

    @Test
    public void shouldRefuseAValueThatIsAKnownSecretOfTheEnvironment() {
        assertThatThrownBy(() -> read("run:\n  - echo plainvalue123\n", Map.of("HF_TOKEN", "plainvalue123")))
                .hasMessageContaining("run[0]: contains a secret value (known_secret HF_TOKEN)");
    }

    @Test
    public void shouldAcceptEnvironmentNamesThatOnlyLookLikeSecrets() {
        Recipe recipe = read(MINIMAL + "env:\n  TOKENIZERS_PARALLELISM: \"false\"\n  MAX_TOKENS: 512\n");

        assertThat(recipe.env()).containsEntry("TOKENIZERS_PARALLELISM", "false").containsEntry("MAX_TOKENS", "512");
    }

    @Test
    public void shouldRefuseCommandsThatAreMissingEmptyOrNotAList() {
        assertRefused("name: x\n", "run: is missing");
        assertRefused("run: []\n", "run: is empty");
        assertRefused("run: python train.py\n", "run: must be a list of commands");
        assertRefused("run:\n  - \"  \"\n", "run[0]: is blank");
        assertRefused("run:\n  - 42\n", "run[0]: must be a string");
        assertRefused("run:\n  - \"echo \\u0007\"\n", "run[0]: contains control characters");
    }

    @Test
    public void shouldRefuseBadPathsNamesAndVariables() {
        assertRefused(MINIMAL + "metrics_file: out/metrics.json\n", "metrics_file: must be an absolute path");
        assertRefused(MINIMAL + "metrics_file: /workspace/../etc/x\n", "metrics_file: must not contain . or ..");
        assertRefused(MINIMAL + "workdir: /workspace/\n", "workdir: must name a file or directory without");
        assertRefused(MINIMAL + "config_files: [/a/recipe.json]\n", "config_files[0]: is named recipe.json");
        assertRefused(MINIMAL + "config_files: [/a/c.yaml, /b/c.yaml]\n", "config_files[1]: has the same file name");
        assertRefused(MINIMAL + "name: \"my run\"\n", "name: must be letters, digits");
        assertRefused(MINIMAL + "env:\n  1BAD: x\n", "env.1BAD: is not a valid environment variable name");
        assertRefused(MINIMAL + "env:\n  PATH: /opt/bin\n", "env.PATH: PATH changes how the job's shell runs");
        assertRefused(MINIMAL + "env:\n  DAY0_SEED: 1\n", "env.DAY0_SEED: DAY0_ variables are set by the job");
        assertRefused(MINIMAL + "env:\n  X: [1]\n", "env.X: must be a string, a finite number or a boolean");
        assertRefused(MINIMAL + "secrets: [HF_TOKEN, HF_TOKEN]\n", "secrets[1]: HF_TOKEN is listed twice");
        assertRefused(MINIMAL + "env: {A: b}\nsecrets: [A]\n", "secrets[0]: A is also given a value under env");
        assertRefused(MINIMAL + "seed: -3\n", "seed: must be at least 0");
        assertRefused(MINIMAL + "seed: 1.5\n", "seed: must be a whole number");
        assertRefused(MINIMAL + "image: x\n", "image: unknown field");
    }

    @Test
    public void shouldRefuseAnUnknownComputeShape() {
        assertRefused(MINIMAL + "compute: {gpu_type: RTX4090, gpu_count: 1}\n", "compute.gpu_type: must be one of "
                + "A40_48GB, A100_80GB, H100_SXM, H200, B200");
        assertRefused(MINIMAL + "compute: {gpu_type: H200}\n", "compute.gpu_count: is missing");
        assertRefused(MINIMAL + "compute: {gpu_type: H200, gpu_count: 0}\n", "compute.gpu_count: must be at least 1");
        assertRefused(MINIMAL + "compute: {gpu_type: H200, gpu_count: 1, wallclock_minutes: 0}\n",
                "compute.wallclock_minutes: must be at least 1");
        assertRefused(MINIMAL + "compute: {gpu_count: 1}\n", "compute.gpu_type: is missing");
    }

    @Test
    public void shouldRenderItselfWithoutAnySecretValue() {
        String json = read(SotaFiles.RECIPE).toJson().toString();

        assertThat(json).contains("\"secrets\":[\"HF_TOKEN\"]").contains("\"gpu_type\":\"A100_80GB\"");
    }
}
