package dev.mailroute.delivery.smtp.oauth2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.mailroute.files.PemFiles;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.UrlCredentials;

/**
 * Google Workspace: a service account with domain-wide delegation, through Google's auth library
 * — it signs the JWT assertion with the key from the JSON key file and sends it to the key file's
 * {@code token_uri}; the subject is the mailbox mail is sent as, the scope {@code https://mail.google.com/}.
 */
final class GoogleTokens implements TokenProvider {

    private final OAuth2Settings settings;
    private final GoogleCredentials credentials;
    private final String endpoint;
    // the library's HTTP requests have their own 20 s timeouts; this one bounds the whole exchange
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "oauth2-google");
        thread.setDaemon(true);
        return thread;
    });

    GoogleTokens(OAuth2Settings settings) {
        this.settings = settings;
        HttpTransportFactory transport = transport(settings);
        try (InputStream key = Files.newInputStream(settings.serviceAccountKey())) {
            ServiceAccountCredentials account = ServiceAccountCredentials.fromStream(key, transport);
            this.endpoint = UrlCredentials.mask(String.valueOf(account.getTokenServerUri()));
            this.credentials = account.createScoped(List.of(settings.scope())).createDelegated(settings.mailbox());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.serviceAccountKey=" + settings.serviceAccountKey()
                                               + ": not a service account JSON key file (" + e.getMessage() + ")");
        }
    }

    private static HttpTransportFactory transport(OAuth2Settings settings) {
        if (settings.tlsCa() == null) {
            NetHttpTransport shared = new NetHttpTransport();
            return () -> shared;
        }
        try {
            NetHttpTransport trusting = new NetHttpTransport.Builder()
                    .trustCertificates(PemFiles.trustStore(settings.tlsCa())).build();
            return () -> trusting;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.tls.ca=" + settings.tlsCa() + ": " + e.getMessage());
        }
    }

    @Override
    public AccessToken fetch() throws TokenException {
        Future<com.google.auth.oauth2.AccessToken> answer = worker.submit(credentials::refreshAccessToken);
        try {
            com.google.auth.oauth2.AccessToken token = answer.get(settings.timeoutMillis(), TimeUnit.MILLISECONDS);
            Instant expires = token.getExpirationTime() == null ? Instant.now().plus(AccessToken.ASSUMED_LIFETIME)
                    : token.getExpirationTime().toInstant();
            return new AccessToken(Secret.of(token.getTokenValue()), Instant.now(), expires,
                    token.getScopes() == null || token.getScopes().isEmpty() ? null : String.join(" ", token.getScopes()));
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new TokenException("no token from " + endpoint + " within " + settings.timeoutMillis()
                                     + " ms (mailroute.smtp.oauth2.timeout)", false, null);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException("interrupted while getting a token from " + endpoint, false, e);
        }
    }

    /** A 4xx from the token endpoint (invalid_grant, unauthorized_client) is the account's setup; the rest is transient. */
    private TokenException failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException http) {
                int status = http.getStatusCode();
                boolean refused = status >= 400 && status < 500 && status != 429 && status != 408;
                return new TokenException(endpoint + (refused ? " refused the service account: " : " failed: ")
                                          + status + " " + TokenException.oneLine(http.getContent()), refused, null);
            }
        }
        String text = cause == null ? "unknown error"
                : cause.getClass().getSimpleName() + ": " + TokenException.oneLine(cause.getMessage());
        return new TokenException("cannot get a token from " + endpoint + ": " + text, false, null);
    }

    @Override
    public String endpoint() {
        return endpoint;
    }
}
