package dev.mailroute.diagnostics;

import java.io.IOException;
import java.util.List;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.queue.BrokerManagement;
import dev.mailroute.queue.BrokerSettings;
import dev.mailroute.queue.SubmitterPassword;
import dev.mailroute.settings.Secret;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The broker. An external one is asked directly: reachable with mailroute's account, its address
 * settings as mailroute needs them, its queue depths. The embedded one lives inside the gateway:
 * when mailroute is not running that is said, not failed; when it runs, a submitter's login is
 * tried and the depths come from mailroute's own metrics (a submitter may not browse the queues).
 */
final class BrokerChecks implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        if (situation.settings().broker().embedded()) {
            embedded(situation, report);
        } else {
            external(situation.settings().broker(), situation.settings().delivery().gatewayThrottle(),
                    !situation.settings().webhooks().endpoints().isEmpty(),
                    !situation.settings().relays().named().isEmpty(), report);
        }
    }

    private static void external(BrokerSettings broker, boolean exclusiveOutbound, boolean webhooks, boolean relays,
                                 Report report) {
        String url = BrokerSettings.redacted(broker.url());
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.username(),
                broker.password() == null ? null : broker.password().reveal());
        factory.setReconnectAttempts(0);
        factory.setInitialConnectAttempts(1);
        factory.setCallTimeout(broker.callTimeoutMillis());
        try (factory; BrokerManagement management = BrokerManagement.open(factory)) {
            report.ok("broker", "reachable", url + (broker.username() == null ? "" : " as " + broker.username())
                                             + ": " + depths(management));
            List<String> differences = management.differences(broker.keyCache(), exclusiveOutbound, webhooks,
                    relays);
            for (String difference : differences) {
                report.fail("broker", "settings", difference, "change it in the broker's broker.xml"
                                                              + " (docs/scale-out.md has the whole snippet)");
            }
            if (differences.isEmpty()) {
                report.ok("broker", "settings", "the address settings of mailroute's queues are as required");
            }
        } catch (Exception e) {
            report.fail("broker", "reachable", "cannot ask the broker " + url + ": "
                                               + BrokerSettings.redacted(String.valueOf(e.getMessage())),
                    "check mailroute.broker.url, mailroute.broker.username and MAILROUTE_BROKER_PASSWORD, that the"
                    + " broker runs, and that mailroute's account may manage (docs/scale-out.md)");
        }
    }

    private static String depths(BrokerManagement management) throws JMSException {
        return "mail.outbound " + management.messageCount("mail.outbound") + " (of them "
               + management.scheduledCount("mail.outbound") + " waiting for a retry), mail.failed "
               + management.messageCount("mail.failed") + ", mail.submit " + management.messageCount("mail.submit")
               + ", mail.rejected " + management.messageCount("mail.rejected");
    }

    private static void embedded(Situation situation, Report report) {
        BrokerSettings broker = situation.settings().broker();
        String url = broker.clientUrl();
        if (!situation.running()) {
            report.ok("broker", "reachable", "the embedded broker is not running at " + url
                                             + " (mailroute is not running); queue depths unknown");
            return;
        }
        Secret password;
        try {
            password = SubmitterPassword.current(broker);
        } catch (IOException e) {
            report.fail("broker", "login", "cannot read the submitters' password in " + broker.dir() + ": "
                                           + e.getMessage(), "run doctor as the user mailroute runs as");
            return;
        }
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, broker.submitUser(),
                password == null ? null : password.reveal());
        factory.setReconnectAttempts(0);
        factory.setInitialConnectAttempts(1);
        try (factory; Connection connection = factory.createConnection()) {
            report.ok("broker", "login", url + ": JMS submitters can log in as '" + broker.submitUser() + "'");
        } catch (Exception e) {
            report.fail("broker", "login", "cannot log in to " + url + " as '" + broker.submitUser() + "': "
                                           + e.getMessage(), "check mailroute.broker.submitUser and"
                                                             + " MAILROUTE_BROKER_SUBMITPASSWORD");
        }
        report.ok("broker", "queues", queueDepths(situation.settings()));
    }

    private static String queueDepths(MailrouteSettings settings) {
        try {
            String metrics = RunningInstance.metrics(settings);
            return "mail.outbound " + sample(metrics, "mailroute_queue_depth{queue=\"mail.outbound\"}")
                   + " (of them " + sample(metrics, "mailroute_queue_scheduled{queue=\"mail.outbound\"}")
                   + " waiting for a retry), mail.failed " + sample(metrics, "mailroute_queue_depth{queue=\"mail.failed\"}")
                   + ", mail.submit " + sample(metrics, "mailroute_queue_depth{queue=\"mail.submit\"}");
        } catch (IOException e) {
            return "queue depths unknown: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "queue depths unknown";
        }
    }

    private static String sample(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return line.substring(name.length() + 1).replaceAll("\\.0$", "");
            }
        }
        return "?";
    }
}
