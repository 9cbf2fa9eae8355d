package dev.mailroute.diagnostics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import dev.mailroute.config.MailrouteSettings;

/** The ports mailroute listens on can be bound — unless mailroute is running and holds them itself. */
final class PortChecks implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        MailrouteSettings settings = situation.settings();
        if (situation.running()) {
            report.ok("ports", "http", "mailroute is running and answers on " + settings.http().host() + ":"
                                       + settings.http().port());
            return;
        }
        port(report, "http", "mailroute.http.port", settings.http().host(), settings.http().port());
        if (settings.smtpd().enabled()) {
            port(report, "smtpd", "mailroute.smtpd.port", settings.smtpd().host(), settings.smtpd().port());
        }
        if (settings.broker().embedded()) {
            port(report, "broker", "mailroute.broker.port", settings.broker().host(), settings.broker().port());
        }
    }

    private static void port(Report report, String name, String key, String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            report.ok("ports", name, host + ":" + port + " is free to listen on");
        } catch (IOException e) {
            report.fail("ports", name, host + ":" + port + " cannot be listened on: " + e.getMessage(),
                    "stop what uses that port, or set " + key + " to a free one");
        }
    }
}
