package dev.day0.rockie;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * The platform connection, from {@code ROCKIELAB_API_URL}, {@code ROCKIELAB_TENANT_TOKEN} and
 * {@code ROCKIELAB_TENANT_ID}. The token is a secret: it goes into the {@code X-Tenant-Token} header and nowhere
 * else (the redactor masks it in everything printed or written).
 */
public record RockieConfig(URI apiUrl, String tenantToken, String tenantId) {
    public static final String API_URL = "ROCKIELAB_API_URL";
    public static final String TENANT_TOKEN = "ROCKIELAB_TENANT_TOKEN";
    public static final String TENANT_ID = "ROCKIELAB_TENANT_ID";

    public static RockieConfig fromEnvironment(Map<String, String> env) {
        String url = required(env, API_URL);
        String token = required(env, TENANT_TOKEN);
        String tenant = required(env, TENANT_ID);
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw RockieException.usage(API_URL + ": not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw RockieException.usage(API_URL + ": expected an http:// or https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw RockieException.usage(API_URL + ": must not carry credentials; the token goes in "
                    + TENANT_TOKEN);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw RockieException.usage(API_URL + ": must not have a query or fragment");
        }
        if (tenant.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw RockieException.usage(TENANT_ID + ": must be printable ASCII without spaces");
        }
        if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw RockieException.usage(TENANT_TOKEN + ": must be printable ASCII without spaces");
        }
        return new RockieConfig(uri, token.trim(), tenant.trim());
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw RockieException.usage(name + " is not set: the Rockie platform cannot be reached without it");
        }
        return value.trim();
    }

    /** A path under the API URL, keeping any path prefix the URL has. */
    public URI resolve(String pathAndQuery) {
        String base = apiUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + pathAndQuery);
    }
}
