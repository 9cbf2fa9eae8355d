package dev.mailroute.routing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The routing file's rules, as an operator writes them, and every refusal naming its line. */
class RoutingFileTest {

    private static final Path FILE = Path.of("routing.yaml");
    private static final Set<String> RELAYS = Set.of("default", "internal", "bulk", "testdrop", "m365");

    private static RoutingTable parse(String yaml) throws RoutingFileException {
        return RoutingFile.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8), RELAYS);
    }

    private static final String TABLE = """
            rules:
              - recipientDomain: corp.example.com      # exact
                relay: internal
              - recipientDomain: "*.corp.example.com"  # its subdomains
                relay: internal
              - sender: "*@billing.example.com"
                relay: bulk
              - sender: ceo@Example.COM
                recipientDomain: partner.example
                relay: internal
              - recipientDomain: test.local
                relay: testdrop
              - recipientDomain: bücher.example
                relay: bulk
              - default: m365
            """;

    @Test
    void theFirstMatchingRuleWinsAndTheDefaultTakesTheRest() throws Exception {
        RoutingTable table = parse(TABLE);
        assertThat(table.route("ops@example.com", "alice@corp.example.com").relay()).isEqualTo("internal");
        assertThat(table.route("ops@example.com", "Alice@CORP.Example.com").relay()).isEqualTo("internal");
        assertThat(table.route("ops@example.com", "bob@eu.corp.example.com").relay()).isEqualTo("internal");
        // a domain that merely ends in the same letters is not a subdomain
        assertThat(table.route("ops@example.com", "eve@evilcorp.example.com").relay()).isEqualTo("m365");
        assertThat(table.route("ops@example.com", "eve@corp.example.com.evil.example").relay()).isEqualTo("m365");
        // a recipient domain rule comes first: billing's mail to corp still goes inside
        assertThat(table.route("invoices@billing.example.com", "alice@corp.example.com").relay()).isEqualTo("internal");
        assertThat(table.route("invoices@billing.example.com", "carol@elsewhere.example").relay()).isEqualTo("bulk");
        assertThat(table.route("invoices@eu.billing.example.com", "carol@elsewhere.example").relay()).isEqualTo("m365");
        assertThat(table.route("CEO@example.com", "p@partner.example").relay()).isEqualTo("internal");
        assertThat(table.route("cfo@example.com", "p@partner.example").relay()).isEqualTo("m365");
        assertThat(table.route("ops@example.com", "dave@test.local").relay()).isEqualTo("testdrop");
        // an internationalised domain matches in either form
        assertThat(table.route("ops@example.com", "leser@xn--bcher-kva.example").relay()).isEqualTo("bulk");
        assertThat(table.route("ops@example.com", "leser@BÜCHER.example").relay()).isEqualTo("bulk");
        // the null sender (a report) matches no sender rule
        assertThat(table.route("", "carol@elsewhere.example").relay()).isEqualTo("m365");
        assertThat(table.route("ops@example.com", "carol@elsewhere.example").describe())
                .isEqualTo("line 15: default -> m365");
        assertThat(table.route("invoices@billing.example.com", "carol@x.example").describe())
                .isEqualTo("line 6: sender *@billing.example.com -> bulk");
    }

    @Test
    void aSubdomainWildcardOfTheSenderNeedsAWildcardLocalPart() throws Exception {
        RoutingTable table = parse("""
                rules:
                  - sender: "*@*.example.com"
                    relay: bulk
                  - default: default
                """);
        assertThat(table.route("a@eu.example.com", "x@y.example").relay()).isEqualTo("bulk");
        assertThat(table.route("a@example.com", "x@y.example").relay()).isEqualTo("default");
        assertRefused("""
                rules:
                  - sender: "alice@*.example.com"
                    relay: bulk
                  - default: default
                """, 2, "sender 'alice@*.example.com' is not an address, *@domain or *@*.domain");
    }

    @Test
    void everyMistakeIsRefusedWithItsLine() {
        assertRefused("rules:\n  - recipientDomain: a.example\n    relay: nowhere\n  - default: m365\n", 3,
                "no relay is named 'nowhere' (the relays: bulk, default, internal, m365, testdrop;"
                + " mailroute.relays names them)");
        assertRefused("rules:\n  - recipientDomain: a.example\n    relay: bulk\n", 2,
                "the last rule must be the default");
        assertRefused("rules:\n  - default: m365\n  - recipientDomain: a.example\n    relay: bulk\n", 3,
                "a rule after the default rule would never be used");
        assertRefused("rules:\n  - recipientDomain: a.example\n    relai: bulk\n  - default: m365\n", 3,
                "'relai' is not a key of a rule (default, recipientDomain, relay, sender)");
        assertRefused("rules:\n  - recipientDomain: a.example\n    recipientDomain: b.example\n    relay: bulk\n"
                      + "  - default: m365\n", 3, "recipientDomain is given twice");
        assertRefused("rules:\n  - recipientDomain: not a domain\n    relay: bulk\n  - default: m365\n", 2,
                "recipientDomain 'not a domain' is not a domain");
        assertRefused("rules:\n  - relay: bulk\n  - default: m365\n", 2, "the rule matches nothing");
        assertRefused("rules:\n  - recipientDomain: a.example\n  - default: m365\n", 2, "the rule names no relay");
        assertRefused("rules:\n  - default: m365\n    relay: bulk\n", 2, "the default rule has nothing but default");
        assertRefused("rules:\n  - [a, b]\n  - default: m365\n", 2, "a rule must be a mapping");
        assertRefused("rules: [\n", 2, "not YAML");
        assertRefused("rulez:\n  - default: m365\n", 1, "'rulez' is not a key of the file (rules)");
        assertRefused("rules: []\n", 1, "rules: must be a list of rules ending with a default");
        assertRefused("", 0, "is empty");
        // an alias could multiply a small file into a huge table: none at all, of a rule or of a value
        assertRefused("rules:\n  - &r {default: m365}\n  - *r\n", 0, "not YAML");
        assertRefused("rules:\n  - recipientDomain: &d corp.example.com\n    relay: bulk\n  - default: m365\n", 2,
                "anchors and aliases (&, *) are not used in a routing file");
        assertRefused("rules:\n  - recipientDomain: !!java.lang.Runtime corp.example.com\n    relay: bulk\n"
                      + "  - default: m365\n", 2, "tags (!!...) are not used in a routing file");
        assertRefused("rules:\n  - default: m365\n    x: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n", 0,
                "nested too deeply to be a routing table");
        assertRefused("rules:\n  - default: [[[[m365]]]]\n", 2, "nested deeper than a routing table is");
        // a domain whose letters IDNA 2003 maps to others names two domains: its xn-- form names one
        assertRefused("rules:\n  - recipientDomain: straße.example\n    relay: bulk\n  - default: m365\n", 2,
                "'straße.example' does not name one domain only");
        assertRefused("rules:\n  - sender: \"a\\u0007\\u202Eb@example.com\"\n    relay: bulk\n  - default: m365\n", 2,
                "is not an address, *@domain or *@*.domain");
    }

    @Test
    void aValueFromTheFileIsShownEscapedAndBounded() {
        String hostile = "no\u001b[31mwhere" + "x".repeat(300);
        assertThatThrownBy(() -> parse("rules:\n  - default: \"" + hostile.replace("\u001b", "\\e") + "\"\n"))
                .isInstanceOf(RoutingFileException.class)
                .hasMessageContaining("\\x1b")
                .hasMessageNotContaining("\u001b")
                .hasMessageNotContaining("x".repeat(150));
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        assertThatThrownBy(() -> RoutingFile.parse(FILE, new byte[] {'r', 'u', (byte) 0xff}, RELAYS))
                .hasMessage("routing.yaml: is not UTF-8 text");
    }

    private static void assertRefused(String yaml, int line, String reason) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(RoutingFileException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((RoutingFileException) e).line()).as(e.getMessage()).isEqualTo(line));
    }
}
