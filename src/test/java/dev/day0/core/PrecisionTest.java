package dev.day0.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.gates.GateResult;
import dev.day0.gates.PtqGate;
import org.junit.Test;

/** The precisions checkpoints declare, including the OCP Microscaling widths. */
public class PrecisionTest {
    @Test
    public void shouldKnowEveryOcpMicroscalingFormatWithItsElementWidth() {
        assertThat(Precision.parse("mxfp4")).contains(Precision.MXFP4);
        assertThat(Precision.parse("MXFP4_E2M1")).contains(Precision.MXFP4);
        assertThat(Precision.parse("mxfp6_e2m3")).contains(Precision.MXFP6_E2M3);
        assertThat(Precision.parse("MXFP6-E3M2")).contains(Precision.MXFP6_E3M2);
        assertThat(Precision.parse("mxfp8_e4m3")).contains(Precision.MXFP8);
        assertThat(Precision.parse("mx_fp8e5m2")).contains(Precision.MXFP8);
        assertThat(Precision.parse("MXINT8")).contains(Precision.MXINT8);
        assertThat(Precision.MXFP4.bits()).isEqualTo(4);
        assertThat(Precision.MXFP6_E2M3.bits()).isEqualTo(6);
        assertThat(Precision.MXFP8.bits()).isEqualTo(8);
        assertThat(Precision.MXINT8.bits()).isEqualTo(8);
        assertThat(Precision.MXFP4.microscaling()).isTrue();
        assertThat(Precision.NVFP4.microscaling()).isFalse();
    }

    @Test
    public void shouldWaiveTheScaleGrowthOfAnMxfp4SourceRequantizedToNvfp4() {
        // MXFP4 keeps one 8-bit scale per 32 values, NVFP4 one per 16: the same 4-bit weights grow a little.
        String summary = "{\"recipe\": \"nvfp4\", \"source_bytes\": 13761264768, \"output_bytes\": 14358538568, "
                + "\"source_precision\": \"MXFP4\", \"layer_precision_counts\": {\"NVFP4\": 1536, \"excluded\": 121, "
                + "\"unexpected_unquantized\": 0, \"declaration_mismatch\": 0}, \"metadata_diffs\": []}";

        GateResult result = new PtqGate().evaluate(dev.day0.io.Json.parse(summary, "s"), "s", null);

        assertThat(result.pass()).as(result.detail()).isTrue();
        assertThat(result.toJson().path("notes").get(0).asText()).contains("the source is already MXFP4 (4 bits)");
    }

    @Test
    public void shouldKeepMxfp6WithoutItsElementFormatUnknown() {
        assertThat(Precision.parse("mxfp6")).isEmpty();
    }
}
