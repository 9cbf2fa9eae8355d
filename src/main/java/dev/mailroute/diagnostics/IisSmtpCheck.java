package dev.mailroute.diagnostics;

import java.io.IOException;

import dev.mailroute.ingress.smtp.SmtpdSettings;
import dev.mailroute.observability.LogText;

/**
 * On Windows: whether the IIS SMTP service (SMTPSVC) still runs, and so holds port 25 — where a
 * server moving from IIS to mailroute wants mailroute's listener. Not shown on other systems.
 */
final class IisSmtpCheck implements DoctorCheck {

    static final String SERVICE = "SMTPSVC";
    private static final String DISABLE = "Stop-Service SMTPSVC; Set-Service SMTPSVC -StartupType Disabled";

    private final boolean windows;
    private final WindowsService.Sc sc;

    IisSmtpCheck(boolean windows, WindowsService.Sc sc) {
        this.windows = windows;
        this.sc = sc;
    }

    @Override
    public void run(Situation situation, Report report) {
        if (!windows) {
            return;
        }
        SmtpdSettings smtpd = situation.settings().smtpd();
        boolean wants25 = smtpd.enabled() && smtpd.port() == 25;
        WindowsService.State state;
        String why = "";
        try {
            state = WindowsService.state(sc.query(SERVICE));
        } catch (IOException e) {
            state = WindowsService.State.UNKNOWN;
            why = " (" + LogText.oneLine(e.getMessage(), 200) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = WindowsService.State.UNKNOWN;
        }
        String listener = wants25 ? "mailroute.smtpd.port=25"
                : smtpd.enabled() ? "mailroute's listener is on port " + smtpd.port() + ", so they do not meet"
                : "mailroute's SMTP listener is off";
        switch (state) {
            case ABSENT -> report.ok("ports", "smtpsvc", "the IIS SMTP service (SMTPSVC) is not installed");
            case STOPPED -> report.ok("ports", "smtpsvc", "the IIS SMTP service (SMTPSVC) is installed and stopped;"
                                                          + " keep it disabled: Set-Service SMTPSVC -StartupType"
                                                          + " Disabled");
            case UNKNOWN -> {
                String detail = "cannot tell whether the IIS SMTP service (SMTPSVC) runs: sc query " + SERVICE
                                + " gave no state" + why;
                if (wants25) {
                    report.fail("ports", "smtpsvc", detail + "; " + listener, "run sc query SMTPSVC and stop the"
                                                                              + " service if it runs: " + DISABLE);
                } else {
                    report.ok("ports", "smtpsvc", detail + "; " + listener);
                }
            }
            default -> {
                // running, paused (a paused SMTP service still listens) or on its way
                String detail = "the IIS SMTP service (SMTPSVC) is " + WindowsService.shown(state)
                                + " and holds port 25 (its default virtual server's port)";
                if (wants25) {
                    report.fail("ports", "smtpsvc", detail + ", where " + listener + " wants to listen.",
                            DISABLE + " (or set mailroute.smtpd.port to another port)");
                } else {
                    report.ok("ports", "smtpsvc", detail + "; " + listener);
                }
            }
        }
    }
}
