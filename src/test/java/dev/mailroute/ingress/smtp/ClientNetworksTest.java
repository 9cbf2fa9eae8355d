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
        assertThat(networks.everyone()).isFalse();
        assertThat(networks).hasToString("10.1.20.0/23, 192.0.2.7, 2001:db8::/32");
    }

    @Test
    void theDefaultIsLoopbackOnlyAndSlashZeroIsEveryone() throws Exception {
        ClientNetworks loopback = ClientNetworks.parse(KEY, List.of("127.0.0.0/8", "::1"));
        assertThat(loopback.allows(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("128.0.0.1"))).isFalse();
        assertThat(ClientNetworks.parse(KEY, List.of("10.0.0.0/8", "0.0.0.0/0")).everyone()).isTrue();
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
    }
}
