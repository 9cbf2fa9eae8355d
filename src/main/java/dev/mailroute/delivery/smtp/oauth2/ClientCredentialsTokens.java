package dev.mailroute.delivery.smtp.oauth2;

import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Set;

import javax.net.ssl.SSLSocketFactory;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import dev.mailroute.files.PemFiles;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.UrlCredentials;

/**
 * Any OAuth 2.0 token endpoint, client credentials grant (RFC 6749 section 4.4), through the
 * Nimbus OAuth 2.0 SDK: the client id and secret by HTTP Basic, the configured scope.
 */
final class ClientCredentialsTokens implements TokenProvider {

    /** Errors by which the endpoint refuses mailroute itself (RFC 6749 section 5.2): not worth retrying. */
    private static final Set<String> REFUSALS = Set.of("invalid_client", "unauthorized_client", "invalid_scope",
            "invalid_grant", "invalid_request", "unsupported_grant_type", "access_denied");

    private final OAuth2Settings settings;
    private final URI tokenUrl;
    private final SSLSocketFactory tls;

    ClientCredentialsTokens(OAuth2Settings settings) {
        this.settings = settings;
        this.tokenUrl = URI.create(settings.tokenUrl());
        try {
            this.tls = settings.tlsCa() == null ? null : PemFiles.trusting(settings.tlsCa()).getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mailroute.smtp.oauth2.tls.ca=" + settings.tlsCa() + ": " + e.getMessage());
        }
    }

    @Override
    public dev.mailroute.delivery.smtp.oauth2.AccessToken fetch() throws TokenException {
        TokenRequest request = new TokenRequest(tokenUrl,
                new ClientSecretBasic(new ClientID(settings.clientId()),
                        new com.nimbusds.oauth2.sdk.auth.Secret(settings.clientSecret().reveal())),
                new ClientCredentialsGrant(), Scope.parse(settings.scope()));
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout((int) settings.timeoutMillis());
        http.setReadTimeout((int) settings.timeoutMillis());
        if (tls != null) {
            http.setSSLSocketFactory(tls);
        }
        HTTPResponse answer;
        try {
            answer = http.send();
        } catch (IOException e) {
            throw new TokenException("cannot get a token from " + endpoint() + ": " + e.getClass().getSimpleName()
                                     + ": " + TokenException.oneLine(e.getMessage()), false, null);
        }
        try {
            TokenResponse response = TokenResponse.parse(answer);
            if (!response.indicatesSuccess()) {
                ErrorObject error = response.toErrorResponse().getErrorObject();
                boolean refused = error.getCode() != null && REFUSALS.contains(error.getCode());
                throw new TokenException(endpoint() + (refused ? " refused the client: " : " failed: ")
                                         + answer.getStatusCode() + " " + error.getCode()
                                         + (error.getDescription() == null ? ""
                                                 : ": " + TokenException.oneLine(error.getDescription())), refused, null);
            }
            AccessTokenResponse success = response.toSuccessResponse();
            AccessToken token = success.getTokens().getAccessToken();
            Instant now = Instant.now();
            Instant expires = token.getLifetime() > 0 ? now.plusSeconds(token.getLifetime())
                    : now.plus(dev.mailroute.delivery.smtp.oauth2.AccessToken.ASSUMED_LIFETIME);
            return new dev.mailroute.delivery.smtp.oauth2.AccessToken(Secret.of(token.getValue()), now, expires,
                    token.getScope() == null ? null : token.getScope().toString());
        } catch (ParseException e) {
            // 404 and the like: the URL is not a token endpoint, which is the configuration
            boolean wrongUrl = answer.getStatusCode() == 404 || answer.getStatusCode() == 405;
            throw new TokenException(endpoint() + " answered " + answer.getStatusCode() + ", not an OAuth 2.0 token"
                                     + " response" + (wrongUrl ? " (check mailroute.smtp.oauth2.tokenUrl)" : ""),
                    wrongUrl, null);
        }
    }

    /** The token URL, with any credentials in it masked. */
    @Override
    public String endpoint() {
        return UrlCredentials.mask(tokenUrl.toString());
    }
}
