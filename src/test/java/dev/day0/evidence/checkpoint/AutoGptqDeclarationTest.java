package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Precision;
import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** AutoGPTQ's quantize_config.json, alone or next to config.json's quantization_config. */
public class AutoGptqDeclarationTest {
    private static final String AUTOGPTQ = "{\"bits\": 4, \"group_size\": 128, \"damp_percent\": 0.01, "
            + "\"desc_act\": false, \"sym\": true, \"true_sequential\": true}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path checkpoint(String config, String quantizeConfig) throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), config);
        if (quantizeConfig != null) {
            Files.writeString(dir.resolve("quantize_config.json"), quantizeConfig);
        }
        return dir;
    }

    @Test
    public void shouldReadTheGptqDeclarationOfQuantizeConfigWhenConfigJsonHasNone() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{\"model_type\": \"llama\"}", AUTOGPTQ));

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.TRANSFORMERS);
        assertThat(declaration.algo()).isEqualTo("gptq");
        assertThat(declaration.precision()).isEqualTo(Precision.INT4);
        assertThat(declaration.groupSize()).isEqualTo(128);
        assertThat(declaration.int4Method()).isEqualTo("gptq");
        assertThat(declaration.expect("model.layers.0.mlp.down_proj").quantized()).isTrue();
        assertThat(declaration.problems()).singleElement().asString()
                .startsWith("config.json has no quantization_config")
                .contains("quantize_config.json");
    }

    @Test
    public void shouldAcceptQuantizeConfigThatAgreesWithConfigJson() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{\"quantization_config\": {\"quant_method\": "
                + "\"gptq\", \"bits\": 4.0, \"group_size\": 128, \"desc_act\": false, \"sym\": true}}", AUTOGPTQ));

        assertThat(declaration.problems()).isEmpty();
        assertThat(declaration.precision()).isEqualTo(Precision.INT4);
    }

    @Test
    public void shouldNameBothFilesWhenTheyDisagreeOnActOrder() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{\"quantization_config\": {\"quant_method\": "
                + "\"gptq\", \"bits\": 4, \"group_size\": 128, \"desc_act\": true}}", AUTOGPTQ));

        assertThat(declaration.problems()).containsExactly("quantize_config.json declares desc_act false but "
                + "config.json (quantization_config) declares true: the export's two declarations disagree; "
                + "re-export the checkpoint");
    }

    @Test
    public void shouldNoteALeftoverQuantizeConfigNextToAnotherMethodWithoutUsingIt() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{\"quantization_config\": {\"quant_method\": "
                + "\"awq\", \"bits\": 4, \"group_size\": 128}}", AUTOGPTQ));

        assertThat(declaration.algo()).isEqualTo("awq");
        assertThat(declaration.problems()).isEmpty();
        assertThat(declaration.notes()).singleElement().asString()
                .isEqualTo("quantize_config.json (AutoGPTQ) is present, but config.json declares \"awq\", which is "
                        + "what loaders read; the file was not used");
    }

    @Test
    public void shouldBlockABitWidthDay0DoesNotJudge() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{}", "{\"bits\": 3, \"group_size\": 128}"));

        assertThat(declaration.precision()).isNull();
        assertThat(declaration.problems()).contains("quantize_config.json: bits 3 is not 4 or 8: day0 judges 4- and "
                + "8-bit GPTQ exports only");
    }

    @Test
    public void shouldBlockAQuantizeConfigThatNamesAnotherMethod() throws IOException {
        QuantDeclaration declaration = QuantDeclaration.read(checkpoint("{}", "{\"quant_method\": \"awq\", "
                + "\"bits\": 4}"));

        assertThat(declaration.problems()).contains("quantize_config.json: quant_method \"awq\" is not GPTQ, the "
                + "only method AutoGPTQ writes this file for");
    }

    @Test
    public void shouldNameTheFileAndFieldOfAMalformedQuantizeConfig() throws IOException {
        Path dir = checkpoint("{}", "{\"bits\": \"four\"}");

        assertThatThrownBy(() -> QuantDeclaration.read(dir)).isInstanceOf(InputException.class)
                .hasMessageContaining("quantize_config.json").hasMessageContaining("bits");
    }

    @Test
    public void shouldNameTheFileOfAQuantizeConfigThatIsNotAnObject() throws IOException {
        Path dir = checkpoint("{}", "[4]");

        assertThatThrownBy(() -> QuantDeclaration.read(dir)).isInstanceOf(InputException.class)
                .hasMessageContaining("quantize_config.json");
    }
}
