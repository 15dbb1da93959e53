package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * A module matches an entry when it or one of its parent modules does. The rule, written out plainly here as the
 * name and every prefix cut at a dot, each matched on its own, is what {@link ModulePattern#matches} must answer
 * for every kind of entry.
 */
public class ModulePatternTest {
    private static final String[] ENTRIES = {
        "model.visual", "model.layers.0", "lm_head", "", "model", ".", "model.", "re:.*mlp\\.gate$", "re:model.vision",
        "re:vision_tower", "re:^model\\.layers\\.\\d+$", "re:(?<=\\.)mlp", "re:model\\.layers\\.1(?!\\d)",
        "re:.*", "re:$", "*.mlp.gate*", "model.layers.[0-1].*", "model.layers.*.self_attn", "*", "model.?",
        "model.layers.[!0].mlp", "*experts*", "Linear", "LlamaDecoderLayer", "*.mlp.gate", "*gate", "lm_head*",
        "model.layers.1*", "*.", "*..", "**", "*mlp*gate*", "*mlp.*", ".*", "*layers.1", "model.*.mlp",
    };

    private static final String[] PARTS = {"model", "layers", "0", "1", "12", "mlp", "gate", "gate_proj", "visual",
        "vision_tower", "self_attn", "experts", "lm_head", "", "qkv", "blocks"};

    @Test
    public void shouldMatchAModuleExactlyWhenItOrOneOfItsParentsMatchesTheEntry() {
        Random random = new Random(20261203);
        List<String> modules = new ArrayList<>(List.of("model.visual.blocks.0.attn.qkv", "model.visual_extra.proj",
                "model.layers.1.mlp.up_proj", "model.layers.12.mlp", "lm_head", "", ".", "model.", ".model",
                "model..layers", "model.layers.0.mlp.gate"));
        for (int n = 0; n < 3000; n++) {
            StringBuilder name = new StringBuilder();
            int depth = 1 + random.nextInt(6);
            for (int d = 0; d < depth; d++) {
                name.append(d == 0 ? "" : ".").append(PARTS[random.nextInt(PARTS.length)]);
            }
            modules.add(name.toString());
        }
        for (String entry : ENTRIES) {
            ModulePattern pattern = ModulePattern.parse(entry);
            for (String module : modules) {
                assertThat(pattern.matches(module)).as("%s matches %s", entry, module)
                        .isEqualTo(byPrefixes(entry, module));
            }
        }
    }

    /** The rule as the exporters mean it, without shortcuts. */
    private static boolean byPrefixes(String entry, String module) {
        if ("Linear".equals(entry)) {
            return true;
        }
        boolean wildcard = entry.contains("*") || entry.contains("?") || entry.contains("[");
        if (!entry.startsWith("re:") && !wildcard && !entry.contains(".") && !entry.isEmpty()
                && Character.isUpperCase(entry.charAt(0))) {
            return false;
        }
        String candidate = module;
        while (true) {
            boolean hit;
            if (entry.startsWith("re:")) {
                hit = Pattern.compile(entry.substring(3)).matcher(candidate).lookingAt();
            } else if (wildcard) {
                hit = Pattern.compile(ModulePattern.globToRegex(entry)).matcher(candidate).matches();
            } else {
                hit = entry.equals(candidate);
            }
            if (hit) {
                return true;
            }
            int dot = candidate.lastIndexOf('.');
            if (dot < 0) {
                return false;
            }
            candidate = candidate.substring(0, dot);
        }
    }
}
