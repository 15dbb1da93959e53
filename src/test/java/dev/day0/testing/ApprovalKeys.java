package dev.day0.testing;

import dev.day0.rockie.ApprovalKey;
import java.util.HashMap;
import java.util.Map;

/** The approval key the tests sign with, given as DAY0_APPROVAL_KEY so no test touches ~/.day0/approval.key. */
public final class ApprovalKeys {
    /** A test key: it must never appear in any output or file, like a real one. */
    public static final String KEY = "test-approval-key-6f1c0b9e2a7d4c3f8e5a1b0d9c7e6f4a";

    private ApprovalKeys() {
    }

    /** {@code env} plus the test key. */
    public static Map<String, String> with(Map<String, String> env) {
        Map<String, String> withKey = new HashMap<>(env);
        withKey.put(ApprovalKey.ENV, KEY);
        return withKey;
    }

    public static ApprovalKey key() {
        return ApprovalKey.forApproving(Map.of(ApprovalKey.ENV, KEY));
    }
}
