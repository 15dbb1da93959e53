package dev.day0.cli;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Input files no gate can use, by name: each must give a one-line error and never a pass. */
final class GarbageInputs {
    private GarbageInputs() {
    }

    static Map<String, byte[]> all() {
        Map<String, byte[]> garbage = new LinkedHashMap<>();
        garbage.put("binary", new byte[] {0, (byte) 0xff, (byte) 0xfe, 7, 0, 1});
        garbage.put("bad-utf8", new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'});
        garbage.put("deep", ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8));
        garbage.put("number", "42".getBytes(StandardCharsets.UTF_8));
        garbage.put("string", "\"tasks\"".getBytes(StandardCharsets.UTF_8));
        garbage.put("null", "null".getBytes(StandardCharsets.UTF_8));
        garbage.put("truncated", "{\"tasks\": {\"a\": {\"status\": \"SUC".getBytes(StandardCharsets.UTF_8));
        garbage.put("huge-number", "{\"t\": 1e999999}".getBytes(StandardCharsets.UTF_8));
        garbage.put("yaml", "tasks:\n  a: 1\n".getBytes(StandardCharsets.UTF_8));
        return garbage;
    }

    /** The three gates that read a file, given that file (compare reads it as the candidate). */
    static String[][] gateCommands(String good, String bad) {
        return new String[][] {
            {"gate", "compare", "--baseline", good, "--candidate", bad},
            {"gate", "run", "--run", bad},
            {"gate", "ptq", "--summary", bad}};
    }
}
