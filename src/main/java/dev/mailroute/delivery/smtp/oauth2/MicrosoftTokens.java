package dev.mailroute.delivery.smtp.oauth2;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import dev.mailroute.files.PemFiles;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.UrlCredentials;

/**
 * Microsoft Entra ID, client credentials flow, through MSAL4J: the app registration's client
 * secret or — what enterprises prefer — a certificate and its private key (MSAL signs the client
 * assertion). The token is for {@code https://outlook.office365.com/.default}; Exchange Online
 * takes it for the mailbox the app registration's service principal has been given access to.
 */
final class MicrosoftTokens implements TokenProvider {

    private static final String PUBLIC_CLOUD = "login.microsoftonline.com";

    private final OAuth2Settings settings;
    private final ConfidentialClientApplication application;
    private final String authority;

    MicrosoftTokens(OAuth2Settings settings) {
        this.settings = settings;
        this.authority = settings.authority() + settings.tenant() + "/";
        try {
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(settings.clientId(), credential(settings))
                    .authority(authority)
                    .connectTimeoutForDefaultHttpClient((int) settings.timeoutMillis())
                    .readTimeoutForDefaultHttpClient((int) settings.timeoutMillis());
            if (!PUBLIC_CLOUD.equals(URI.create(authority).getHost())) {
                // a national cloud or a test authority: no discovery round trip to the public cloud
                builder.instanceDiscovery(false).validateAuthority(false);
            }
            if (settings.tlsCa() != null) {
                builder.sslSocketFactory(PemFiles.trusting(settings.tlsCa()).getSocketFactory());
            }
            this.application = builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.authority=" + UrlCredentials.mask(settings.authority())
                                               + " with tenant " + settings.tenant() + " is not a URL: " + e.getMessage());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.tls.ca=" + settings.tlsCa() + ": "
                                               + e.getMessage());
        }
    }

    private static IClientCredential credential(OAuth2Settings settings) {
        if (settings.certificate() == null) {
            return ClientCredentialFactory.createFromSecret(settings.clientSecret().reveal());
        }
        try {
            PemFiles.KeyAndCertificate pair = PemFiles.read(settings.certificate(), settings.privateKey());
            return ClientCredentialFactory.createFromCertificate(pair.key(), pair.certificate());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.certificate=" + settings.certificate()
                                               + ", mailroute.smtp.oauth2.privateKey=" + settings.privateKey()
                                               + ": cannot be read as a PEM certificate and its key ("
                                               + e.getMessage() + ")");
        }
    }

    @Override
    public AccessToken fetch() throws TokenException {
        // skipCache: SharedToken decides when a token is renewed, not MSAL's own cache
        ClientCredentialParameters parameters = ClientCredentialParameters.builder(Set.of(settings.scope()))
                .skipCache(true).build();
        try {
            IAuthenticationResult result = application.acquireToken(parameters)
                    .get(settings.timeoutMillis(), TimeUnit.MILLISECONDS);
            return new AccessToken(Secret.of(result.accessToken()), Instant.now(),
                    result.expiresOnDate().toInstant(), result.scopes());
        } catch (TimeoutException e) {
            throw new TokenException("no token from " + endpoint() + " within " + settings.timeoutMillis()
                                     + " ms (mailroute.smtp.oauth2.timeout)", false, null);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (MsalException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException("interrupted while getting a token from " + endpoint(), false, e);
        }
    }

    private TokenException failure(Throwable cause) {
        if (cause instanceof MsalServiceException service) {
            Integer status = service.statusCode();
            boolean refused = status != null && status >= 400 && status < 500 && status != 429 && status != 408;
            return new TokenException(endpoint() + (refused ? " refused the client: " : " failed: ")
                                      + service.errorCode() + ": " + TokenException.oneLine(service.getMessage()), refused, null);
        }
        String text = cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + TokenException.oneLine(cause.getMessage());
        return new TokenException("cannot get a token from " + endpoint() + ": " + text, false, null);
    }

    @Override
    public String endpoint() {
        return UrlCredentials.mask(authority + "oauth2/v2.0/token");
    }
}
