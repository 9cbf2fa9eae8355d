package dev.mailroute.delivery;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mailroute.files.PemFiles;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.OAuthServer;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Microsoft and Google providers cannot reach login.microsoftonline.com or Google from here:
 * each is pointed at the local OAuth 2.0 server (MSAL4J by its authority, Google's library by the
 * key file's token_uri), and the request its library sends is checked field by field — grant,
 * scope, client, the signed assertion and its key — before the relay takes the token it got.
 */
class OAuth2ProvidersTest {

    private static Path folder;
    private static OAuthServer oauth;

    @TempDir
    Path data;

    @BeforeAll
    static void startOAuthServer() throws Exception {
        folder = Scratch.folder("mailroute-oauth2-providers");
        oauth = OAuthServer.start(folder);
    }

    @AfterAll
    static void stopOAuthServer() {
        oauth.close();
    }

    @Test
    void microsoftWithAClientSecretAsksEntraIdForExchangeOnlinesScope() throws Exception {
        Map<String, String> form = deliverAndTakeTokenRequest("/tenant-id/oauth2/v2.0/token", relay -> microsoft(relay)
                .with("mailroute.smtp.oauth2.clientSecret", "entra-secret-0123456789"));
        assertThat(form).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "app-id")
                .containsEntry("client_secret", "entra-secret-0123456789");
        assertThat(form.get("scope")).contains("https://outlook.office365.com/.default");
    }

    /** A certificate credential: MSAL signs a client assertion with the key; the certificate verifies it. */
    @Test
    void microsoftWithACertificateSignsTheClientAssertion() throws Exception {
        TestCertificate credential = TestCertificate.make(Files.createDirectories(data.resolve("credential")));
        Map<String, String> form = deliverAndTakeTokenRequest("/tenant-id/oauth2/v2.0/token", relay -> microsoft(relay)
                .with("mailroute.smtp.oauth2.certificate", credential.cert().toString())
                .with("mailroute.smtp.oauth2.privateKey", credential.key().toString()));
        assertThat(form).containsEntry("grant_type", "client_credentials")
                .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .doesNotContainKey("client_secret");
        SignedJWT assertion = SignedJWT.parse(form.get("client_assertion"));
        RSAPublicKey key = (RSAPublicKey) PemFiles.certificate(credential.cert()).getPublicKey();
        assertThat(assertion.verify(new RSASSAVerifier(key))).as("signed with the certificate's key").isTrue();
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("app-id");
        assertThat(claims.getSubject()).isEqualTo("app-id");
        assertThat(claims.getAudience()).containsExactly(oauth.authority() + "tenant-id/oauth2/v2.0/token");
    }

    /** Google: a JWT assertion signed with the service account's key, for the mailbox, with Gmail's scope. */
    @Test
    void googleDelegatesTheServiceAccountToTheMailbox() throws Exception {
        Path key = data.resolve("service-account.pem");
        Path publicKey = data.resolve("service-account.pub");
        String openssl = Tools.require("openssl", "openssl");
        assertThat(Tools.run(List.of(openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", key.toString()), 60).exit()).isZero();
        assertThat(Tools.run(List.of(openssl, "pkey", "-in", key.toString(), "-pubout", "-out", publicKey.toString()),
                60).exit()).isZero();
        Map<String, String> json = new HashMap<>();
        json.put("type", "service_account");
        json.put("project_id", "mailroute-test");
        json.put("private_key_id", "key-1");
        json.put("private_key", Files.readString(key));
        json.put("client_email", "mailroute@mailroute-test.iam.gserviceaccount.com");
        json.put("client_id", "1234567890");
        json.put("token_uri", oauth.tokenUrl("google"));
        Path keyFile = data.resolve("service-account.json");
        Files.writeString(keyFile, new ObjectMapper().writeValueAsString(json));

        Map<String, String> form = deliverAndTakeTokenRequest("/google/token", relay -> OAuth2DeliveryTest.oauth2(
                TestGateway.on(data).smtp(relay.port()), oauth)
                .with("mailroute.smtp.oauth2.provider", "google")
                .with("mailroute.smtp.oauth2.serviceAccountKey", keyFile.toString()));
        assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        SignedJWT assertion = SignedJWT.parse(form.get("assertion"));
        String pem = Files.readString(publicKey).replaceAll("-----[A-Z ]+-----|\\s", "");
        RSAPublicKey verifier = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        assertThat(assertion.verify(new RSASSAVerifier(verifier))).isTrue();
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("mailroute@mailroute-test.iam.gserviceaccount.com");
        assertThat(claims.getSubject()).as("delegated to the mailbox").isEqualTo(OAuth2DeliveryTest.MAILBOX);
        assertThat(claims.getStringClaim("scope")).isEqualTo("https://mail.google.com/");
        // sent to the key file's token_uri, addressed to Google's token endpoint, as for a real key
        assertThat(claims.getAudience()).containsExactly("https://oauth2.googleapis.com/token");
    }

    private GatewayConfig microsoft(ScriptedSmtpServer relay) {
        return OAuth2DeliveryTest.oauth2(TestGateway.on(data).smtp(relay.port()), oauth)
                .with("mailroute.smtp.oauth2.provider", "microsoft")
                .with("mailroute.smtp.oauth2.authority", oauth.authority())
                .with("mailroute.smtp.oauth2.tenant", "tenant-id")
                .with("mailroute.smtp.oauth2.clientId", "app-id");
    }

    /** Delivers one message through a relay that checks the token; the form of the token request made for it. */
    private Map<String, String> deliverAndTakeTokenRequest(String path,
                                                           java.util.function.Function<ScriptedSmtpServer, GatewayConfig> config)
            throws Exception {
        int before = oauth.requests().size();
        try (ScriptedSmtpServer relay = OAuth2DeliveryTest.relay(oauth);
             TestGateway gateway = config.apply(relay).start()) {
            gateway.submit(MailRequests.minimal());
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 1);
            assertThat(relay.authRefusals()).isZero();
        }
        List<RecordedRequest> requests = oauth.requests().subList(before, oauth.requests().size());
        RecordedRequest token = requests.stream().filter(r -> "POST".equals(r.getMethod()) && path.equals(r.getPath()))
                .findFirst().orElseThrow(() -> new AssertionError("no POST " + path + " among " + requests));
        Map<String, String> form = new HashMap<>();
        for (String pair : token.getBody().readUtf8().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }
}
