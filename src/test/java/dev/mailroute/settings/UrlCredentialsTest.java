package dev.mailroute.settings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Credentials in a configured URL, and in a message quoting one, are masked; the rest is left as it is. */
class UrlCredentialsTest {

    @Test
    void userInfoAndSecretParametersAreMasked() {
        assertThat(UrlCredentials.mask("https://user:pa:ss@idp.example.com/token"))
                .isEqualTo("https://****@idp.example.com/token");
        assertThat(UrlCredentials.mask("tcp://broker:61616?user=peer&password=s:3cret;sslEnabled=true"))
                .isEqualTo("tcp://broker:61616?user=****&password=****;sslEnabled=true");
        assertThat(UrlCredentials.mask("https://idp.example.com/token?client_secret=abc&access_token=def&scope=x"))
                .isEqualTo("https://idp.example.com/token?client_secret=****&access_token=****&scope=x");
        assertThat(UrlCredentials.mask("tcp://h:1?sslEnabled=true;trustStorePath=/a.pem;trustStorePassword=pw"))
                .isEqualTo("tcp://h:1?sslEnabled=true;trustStorePath=/a.pem;trustStorePassword=****");
        assertThat(UrlCredentials.present("https://login.microsoftonline.com/")).isFalse();
        assertThat(UrlCredentials.present("https://u@login.microsoftonline.com/")).isTrue();
    }

    @Test
    void aMessageQuotingAMaskedUrlIsMaskedOnlyOnce() {
        String once = UrlCredentials.mask("https://u:p@idp/token?client_secret=s");
        String message = "cannot get a token from " + once + ": ConnectException: Connection refused";
        assertThat(UrlCredentials.mask(message)).isEqualTo(message);
        assertThat(UrlCredentials.mask("no token from idp within 10000 ms: a user@example.com said"))
                .isEqualTo("no token from idp within 10000 ms: a user@example.com said");
    }
}
