package dev.mailroute.ingress.smtp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import de.dentrassi.crypto.pem.PemKeyStoreProvider;
import org.subethamail.smtp.server.SSLSocketCreator;

/**
 * STARTTLS for the SMTP listener from PEM files ({@code mailroute.smtpd.tls.cert}, {@code .key}),
 * read with the PEM key store Artemis brings; TLS 1.2 and 1.3 only.
 */
public final class ListenerTls {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private ListenerTls() {
    }

    public static SSLContext context(Path cert, Path key) {
        try {
            KeyStore store = KeyStore.getInstance("PEMCFG", new PemKeyStoreProvider());
            String config = "source.key=" + key + "\nsource.cert=" + cert + "\n";
            store.load(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)), new char[0]);
            keyMatchesCertificate(store);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("mailroute.smtpd.tls.cert=" + cert + ", mailroute.smtpd.tls.key=" + key
                                               + ": cannot be read as a PEM certificate and private key ("
                                               + e.getMessage() + ")");
        }
    }

    /**
     * A key that is not the certificate's loads without complaint and fails every handshake: proven
     * here by a signature the certificate's public key must verify.
     */
    private static void keyMatchesCertificate(KeyStore store) throws GeneralSecurityException {
        String alias = store.aliases().nextElement();
        PrivateKey key = (PrivateKey) store.getKey(alias, new char[0]);
        X509Certificate certificate = (X509Certificate) store.getCertificate(alias);
        if (key == null || certificate == null) {
            throw new GeneralSecurityException("no private key and certificate found in them");
        }
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
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key is not the certificate's");
        }
    }

    /**
     * For doctor: the certificate's subject and expiry, after proving that certificate and key load
     * together as the listener loads them.
     *
     * @throws IllegalArgumentException saying what cannot be read
     */
    public static String describe(Path cert, Path key) {
        context(cert, key);
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            return certificate.getSubjectX500Principal().getName() + ", valid until "
                   + certificate.getNotAfter().toInstant();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mailroute.smtpd.tls.cert=" + cert + ": " + e.getMessage());
        }
    }

    /** When the certificate stops being valid. */
    public static Instant expiry(Path cert) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(cert)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getNotAfter()
                    .toInstant();
        }
    }

    /** Upgrades an accepted connection after STARTTLS, server side, with modern protocols only. */
    static SSLSocketCreator sockets(SSLContext context) {
        return socket -> {
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket,
                    remote.getAddress().getHostAddress(), socket.getPort(), true);
            tls.setUseClientMode(false);
            tls.setEnabledProtocols(PROTOCOLS);
            return tls;
        };
    }
}
