package dev.mailroute.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import de.dentrassi.crypto.pem.PemKeyStoreProvider;

/**
 * Certificates and keys in PEM files, as operators have them (openssl, ACME clients, Entra ID's
 * certificate credentials), read with the PEM key store Artemis brings.
 */
public final class PemFiles {

    private PemFiles() {
    }

    /** A private key and the certificate (chain) it belongs to. */
    public record KeyAndCertificate(KeyStore store, PrivateKey key, X509Certificate certificate) {
    }

    /**
     * Reads a certificate (chain) and its private key and proves they belong together: a key that
     * is not the certificate's loads without complaint and fails every handshake or signature later.
     */
    public static KeyAndCertificate read(Path cert, Path key) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PEMCFG", new PemKeyStoreProvider());
        String config = "source.key=" + key + "\nsource.cert=" + cert + "\n";
        store.load(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)), new char[0]);
        if (!store.aliases().hasMoreElements()) {
            throw new GeneralSecurityException("no private key and certificate found in them");
        }
        String alias = store.aliases().nextElement();
        PrivateKey privateKey = (PrivateKey) store.getKey(alias, new char[0]);
        X509Certificate certificate = (X509Certificate) store.getCertificate(alias);
        if (privateKey == null || certificate == null) {
            throw new GeneralSecurityException("no private key and certificate found in them");
        }
        if (!signs(privateKey, certificate)) {
            throw new GeneralSecurityException("the private key is not the certificate's");
        }
        return new KeyAndCertificate(store, privateKey, certificate);
    }

    private static boolean signs(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> "SHA256withRSA";
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(challenge);
        return verifier.verify(signature);
    }

    /** The first certificate in a PEM file. */
    public static X509Certificate certificate(Path cert) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(cert)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Every certificate in a PEM file, as a trust store. */
    public static KeyStore trustStore(Path certificates) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificates)) {
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new GeneralSecurityException("no certificate in it");
            }
        }
        return store;
    }

    /** TLS that trusts the certificates in a PEM file, and nothing else. */
    public static SSLContext trusting(Path certificates) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore(certificates));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
