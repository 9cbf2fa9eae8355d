package dev.mailroute.ingress.smtp;

import java.util.Optional;

import dev.mailroute.settings.Hosts;

/**
 * Whether the SMTP listener, as configured, would relay for more than its clients: beyond loopback
 * with neither AUTH required nor a client list the operator wrote, or with a client list that is a
 * part of the internet ({@link ClientNetworks#openness()}), or with AUTH required but no way for
 * another machine to log in. The start-up checks refuse the start for it, {@code doctor} reports it,
 * and {@link SmtpdComponent} will not make a listener the checks would refuse.
 */
public final class ListenerExposure {

    /**
     * One reason the listener must not listen as configured.
     *
     * @param setting the key and value that make it so ({@code mailroute.smtpd.host=0.0.0.0})
     * @param optOut whether mailroute.security.allowUnauthenticated=true may let it listen (a firewall in front)
     */
    public record Problem(String setting, String what, String fix, boolean optOut) {

        /** The line a refused start ends with. */
        public String refusal() {
            return setting + ": " + what + ". Fix: " + fixes();
        }

        /** The fix, and the opt-out where there is one. */
        public String fixes() {
            return fix + (optOut ? ", or set mailroute.security.allowUnauthenticated=true if a firewall guards it"
                    : "");
        }
    }

    private ListenerExposure() {
    }

    /** The reason the listener must not listen as configured, or empty; always empty when it is not enabled. */
    public static Optional<Problem> of(SmtpdSettings smtpd) {
        if (!smtpd.enabled() || Hosts.isLoopback(smtpd.host())) {
            return Optional.empty();
        }
        if (!smtpd.requireAuth()) {
            if (!smtpd.allowedClientsSet()) {
                return Optional.of(new Problem("mailroute.smtpd.host=" + smtpd.host(), "the SMTP listener on "
                        + smtpd.host() + ":" + smtpd.port() + " listens beyond loopback with neither AUTH required"
                        + " nor a client list of yours", "set mailroute.smtpd.allowedClients to the networks of your"
                        + " clients, or mailroute.smtpd.requireAuth=true with mailroute.smtpd.users, or listen on"
                        + " 127.0.0.1", true));
            }
            Optional<String> openness = smtpd.allowedClients().openness();
            if (openness.isPresent()) {
                return Optional.of(new Problem("mailroute.smtpd.allowedClients=" + smtpd.allowedClients(), "the SMTP"
                        + " listener relays for anyone on the internet without AUTH (an open relay): "
                        + openness.get(), "narrow mailroute.smtpd.allowedClients to the networks of your clients (at"
                        + " most a /8 of public IPv4 and a /32 of public IPv6 addresses), or set"
                        + " mailroute.smtpd.requireAuth=true", true));
            }
            return Optional.empty();
        }
        if (!smtpd.tls()) {
            // AUTH is offered to other machines only under TLS: none of them could ever send
            return Optional.of(new Problem("mailroute.smtpd.requireAuth=true", "clients on other machines may"
                    + " authenticate only after STARTTLS, and mailroute.smtpd.tls.cert is not set", "set"
                    + " mailroute.smtpd.tls.cert and mailroute.smtpd.tls.key (PEM files), or listen on 127.0.0.1",
                    false));
        }
        return Optional.empty();
    }
}
