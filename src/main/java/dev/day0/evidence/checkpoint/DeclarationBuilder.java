package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a {@link QuantDeclaration} while its files are read, and the JSON the validation summary reports of
 * it. Mutable on purpose: the readers fill it field by field, then {@link QuantDeclaration} copies it.
 */
final class DeclarationBuilder {
    QuantDeclaration.Kind kind;
    final String source;
    String algo;
    Precision precision;
    final List<ModulePattern> excludes = new ArrayList<>();
    final List<QuantDeclaration.Group> groups = new ArrayList<>();
    final Map<String, Precision> perLayer = new LinkedHashMap<>();
    Long groupSize;
    String kvCache;
    final List<String> blockNames = new ArrayList<>();
    final List<String> inBlockModules = new ArrayList<>();
    String producer;
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    DeclarationBuilder(QuantDeclaration.Kind kind, String source) {
        this.kind = kind;
        this.source = source;
    }

    void addExcludes(Fields fields, JsonNode section, String name, String field) {
        excludes.addAll(patterns(fields, section, name, field));
    }

    List<ModulePattern> patterns(Fields fields, JsonNode section, String name, String field) {
        List<ModulePattern> patterns = new ArrayList<>();
        List<String> texts = fields.optionalStringList(section, name, field);
        for (int i = 0; i < texts.size(); i++) {
            try {
                ModulePattern pattern = ModulePattern.parse(texts.get(i));
                if (pattern.unresolvableClassName()) {
                    notes.add(field + "[" + i + "] \"" + texts.get(i) + "\" names a module class, which tensor "
                            + "headers cannot resolve; it was not applied");
                }
                patterns.add(pattern);
            } catch (IllegalArgumentException e) {
                throw fields.error(field + "[" + i + "]", e.getMessage());
            }
        }
        return patterns;
    }

    ObjectNode summary() {
        ObjectNode json = Json.object();
        json.put("kind", kind.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        json.put("source", kind == QuantDeclaration.Kind.NONE ? null : (source.startsWith("(") ? QuantDeclaration.CONFIG_FILE + " " + source
                : source));
        json.put("producer", producer);
        json.put("quant_algo", algo);
        json.put("precision", precision == null ? null : precision.name());
        json.put("group_size", groupSize);
        json.put("kv_cache", kvCache);
        var list = json.putArray("excluded_patterns");
        excludes.forEach(pattern -> list.add(pattern.text()));
        if (!groups.isEmpty()) {
            ObjectNode groupsJson = json.putObject("config_groups");
            for (QuantDeclaration.Group group : groups) {
                ObjectNode g = groupsJson.putObject(group.name());
                var targets = g.putArray("targets");
                group.targets().forEach(target -> targets.add(target.text()));
                g.put("precision", group.precision() == null ? null : group.precision().name());
                g.put("group_size", group.groupSize());
            }
        }
        if (!perLayer.isEmpty()) {
            json.put("quantized_layers", perLayer.size());
        }
        if (!blockNames.isEmpty()) {
            var blocks = json.putArray("block_name_to_quantize");
            blockNames.forEach(blocks::add);
        }
        if (!inBlockModules.isEmpty()) {
            var inBlock = json.putArray("modules_in_block_to_quantize");
            inBlockModules.forEach(inBlock::add);
        }
        return json;
    }
}
