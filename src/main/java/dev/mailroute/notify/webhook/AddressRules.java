package dev.mailroute.notify.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * Where an endpoint's events may go: its host is resolved for every connection and each address
 * checked before one byte is sent, so a name that later resolves somewhere else (DNS rebinding) is
 * caught at the connection that would use it. Refused always: link-local addresses (169.254.0.0/16
 * and fe80::/10), the cloud metadata services' other addresses ({@link #METADATA}), the unspecified,
 * multicast, broadcast and reserved addresses (0/8, 192.0.0/24, 198.18/15, 240/4), and IPv6
 * addresses that carry an IPv4 address to another network (NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
 * 6to4 2002::/16, Teredo 2001::/32, IPv4-compatible ::/96) — checking the IPv4 address inside would
 * trust a gateway mailroute knows nothing of. Loopback unless the endpoint allows it
 * ({@code allowInsecureLoopback}); private ranges (10/8, 172.16/12, 192.168/16, 100.64/10,
 * fc00::/7, fec0::/10) unless it allows those ({@code allowPrivate}). One refused address refuses
 * the name.
 */
public final class AddressRules implements DnsResolver {

    /**
     * Metadata services outside link-local: AWS's IPv6 one, Alibaba Cloud's, Azure's wire server.
     * Never a receiver, whatever the endpoint allows.
     */
    static final Set<String> METADATA = Set.of("fd00:ec2:0:0:0:0:0:254", "100.100.100.200", "168.63.129.16");

    private final WebhookEndpoint endpoint;
    private final DnsResolver dns;

    AddressRules(WebhookEndpoint endpoint) {
        this(endpoint, SystemDefaultDnsResolver.INSTANCE);
    }

    AddressRules(WebhookEndpoint endpoint, DnsResolver dns) {
        this.endpoint = endpoint;
        this.dns = dns;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = dns.resolve(host);
        for (InetAddress address : addresses) {
            String refusal = refusal(address);
            if (refusal != null) {
                throw new RefusedAddressException(host + " resolves to " + address.getHostAddress() + ", " + refusal);
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return dns.resolveCanonicalHostname(host);
    }

    /**
     * Where the endpoint's host resolves now, or why events may not go there: what {@code doctor}
     * shows. The same rules as every connection's.
     */
    public static String check(WebhookEndpoint endpoint) {
        try {
            InetAddress[] addresses = new AddressRules(endpoint).resolve(endpoint.url().getHost());
            StringBuilder shown = new StringBuilder();
            for (InetAddress address : addresses) {
                shown.append(shown.isEmpty() ? "" : ", ").append(address.getHostAddress());
            }
            return "resolves to " + shown;
        } catch (RefusedAddressException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(endpoint.url().getHost() + " does not resolve: " + e.getMessage());
        }
    }

    /** Why events may not go to this address, or null when they may. */
    String refusal(InetAddress address) {
        boolean http = "http".equalsIgnoreCase(endpoint.url().getScheme());
        if (address.isLoopbackAddress()) {
            return endpoint.allowInsecureLoopback() ? null
                    : "a loopback address (allowed only with mailroute.webhooks." + endpoint.name()
                      + ".allowInsecureLoopback=true)";
        }
        if (http) {
            return "not a loopback address: http:// goes only to this host";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata services live there): never allowed";
        }
        if (METADATA.contains(address.getHostAddress())) {
            return "a cloud metadata service's address: never allowed";
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || reservedV4(address)) {
            return "not an address of a receiver";
        }
        if (carriesIpv4(address)) {
            return "an IPv6 address that carries an IPv4 one to another network (NAT64, 6to4, Teredo): never allowed";
        }
        if (privateRange(address)) {
            return endpoint.allowPrivate() ? null : "a private address (allowed only with mailroute.webhooks."
                                                     + endpoint.name() + ".allowPrivate=true)";
        }
        return null;
    }

    /** 0/8, 192.0.0/24 (IETF), 198.18/15 (benchmarking), 240/4 (reserved, and broadcast). */
    private static boolean reservedV4(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return false;
        }
        int a = address.getAddress()[0] & 0xff;
        int b = address.getAddress()[1] & 0xff;
        int c = address.getAddress()[2] & 0xff;
        return a == 0 || a >= 240 || a == 192 && b == 0 && c == 0 || a == 198 && (b & 0xfe) == 18;
    }

    /** NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32), IPv4-compatible (::/96). */
    private static boolean carriesIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return false;
        }
        byte[] b = address.getAddress();
        int first = (b[0] & 0xff) << 8 | b[1] & 0xff;
        int second = (b[2] & 0xff) << 8 | b[3] & 0xff;
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= b[i] == 0;
        }
        // 64:ff9b::/32 holds both NAT64 prefixes
        return first == 0x0064 && second == 0xff9b || first == 0x2002
               || first == 0x2001 && second == 0 || compatible;
    }

    private static boolean privateRange(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            // site-local (10/8, 172.16/12, 192.168/16) and carrier-grade NAT (100.64/10)
            return address.isSiteLocalAddress() || (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        }
        // unique local fc00::/7, and the old site-local fec0::/10
        return address instanceof Inet6Address && ((b[0] & 0xfe) == 0xfc || address.isSiteLocalAddress());
    }

    /** Whether a URL's host names this machine by a loopback literal or localhost. */
    static boolean loopbackName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** A connection refused by these rules: retried like an unreachable receiver, and logged with the reason. */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String message) {
            super(message);
        }
    }
}
