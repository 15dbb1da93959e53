package dev.day0.evidence.checkpoint;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of a quantization declaration's module list ({@code exclude_modules}, {@code ignore},
 * {@code targets}) and how the exporters that write it mean it:
 * <ul>
 *   <li>{@code re:<regex>}: compressed-tensors' regular expression, matched from the start of the module name
 *       (Python's {@code re.match});</li>
 *   <li>a name with {@code *}, {@code ?} or {@code [...]}: ModelOpt's shell-style wildcard ({@code fnmatch}),
 *       where {@code *} also crosses dots;</li>
 *   <li>{@code Linear}: compressed-tensors' class-name target for every linear layer;</li>
 *   <li>anything else: an exact module name.</li>
 * </ul>
 * A module also matches when one of its parent modules does: excluding {@code model.visual} excludes everything
 * under it.
 */
public final class ModulePattern {
    private final String text;
    private final Pattern regex;
    private final boolean anchoredAtEnd;
    private final boolean allLinear;
    private final boolean className;
    private final boolean substring;
    /** Set for a wildcard entry whose only wildcards are a leading or trailing {@code *}; else null. */
    private final Affix affix;

    private ModulePattern(String text, Pattern regex, boolean anchoredAtEnd, boolean allLinear, boolean className) {
        this(text, regex, anchoredAtEnd, allLinear, className, false);
    }

    private ModulePattern(String text, Pattern regex, boolean anchoredAtEnd, boolean allLinear, boolean className,
                          boolean substring) {
        this.text = text;
        this.regex = regex;
        this.anchoredAtEnd = anchoredAtEnd;
        this.allLinear = allLinear;
        this.className = className;
        this.substring = substring;
        this.affix = regex != null && anchoredAtEnd ? Affix.of(text) : null;
    }

    /**
     * One entry of a Transformers {@code modules_to_not_convert} list. Transformers' AWQ, GPTQ, FP8 and MXFP4
     * integrations skip a module when the entry occurs anywhere in its dotted name ({@code "visual"} keeps
     * {@code model.visual.blocks.0.attn.qkv} unconverted), so a plain entry is a substring; an entry with
     * wildcards ({@code model.layers.*.self_attn}, as gpt-oss writes it) is a shell pattern like ModelOpt's.
     */
    public static ModulePattern transformersEntry(String text) {
        if (text.contains("*") || text.contains("?") || text.contains("[")) {
            return parse(text);
        }
        return new ModulePattern(text, null, true, false, false, true);
    }

    /**
     * Parses one entry.
     *
     * @throws IllegalArgumentException with a readable reason when a {@code re:} entry is not a valid regex
     */
    public static ModulePattern parse(String text) {
        if (text.startsWith("re:")) {
            try {
                return new ModulePattern(text, Pattern.compile(text.substring(3)), false, false, false);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("\"" + text + "\" is not a valid regular expression: "
                        + e.getDescription());
            }
        }
        if ("Linear".equals(text)) {
            return new ModulePattern(text, null, true, true, false);
        }
        if (text.contains("*") || text.contains("?") || text.contains("[")) {
            return new ModulePattern(text, Pattern.compile(globToRegex(text)), true, false, false);
        }
        // A capitalized name without dots is a PyTorch class name (LlamaDecoderLayer): tensors do not say which
        // module is of which class, so such an entry cannot be applied.
        boolean looksLikeClass = !text.contains(".") && !text.isEmpty() && Character.isUpperCase(text.charAt(0));
        return new ModulePattern(text, null, true, false, looksLikeClass);
    }

    public String text() {
        return text;
    }

    /** True for a class-name entry other than {@code Linear}, which tensor headers cannot resolve. */
    public boolean unresolvableClassName() {
        return className;
    }

    /** Whether {@code module} (a linear layer's name, without {@code .weight}) or one of its parents matches. */
    public boolean matches(String module) {
        if (allLinear) {
            return true;
        }
        if (className) {
            return false;
        }
        if (substring) {
            return !text.isEmpty() && module.contains(text);
        }
        if (affix != null) {
            return affix.matchesModuleOrParent(module);
        }
        String candidate = module;
        while (true) {
            if (matchesExactly(candidate)) {
                return true;
            }
            int dot = candidate.lastIndexOf('.');
            if (dot < 0) {
                return false;
            }
            candidate = candidate.substring(0, dot);
        }
    }

    private boolean matchesExactly(String name) {
        if (regex == null) {
            return text.equals(name);
        }
        return anchoredAtEnd ? regex.matcher(name).matches() : regex.matcher(name).lookingAt();
    }

    /**
     * A wildcard entry of the usual form ({@code *.mlp.gate}, {@code model.audio_tower*}, {@code *lm_head*}),
     * matched without a regular expression: an exporter's exclude list is asked about every tensor and every
     * parent of it, tens of thousands of times per checkpoint. {@code ModulePatternTest} holds it to the regex.
     */
    private record Affix(String literal, String literalThenDot, boolean anyBefore, boolean anyAfter) {
        static Affix of(String glob) {
            boolean before = glob.startsWith("*");
            boolean after = glob.length() > (before ? 1 : 0) && glob.endsWith("*");
            String literal = glob.substring(before ? 1 : 0, glob.length() - (after ? 1 : 0));
            if (!before && !after || literal.contains("*") || literal.contains("?") || literal.contains("[")) {
                return null;
            }
            return new Affix(literal, literal + ".", before, after);
        }

        /**
         * Whether the module or one of its parents (a prefix ending before a dot) matches. {@code *S*}: the module
         * contains S; {@code S*}: it starts with S; {@code *S}: it ends with S, or S is followed by a dot in it.
         */
        boolean matchesModuleOrParent(String module) {
            if (anyBefore && anyAfter) {
                return module.contains(literal);
            }
            if (anyAfter) {
                return module.startsWith(literal);
            }
            return module.endsWith(literal) || module.contains(literalThenDot);
        }
    }

    static String globToRegex(String glob) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (c == '*') {
                out.append(".*");
            } else if (c == '?') {
                out.append('.');
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    out.append("\\[");
                } else {
                    String body = glob.substring(i + 1, close);
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    }
                    out.append('[').append(body.replace("\\", "\\\\")).append(']');
                    i = close;
                }
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
