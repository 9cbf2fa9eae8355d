package dev.mailroute.ingress.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client addresses the SMTP listener talks to ({@code mailroute.smtpd.allowedClients}): a list
 * of networks in CIDR notation ({@code 127.0.0.0/8}, {@code 10.1.0.0/16}, {@code ::1}); a bare
 * address is a network of one.
 */
public record ClientNetworks(List<Network> networks) {

    /** One network: its address bytes and how many leading bits must match. */
    public record Network(String written, byte[] address, int prefix) {

        boolean contains(InetAddress client) {
            byte[] candidate = client.getAddress();
            if (candidate.length != address.length) {
                return false; // IPv4 against IPv6
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((candidate[bit / 8] & mask) != (address[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** 0.0.0.0/0 or ::/0: anyone on the internet. */
        boolean everyone() {
            return prefix == 0;
        }
    }

    public static ClientNetworks parse(String key, List<String> written) {
        return new ClientNetworks(written.stream().map(w -> network(key, w)).toList());
    }

    private static Network network(String key, String written) {
        int slash = written.indexOf('/');
        String host = slash < 0 ? written : written.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(key + ": '" + written + "' is not an address or a network such as"
                                               + " 10.0.0.0/8 (names are not allowed)");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + ": '" + written + "' is not an address or a network such as"
                                               + " 10.0.0.0/8");
        }
        int prefix = address.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(written.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException(key + ": '" + written + "' has a prefix length that is not 0 to "
                                                   + address.length * 8);
            }
        }
        return new Network(written, address, prefix);
    }

    public boolean allows(InetAddress client) {
        return networks.stream().anyMatch(n -> n.contains(client));
    }

    /** Some network lets anyone in. */
    public boolean everyone() {
        return networks.stream().anyMatch(Network::everyone);
    }

    @Override
    public String toString() {
        return String.join(", ", networks.stream().map(Network::written).toList());
    }
}
