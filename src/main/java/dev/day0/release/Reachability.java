package dev.day0.release;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Whether an endpoint answers at all. Any HTTP status counts as reachable (a 401 proves the server is there; the
 * credentials are checked by the stage that uses them); no answer within the timeout does not.
 */
final class Reachability {
    private Reachability() {
    }

    /** Null when the URL answered; otherwise why not, in a few words (never the URL's secrets). */
    static String check(String url, long timeoutSeconds) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return "not a valid URL";
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeoutSeconds)).GET()
                .header("User-Agent", "day0-release-setup").build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            return response.statusCode() > 0 ? null : "no HTTP status";
        } catch (java.net.http.HttpTimeoutException e) {
            return "no answer within " + timeoutSeconds + " s";
        } catch (java.net.ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IllegalArgumentException e) {
            return "not a usable URL: " + e.getMessage();
        }
    }
}
