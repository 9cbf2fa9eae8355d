package dev.mailroute;

import java.util.Map;

import dev.mailroute.config.MailrouteConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * One mailroute gateway: Camel Main with {@code config/application.properties} and the routes it
 * names ({@code routes/*.yaml}). {@link #run()} blocks until the process is told to stop;
 * {@link #start()} / {@link #close()} are for embedding it, as the tests do.
 */
public final class Gateway implements AutoCloseable {

    static final String CONFIG_LOCATION = "file:config/application.properties";

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader scan of the class path
        // on every parse and every write of a message; naming the provider skips the scan. It was
        // the largest single cost per message in the benchmark.
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    private final Main main = new Main();
    private final MailrouteConfiguration configuration = new MailrouteConfiguration();

    /** @param overrides property values that win over the environment and the configuration file */
    public Gateway(Map<String, String> overrides) {
        main.configure().addConfiguration(configuration);
        main.setDefaultPropertyPlaceholderLocation(CONFIG_LOCATION);
        overrides.forEach(main::addOverrideProperty);
    }

    public void run() throws Exception {
        main.run();
    }

    public void start() {
        main.start();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        try {
            main.stop();
        } finally {
            // the broker's threads would keep the JVM alive if the context never got to stop it
            configuration.stopStarted();
        }
    }
}
