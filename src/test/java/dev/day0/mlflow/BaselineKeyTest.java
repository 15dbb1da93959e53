package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

public class BaselineKeyTest {
    /** sha256 of {"gsm8k":{},"mmlu_pro":{}}, computed outside Java (Python hashlib). */
    public static final String TASKS_HASH = "273d03689bf30ab08907f5c100812d6c787f920ad47f559e0578d3eea06b4029";
    /** sha256 of {"max_tokens":2048,"temperature":0.6,"top_p":0.95}, computed outside Java. */
    public static final String SAMPLING_HASH = "ea3f0cf91f41a885238998c1d0125473497e9311931736cfe9b356ffb2fede42";

    static BaselineKey key(String tasks, String sampling, String configHash) {
        return BaselineKey.of("meta-llama/Llama-3.1-8B-Instruct", Json.parse(tasks, "--tasks"), "--tasks",
                Json.parse(sampling, "--sampling"), "--sampling", configHash);
    }

    @Test
    public void shouldWriteCanonicalJsonWithSortedKeysAndNoWhiteSpace() {
        String canonical = BaselineKey.canonicalJson(Json.parse(
                "{ \"top_p\": 0.95, \"temperature\": 0.6, \"max_tokens\": 2048, \"stop\": [\"</s>\", \"\\n\"] }",
                "doc"));

        assertThat(canonical).isEqualTo("{\"max_tokens\":2048,\"stop\":[\"</s>\",\"\\u000a\"],\"temperature\":0.6,"
                + "\"top_p\":0.95}");
    }

    @Test
    public void shouldWriteEveryNumberAsItsPlainDecimalValue() {
        String canonical = BaselineKey.canonicalJson(Json.parse(
                "[1, 1.0, 1e0, 0.50, -0.0, 1.5e3, 100, 2.50E-3, 12345678901234567890]", "doc"));

        assertThat(canonical).isEqualTo("[1,1,1,0.5,0,1500,100,0.0025,12345678901234567890]");
    }

    @Test
    public void shouldEscapeOnlyQuotesBackslashesAndControlCharacters() {
        String canonical = BaselineKey.canonicalJson(Json.parse("[\"a\\\"b\\\\c/d\\té\"]", "doc"));

        assertThat(canonical).isEqualTo("[\"a\\\"b\\\\c/d\\u0009é\"]");
    }

    @Test
    public void shouldSortKeysByCodePointNotByUtf16Unit() {
        // U+FF61 sorts before U+1F600 by code point; as UTF-16 units the surrogate D83D would come first.
        String canonical = BaselineKey.canonicalJson(Json.parse("{\"\uD83D\uDE00\": 1, \"\uFF61\": 2}", "doc"));

        assertThat(canonical).isEqualTo("{\"\uFF61\":2,\"\uD83D\uDE00\":1}");
    }

    @Test
    public void shouldHashTheCanonicalTextWithSha256() {
        BaselineKey key = key("[\"mmlu_pro\", \"gsm8k\"]", "{\"temperature\": 0.60, \"top_p\": 0.95, "
                + "\"max_tokens\": 2048}", null);

        assertThat(key.taskSetHash()).isEqualTo(TASKS_HASH);
        assertThat(key.samplingParamsHash()).isEqualTo(SAMPLING_HASH);
    }

    @Test
    public void shouldTreatATaskListAsASetEqualToTheObjectForm() {
        BaselineKey list = key("[\"mmlu_pro\", \"gsm8k\"]", "{}", null);
        BaselineKey reordered = key("[\"gsm8k\", \"mmlu_pro\"]", "{}", null);
        BaselineKey object = key("{\"gsm8k\": {}, \"mmlu_pro\": {}}", "{}", null);

        assertThat(list.taskSetHash()).isEqualTo(reordered.taskSetHash()).isEqualTo(object.taskSetHash());
        assertThat(list.tasks()).containsExactly("gsm8k", "mmlu_pro");
    }

    @Test
    public void shouldGiveADifferentHashWhenATaskConfigDiffers() {
        BaselineKey fiveShot = key("{\"mmlu_pro\": {\"num_fewshot\": 5}}", "{}", null);
        BaselineKey zeroShot = key("{\"mmlu_pro\": {\"num_fewshot\": 0}}", "{}", null);

        assertThat(fiveShot.taskSetHash()).isNotEqualTo(zeroShot.taskSetHash());
    }

    @Test
    public void shouldRejectARepeatedTaskNamingTheElement() {
        assertThatThrownBy(() -> key("[\"gsm8k\", \"gsm8k\"]", "{}", null))
                .isInstanceOf(InputException.class)
                .hasMessage("--tasks: [1]: repeats task \"gsm8k\"");
    }

    @Test
    public void shouldRejectAnEmptyTaskSetAndAWrongType() {
        assertThatThrownBy(() -> key("[]", "{}", null)).hasMessage("--tasks: has no tasks");
        assertThatThrownBy(() -> key("\"gsm8k\"", "{}", null))
                .hasMessage("--tasks: must be a list of task names or an object {task: config}, found string "
                        + "\"gsm8k\"");
        assertThatThrownBy(() -> key("{\"gsm8k\": 5}", "{}", null))
                .hasMessage("--tasks: gsm8k: must be an object, found number 5");
    }

    @Test
    public void shouldRejectNonFiniteSamplingParametersNamingTheField() {
        assertThatThrownBy(() -> key("[\"gsm8k\"]", "{\"extra\": {\"temperature\": NaN}}", null))
                .isInstanceOf(InputException.class)
                .hasMessage("--sampling: extra.temperature: must be a finite number, found NaN");
    }

    @Test
    public void shouldRejectSamplingParametersThatAreNotAnObject() {
        assertThatThrownBy(() -> key("[\"gsm8k\"]", "[0.6]", null))
                .hasMessage("--sampling: must be an object, found a list");
    }

    @Test
    public void shouldRejectAModelNameThatCannotBeWrittenInAFilter() {
        assertThatThrownBy(() -> BaselineKey.of("o'brien/model", Json.parse("[\"gsm8k\"]", "t"), "t",
                Json.parse("{}", "s"), "s", null))
                .hasMessageStartingWith("--model: must be at most 250 characters without quotes");
    }

    @Test
    public void shouldRejectAConfigHashWithOddCharacters() {
        assertThatThrownBy(() -> key("[\"gsm8k\"]", "{}", "abc' OR '1"))
                .hasMessageStartingWith("--config-hash: must be 1 to 250 characters");
    }

    @Test
    public void shouldListItsTagsAndTheConfigHashOnlyWhenKnown() {
        BaselineKey without = key("[\"gsm8k\", \"mmlu_pro\"]", "{\"temperature\": 0.6, \"top_p\": 0.95, "
                + "\"max_tokens\": 2048}", null);
        BaselineKey with = key("[\"gsm8k\", \"mmlu_pro\"]", "{}", "4f0c9a1e");

        assertThat(without.tags()).containsExactly(
                Map.entry("day0.model", "meta-llama/Llama-3.1-8B-Instruct"),
                Map.entry("day0.task_set_hash", TASKS_HASH),
                Map.entry("day0.sampling_params_hash", SAMPLING_HASH));
        assertThat(with.tags()).containsEntry("day0.config_hash", "4f0c9a1e");
    }

    @Test
    public void shouldMatchOnlyRunsThatAgreeOnEveryPart() {
        BaselineKey key = key("[\"gsm8k\"]", "{\"temperature\": 0}", "4f0c9a1e");
        Map<String, String> tags = new HashMap<>(key.tags());
        tags.put("day0.kind", "eval");

        assertThat(key.mismatch(tags)).isNull();
        tags.put("day0.sampling_params_hash", "0".repeat(64));
        assertThat(key.mismatch(tags)).startsWith("tag day0.sampling_params_hash is \"000");
        tags.putAll(key.tags());
        tags.remove("day0.config_hash");
        assertThat(key.mismatch(tags)).isEqualTo("tag day0.config_hash is missing");
    }

    @Test
    public void shouldBeEqualForTheSameDocumentsSpelledDifferently() {
        assertThat(key("[\"a\", \"b\"]", "{\"t\": 1.0}", null)).isEqualTo(key("[\"b\", \"a\"]", "{\"t\": 1}", null));
        assertThat(key("[\"a\"]", "{\"t\": 1}", null)).isNotEqualTo(key("[\"a\"]", "{\"t\": 1}", "x1"));
    }
}
