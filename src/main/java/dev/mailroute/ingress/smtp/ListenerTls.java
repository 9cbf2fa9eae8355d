package dev.mailroute.ingress.smtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.mailroute.files.PemFiles;
import org.subethamail.smtp.server.SSLSocketCreator;

/**
 * STARTTLS for the SMTP listener from PEM files ({@code mailroute.smtpd.tls.cert}, {@code .key});
 * TLS 1.2 and 1.3 only.
 */
public final class ListenerTls {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private ListenerTls() {
    }

    public static SSLContext context(Path cert, Path key) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(PemFiles.read(cert, key).store(), new char[0]);
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
     * For doctor: the certificate's subject and expiry, after proving that certificate and key load
     * together as the listener loads them.
     *
     * @throws IllegalArgumentException saying what cannot be read
     */
    public static String describe(Path cert, Path key) {
        context(cert, key);
        try {
            X509Certificate certificate = PemFiles.certificate(cert);
            return certificate.getSubjectX500Principal().getName() + ", valid until "
                   + certificate.getNotAfter().toInstant();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mailroute.smtpd.tls.cert=" + cert + ": " + e.getMessage());
        }
    }

    /** When the certificate stops being valid. */
    public static Instant expiry(Path cert) throws IOException, GeneralSecurityException {
        return PemFiles.certificate(cert).getNotAfter().toInstant();
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
