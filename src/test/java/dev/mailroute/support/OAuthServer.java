package dev.mailroute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpRouterKt;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A real OAuth 2.0 server for the tests (navikt's mock-oauth2-server) over HTTPS with a test
 * certificate, on a fixed port so that it can be stopped and started again. Issuers:
 * {@code default} (tokens for an hour), {@code short} (tokens for {@link #SHORT_SECONDS} s); the
 * path {@code /refusing/token} answers {@code invalid_client}. It can say whether a token is one
 * it issued and still valid, and keeps every request it got.
 */
public final class OAuthServer implements AutoCloseable {

    public static final long SHORT_SECONDS = 4;

    private final OAuth2TokenProvider tokens = new OAuth2TokenProvider(); // the same keys across restarts
    private final TestCertificate certificate;
    private final Path keystore;
    private final int port;
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private MockOAuth2Server server;

    private OAuthServer(Path folder) {
        this.certificate = TestCertificate.make(folder);
        this.keystore = folder.resolve("oauth.p12");
        Tools.Result p12 = Tools.run(List.of(Tools.require("openssl", "openssl"), "pkcs12", "-export",
                "-in", certificate.cert().toString(), "-inkey", certificate.key().toString(), "-name", "localhost",
                "-out", keystore.toString(), "-passout", "pass:changeit"), 60);
        if (p12.exit() != 0) {
            throw new IllegalStateException(p12.output());
        }
        this.port = TestGateway.freePort();
    }

    public static OAuthServer start(Path folder) {
        OAuthServer oauth = new OAuthServer(folder);
        oauth.startAgain();
        return oauth;
    }

    public synchronized void startAgain() {
        Ssl ssl = new Ssl(new SslKeystore("changeit", keystore.toFile(), SslKeystore.KeyStoreType.PKCS12, "changeit"));
        OAuth2Config config = new OAuth2Config(false, null, null, false, tokens,
                Set.of(new DefaultOAuth2TokenCallback("short", "mailroute", "JWT", List.of("smtp"), Map.of(),
                        SHORT_SECONDS)),
                new MockWebServerWrapper(ssl));
        server = new MockOAuth2Server(config, OAuth2HttpRouterKt.post("/refusing/token",
                request -> new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 401,
                        "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret"
                        + " provided.\"}", null)));
        try {
            server.start(InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops answering: connections to its port are refused. */
    public synchronized void stop() {
        drain();
        server.shutdown();
    }

    /** https://localhost:port/{issuer}/token */
    public String tokenUrl(String issuer) {
        return "https://localhost:" + port + "/" + issuer + "/token";
    }

    /** https://localhost:port/ — an authority for MSAL, the tenant being the path after it. */
    public String authority() {
        return "https://localhost:" + port + "/";
    }

    /** The PEM certificate the server's certificate is: what mailroute.smtp.oauth2.tls.ca names. */
    public Path certificate() {
        return certificate.cert();
    }

    /** Issued by this server (signature), not expired, not revoked: what a relay checks. */
    public JWTClaimsSet valid(String token) {
        if (revoked.contains(token)) {
            return null;
        }
        try {
            String issuer = SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
            JWTClaimsSet claims = tokens.verify(HttpUrl.get(issuer), token);
            return claims.getExpirationTime().toInstant().isAfter(Instant.now()) ? claims : null;
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    public void revoke(String token) {
        revoked.add(token);
    }

    /** Every request so far (a token request is a POST to a path ending in /token). */
    public synchronized List<RecordedRequest> requests() {
        drain();
        return List.copyOf(requests);
    }

    public long tokenRequests() {
        return requests().stream().filter(r -> "POST".equals(r.getMethod()) && r.getPath().endsWith("/token")).count();
    }

    private void drain() {
        try {
            RecordedRequest request;
            while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                requests.add(request);
            }
        } catch (RuntimeException e) {
            // none left
        }
    }

    @Override
    public synchronized void close() {
        server.shutdown();
    }
}
