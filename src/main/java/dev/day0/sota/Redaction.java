package dev.day0.sota;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;

/**
 * One secret removed from a source reference: what kind of secret it was and, for a query parameter or an
 * environment variable, its name. Never the value: the value is exactly what must not be shown.
 *
 * @param kind what was removed, e.g. {@code url_user_info}, {@code signed_url_parameter}, {@code github_token}
 * @param name the query parameter or environment variable that held it, or null
 * @param encoded true when the secret was only visible after URL-decoding the reference
 */
public record Redaction(String kind, String name, boolean encoded) {
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("kind", kind);
        json.put("name", name);
        json.put("encoded", encoded);
        return json;
    }

    /** Short text for risks and messages: {@code signed_url_parameter X-Amz-Signature}. */
    public String describe() {
        return name == null ? kind : kind + " " + name;
    }
}
