package dev.mailroute.diagnostics;

import java.util.Map;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The configuration the gateway started from this folder would read — config/application.properties
 * (if there is one) and the environment — through Camel's properties, as start-up reads it, so
 * that a tool sees the same values the gateway runs with.
 */
final class ConfigurationFile {

    private ConfigurationFile() {
    }

    /**
     * A context that only resolves properties (nothing is started); close it when done.
     *
     * @param overrides property values that win over the environment and the file (tests)
     */
    static DefaultCamelContext open(Map<String, String> overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        PropertiesComponent properties = context.getPropertiesComponent();
        properties.setLocation("file:config/application.properties;optional=true");
        Properties override = new Properties();
        override.putAll(overrides);
        properties.setOverrideProperties(override);
        return context;
    }
}
