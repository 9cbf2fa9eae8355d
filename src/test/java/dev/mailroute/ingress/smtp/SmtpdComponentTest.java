package dev.mailroute.ingress.smtp;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import dev.mailroute.settings.SettingsReader;
import dev.mailroute.settings.StartupCheckException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The smtpd: component makes no listener the start-up checks would refuse, however it is wired. */
class SmtpdComponentTest {

    @Test
    void anOpenRelayIsRefusedUnlessTheOperatorOptedOut() throws Exception {
        SmtpdSettings open = smtpd("0.0.0.0", "0.0.0.0/1, 128.0.0.0/1");
        assertThatThrownBy(() -> component(open, false)).isInstanceOf(StartupCheckException.class)
                .hasMessageStartingWith("mailroute.smtpd.allowedClients=0.0.0.0/1, 128.0.0.0/1: the SMTP listener"
                                        + " relays for anyone on the internet without AUTH (an open relay)");
        assertThatCode(() -> component(open, true)).as("mailroute.security.allowUnauthenticated=true")
                .doesNotThrowAnyException();
        assertThatCode(() -> component(smtpd("0.0.0.0", "10.0.0.0/8, 192.0.2.0/24"), false))
                .doesNotThrowAnyException();
    }

    private static SmtpdComponent component(SmtpdSettings settings, boolean allowUnauthenticated) {
        return new SmtpdComponent(settings, 1024, null, List.of(), null, allowUnauthenticated);
    }

    /** The defaults of config/application.properties, listening on that host for those clients. */
    private static SmtpdSettings smtpd(String host, String allowedClients) throws Exception {
        Properties properties = new Properties();
        try (Reader file = Files.newBufferedReader(Path.of("config/application.properties"))) {
            properties.load(file);
        }
        properties.setProperty("mailroute.smtpd.host", host);
        properties.setProperty("mailroute.smtpd.allowedClients", allowedClients);
        return SmtpdSettings.from(new SettingsReader(key -> Optional.ofNullable(properties.getProperty(key))));
    }
}
