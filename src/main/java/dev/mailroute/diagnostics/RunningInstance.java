package dev.mailroute.diagnostics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.mailroute.config.MailrouteSettings;

/** The mailroute that runs with this configuration, if one does: asked over its own HTTP port. */
final class RunningInstance {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private RunningInstance() {
    }

    /** Whether its health endpoint answers: then its ports are in use by it, and its metrics can be asked for. */
    static boolean answers(MailrouteSettings settings) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(observe(settings, "/observe/health/live"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return answer.body().contains("\"status\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Its Prometheus page, with the first API key when keys are set. */
    static String metrics(MailrouteSettings settings) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(observe(settings, "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).GET();
        if (!settings.http().apiKeys().isEmpty()) {
            request.header("Authorization", "Bearer " + settings.http().apiKeys().get(0).key().reveal());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Its HTTP address, to which the API's paths are added. */
    static URI base(MailrouteSettings settings) {
        return observe(settings, "");
    }

    private static URI observe(MailrouteSettings settings, String path) {
        String host = settings.http().host();
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return URI.create("http://" + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":"
                          + settings.http().port() + path);
    }
}
