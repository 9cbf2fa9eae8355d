package dev.mailroute.delivery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.mailroute.settings.SettingsReader;

/**
 * Every relay of the gateway: the one named default and those {@code mailroute.relays} names,
 * each set up by its {@code mailroute.relays.<name>.*} keys. Which mail takes which is the routing
 * table's business.
 */
public record Relays(List<RelaySettings> all) {

    /**
     * Words a relay could not be named: default is the relay of mailroute.smtp.*; a relay's route is
     * deliver-&lt;name&gt;, which must not be the id of a route of routes/ (deliver-split, deliver-attempt)
     * or of the template (deliver-relay).
     */
    private static final Set<String> RESERVED = Set.of(RelaySettings.DEFAULT, "split", "attempt", "relay");

    public static Relays from(SettingsReader r, RelaySettings gatewayDefault) {
        List<RelaySettings> all = new ArrayList<>();
        all.add(gatewayDefault);
        for (String name : r.names("mailroute.relays", "a relay", RESERVED)) {
            all.add(RelaySettings.named(r, name, gatewayDefault.pickupDir()));
        }
        return new Relays(List.copyOf(all));
    }

    public RelaySettings defaultRelay() {
        return all.get(0);
    }

    /** The named relays, without default. */
    public List<RelaySettings> named() {
        return all.subList(1, all.size());
    }

    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        all.forEach(relay -> names.add(relay.name()));
        return names;
    }

    public RelaySettings get(String name) {
        return all.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no relay is named " + name));
    }

    /** Whether some relay writes into a pickup folder (as its transport or fallback). */
    public boolean usePickup() {
        return all.stream().anyMatch(RelaySettings::usesPickup);
    }

    /** The pickup folders the relays write into, each once. */
    public List<Path> pickupDirs() {
        return all.stream().filter(RelaySettings::usesPickup).map(RelaySettings::pickupDir).distinct().toList();
    }
}
