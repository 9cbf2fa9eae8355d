package dev.mailroute.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for localhost and 127.0.0.1 made by openssl, as an operator would
 * make one, in PEM files — and a client socket factory that trusts exactly it.
 */
public record TestCertificate(Path cert, Path key) {

    public static TestCertificate make(Path folder) {
        Path cert = folder.resolve("server.crt");
        Path key = folder.resolve("server.key");
        Tools.Result openssl = Tools.run(List.of(Tools.require("openssl", "openssl"), "req", "-x509", "-newkey",
                "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()), 60);
        if (openssl.exit() != 0) {
            throw new IllegalStateException("openssl req failed: " + openssl.output());
        }
        return new TestCertificate(cert, key);
    }

    /** Sockets that trust this certificate and nothing else. */
    public SSLSocketFactory trustingSockets() {
        try (InputStream in = Files.newInputStream(cert)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
