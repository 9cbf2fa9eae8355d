package dev.mailroute.ingress.smtp;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** mailroute.smtpd.allowedClients: CIDR blocks, IPv4 and IPv6, and what is refused as a value. */
class ClientNetworksTest {

    private static final String KEY = "mailroute.smtpd.allowedClients";

    @Test
    void matchesByPrefixBitByBit() throws Exception {
        ClientNetworks networks = ClientNetworks.parse(KEY, List.of("10.1.20.0/23", "192.0.2.7", "2001:db8::/32"));
        assertThat(networks.allows(InetAddress.getByName("10.1.21.255"))).isTrue();
        assertThat(networks.allows(InetAddress.getByName("10.1.22.0"))).isFalse();
        assertThat(networks.allows(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(networks.allows(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThat(networks.allows(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(networks.allows(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(networks.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(networks.openness()).isEmpty();
        assertThat(networks).hasToString("10.1.20.0/23, 192.0.2.7, 2001:db8::/32");
    }

    @Test
    void theDefaultIsLoopbackOnlyAndSlashZeroIsEveryone() throws Exception {
        ClientNetworks loopback = ClientNetworks.parse(KEY, List.of("127.0.0.0/8", "::1"));
        assertThat(loopback.allows(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("128.0.0.1"))).isFalse();
        assertThat(loopback.openness()).isEmpty();
        assertThat(open("10.0.0.0/8", "0.0.0.0/0")).contains("public IPv4 addresses (all of them");
        assertThat(open("::/0")).contains("all of the public IPv6 addresses");
    }

    /** The space a list covers counts, after merging overlaps: 0.0.0.0/0 in pieces is still everyone. */
    @Test
    void networksThatTogetherCoverMuchOfTheInternetAreOpen() {
        assertThat(open("0.0.0.0/1", "128.0.0.0/1")).contains("public IPv4 addresses (all of them");
        assertThat(open("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"))
                .contains("public IPv4 addresses (all of them");
        assertThat(open("0.0.0.0/1")).contains("public IPv4 addresses (49% of them");
        // more than a /8 of public addresses, also when written as overlapping pieces
        assertThat(open("44.0.0.0/8", "45.0.0.0/9", "45.0.0.0/16")).startsWith("they cover 25165824 public IPv4");
        assertThat(ClientNetworks.parse(KEY, List.of("44.0.0.0/8", "44.1.0.0/16")).openness()).as("one /8").isEmpty();
        // private and loopback networks are not the internet, however large
        assertThat(ClientNetworks.parse(KEY, List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1")).openness()).isEmpty();
        assertThat(ClientNetworks.parse(KEY, List.of("8.0.0.0/7")).openness()).isPresent();
        assertThat(ClientNetworks.parse(KEY, List.of("10.0.0.0/7")).openness()).as("10/8 is private, 11/8 is not")
                .isEmpty();
    }

    @Test
    void ipv6HalvesAreOpenAndAProvidersAllocationIsNot() {
        // ::/1 also holds ::ffff:0:0/96, all of IPv4
        assertThat(open("::/1", "8000::/1")).contains("all of the public IPv6 addresses")
                .contains("public IPv4 addresses (all of them");
        assertThat(open("2000::/3")).contains("of the public IPv6 addresses (more than a /32 holds)");
        assertThat(ClientNetworks.parse(KEY, List.of("2001:db8::/32")).openness()).isEmpty();
        assertThat(open("2001:db8::/32", "2001:db9::/32")).contains("public IPv6");
    }

    /** Java hands IPv4 clients over as IPv4 even on an IPv6 socket: ::ffff:0:0/96 is all of IPv4. */
    @Test
    void ipv4MappedNetworksAreTheirIpv4Addresses() throws Exception {
        assertThat(open("::ffff:0:0/96")).contains("public IPv4 addresses (all of them");
        ClientNetworks mapped = ClientNetworks.parse(KEY, List.of("::ffff:10.1.0.0/112"));
        assertThat(mapped.allows(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(mapped.allows(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(mapped.openness()).isEmpty();
        assertThat(ClientNetworks.parse(KEY, List.of("10.1.0.0/16")).allows(InetAddress.getByName("::ffff:10.1.9.9")))
                .isTrue();
        assertThat(ClientNetworks.parse(KEY, List.of("::ffff:0:0/96")).allows(InetAddress.getByName("192.0.2.1")))
                .isTrue();
    }

    private static String open(String... networks) {
        return ClientNetworks.parse(KEY, List.of(networks)).openness()
                .orElseThrow(() -> new AssertionError(List.of(networks) + " judged not open"));
    }

    @Test
    void namesAndBadPrefixesAreRefusedWithTheKey() {
        assertThatThrownBy(() -> ClientNetworks.parse(KEY, List.of("mail.example.com")))
                .hasMessage(KEY + ": 'mail.example.com' is not an address or a network such as 10.0.0.0/8"
                            + " (names are not allowed)");
        assertThatThrownBy(() -> ClientNetworks.parse(KEY, List.of("10.0.0.0/33")))
                .hasMessage(KEY + ": '10.0.0.0/33' has a prefix length that is not 0 to 32");
        assertThatThrownBy(() -> ClientNetworks.parse(KEY, List.of("10.0.0.0/x")))
                .hasMessageContaining("prefix length");
        assertThatThrownBy(() -> ClientNetworks.parse(KEY, List.of("::ffff:10.0.0.0/129")))
                .hasMessage(KEY + ": '::ffff:10.0.0.0/129' has a prefix length that is not 0 to 128");
    }
}
