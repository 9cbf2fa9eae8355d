package dev.mailroute.notify.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;

import dev.mailroute.settings.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where events may go: every address a name resolves to is checked before a connection is made. */
class AddressRulesTest {

    @Test
    void aPublicAddressIsAllowedOverHttps() throws Exception {
        assertThat(rules("https://hooks.example.com/", false, false).refusal(InetAddress.getByName("93.184.216.34")))
                .isNull();
        assertThat(rules("https://hooks.example.com/", false, false).refusal(InetAddress.getByName("2606:2800:220:1::1")))
                .isNull();
    }

    @Test
    void metadataAndLinkLocalAddressesAreNeverAllowed() throws Exception {
        AddressRules lenient = rules("https://hooks.example.com/", true, true);
        assertThat(lenient.refusal(InetAddress.getByName("169.254.169.254"))).contains("link-local");
        assertThat(lenient.refusal(InetAddress.getByName("fe80::1"))).contains("link-local");
        assertThat(lenient.refusal(InetAddress.getByName("0.0.0.0"))).isNotNull();
        assertThat(lenient.refusal(InetAddress.getByName("::"))).isNotNull();
        assertThat(lenient.refusal(InetAddress.getByName("224.0.0.1"))).isNotNull();
        assertThat(lenient.refusal(InetAddress.getByName("255.255.255.255"))).isNotNull();
        for (String reserved : List.of("192.0.0.170", "198.18.0.1", "240.0.0.1")) {
            assertThat(lenient.refusal(InetAddress.getByName(reserved))).as(reserved).isNotNull();
        }
        // metadata services outside link-local: AWS over IPv6, Alibaba Cloud, Azure's wire server
        for (String metadata : List.of("fd00:ec2::254", "100.100.100.200", "168.63.129.16")) {
            assertThat(lenient.refusal(InetAddress.getByName(metadata))).as(metadata).contains("metadata");
        }
    }

    /** An IPv6 address that carries an IPv4 one through a gateway is never trusted, whatever it carries. */
    @Test
    void ipv6AddressesCarryingIpv4OnesAreRefused() throws Exception {
        AddressRules lenient = rules("https://hooks.example.com/", true, true);
        for (String tunnel : List.of("64:ff9b::a00:1", "64:ff9b:1::a00:1", "2002:a9fe:a9fe::1", "2001:0:4136:e378::1",
                "::169.254.169.254", "::10.0.0.1")) {
            assertThat(lenient.refusal(InetAddress.getByName(tunnel))).as(tunnel).contains("carries an IPv4");
        }
    }

    @Test
    void privateRangesOnlyWhenTheEndpointAllowsThem() throws Exception {
        AddressRules strict = rules("https://hooks.example.com/", false, false);
        AddressRules allowing = rules("https://hooks.example.com/", false, true);
        for (String address : List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fd00::1", "fc00::2")) {
            assertThat(strict.refusal(InetAddress.getByName(address))).as(address)
                    .contains("private address").contains("mailroute.webhooks.crm.allowPrivate=true");
            assertThat(allowing.refusal(InetAddress.getByName(address))).as(address).isNull();
        }
        // an IPv4-mapped IPv6 literal is the IPv4 address it maps
        assertThat(strict.refusal(InetAddress.getByName("::ffff:10.0.0.1"))).contains("private address");
    }

    @Test
    void loopbackOnlyWhenTheEndpointSaysSoAndHttpOnlyToLoopback() throws Exception {
        assertThat(rules("https://localhost/", false, true).refusal(InetAddress.getByName("127.0.0.1")))
                .contains("allowInsecureLoopback");
        assertThat(rules("http://127.0.0.1/", true, false).refusal(InetAddress.getByName("127.0.0.1"))).isNull();
        assertThat(rules("http://localhost/", true, true).refusal(InetAddress.getByName("93.184.216.34")))
                .contains("http:// goes only to this host");
    }

    /** DNS rebinding: one bad address among good ones refuses the name, at the connection that would use it. */
    @Test
    void aNameThatResolvesToAnyRefusedAddressIsRefused() {
        AddressRules rules = new AddressRules(endpoint("https://hooks.example.com/", false, false), new FixedDns(
                "93.184.216.34", "169.254.169.254"));
        assertThatThrownBy(() -> rules.resolve("hooks.example.com"))
                .isInstanceOf(AddressRules.RefusedAddressException.class)
                .hasMessage("hooks.example.com resolves to 169.254.169.254, a link-local address (cloud metadata"
                            + " services live there): never allowed");
    }

    private static AddressRules rules(String url, boolean loopback, boolean privateRanges) {
        return new AddressRules(endpoint(url, loopback, privateRanges));
    }

    private static WebhookEndpoint endpoint(String url, boolean loopback, boolean privateRanges) {
        return new WebhookEndpoint("crm", URI.create(url), List.of(Secret.of("whsec_x")),
                EnumSet.allOf(WebhookEventType.class), loopback, privateRanges);
    }

    /** A resolver that answers these addresses for any name. */
    private record FixedDns(String... addresses) implements org.apache.hc.client5.http.DnsResolver {
        @Override
        public InetAddress[] resolve(String host) throws java.net.UnknownHostException {
            InetAddress[] resolved = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                resolved[i] = InetAddress.getByName(addresses[i]);
            }
            return resolved;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }
}
