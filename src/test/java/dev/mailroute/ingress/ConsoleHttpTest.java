package dev.mailroute.ingress;

import java.nio.file.Path;
import java.util.List;

import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console as HTTP sees it, against the real gateway: its files and their security
 * headers, no way out of {@code /console/} by any spelling of {@code ..}, and the sign-in check
 * ({@code GET /api/v1/admin/whoami}) that only an admin key passes. The browser's view is
 * ConsoleBrowserTest's.
 */
class ConsoleHttpTest {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none';"
            + " base-uri 'none'; frame-ancestors 'none'";

    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        Path data = Scratch.folder("mailroute-console-http");
        gateway = TestGateway.on(data)
                .with("mailroute.api.keys", "billing:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void servesItsFilesWithAStrictContentSecurityPolicy() {
        for (String[] file : List.of(new String[] {"/console/", "text/html", "<script src=\"console.js\""},
                new String[] {"/console/console.js", "text/javascript", "textContent"},
                new String[] {"/console/console.css", "text/css", "#timeline"})) {
            Answer answer = Http.get(gateway.http(file[0]));
            assertThat(answer.status()).as(file[0]).isEqualTo(200);
            assertThat(answer.contentType()).as(file[0]).startsWith(file[1]);
            assertThat(answer.body()).as(file[0]).contains(file[2]);
            assertSecurityHeaders(answer, file[0]);
        }
        // and on what is not there
        Answer missing = Http.get(gateway.http("/console/nothing.html"));
        assertThat(missing.status()).isEqualTo(404);
        assertSecurityHeaders(missing, "/console/nothing.html");

        Answer bare = Http.get(gateway.http("/console"));
        assertThat(bare.status()).isEqualTo(301);
        assertThat(bare.header("Location")).isEqualTo("/console/");
    }

    @Test
    void thePageHasNoInlineScriptNorStyle() {
        String page = Http.get(gateway.http("/console/")).body();
        assertThat(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("<style")
                .doesNotContainPattern("\\son[a-z]+=").doesNotContain("style=");
    }

    @Test
    void noSpellingOfDotDotLeavesTheConsole() {
        for (String path : List.of(
                "/console/../config/application.properties",
                "/console/%2e%2e/config/application.properties",
                "/console/%2E%2E/%2E%2E/config/application.properties",
                "/console/..%2fconfig%2fapplication.properties",
                "/console/%2e%2e%2f%2e%2e%2fpom.xml",
                "/console/..%5c..%5cpom.xml",
                "/console/../logback.xml",
                "/console/%2e%2e/logback.xml",
                "/console/..%2flogback.xml",
                "/console/%252e%252e/logback.xml",
                "/console/./../openapi.json",
                "/console//../../logback.xml",
                "/console/console.js/../../logback.xml")) {
            Answer answer = Http.get(gateway.http(path));
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).doesNotContain("mailroute.").doesNotContain("<configuration")
                    .doesNotContain("<project").doesNotContain("openapi");
        }
    }

    @Test
    void onlyAnAdminKeyPassesTheSignInCheck() {
        Answer admin = Http.get(gateway.http("/api/v1/admin/whoami"), "Authorization", "Bearer admin-key-0123456789");
        assertThat(admin.status()).as(admin.body()).isEqualTo(200);
        assertThat(admin.json().get("name").asText()).isEqualTo("ops");

        Answer submit = Http.get(gateway.http("/api/v1/admin/whoami"), "Authorization", "Bearer submit-key-0123456789");
        assertThat(submit.status()).isEqualTo(403);
        assertThat(submit.json().get("type").asText()).isEqualTo("urn:mailroute:problem:admin-only");
        assertThat(submit.json().get("detail").asText()).contains("mailroute.admin.keys").contains("billing")
                .doesNotContain("submit-key-0123456789");

        for (String[] headers : List.of(new String[0], new String[] {"Authorization", "Bearer not-a-key"})) {
            Answer refused = Http.get(gateway.http("/api/v1/admin/whoami"), headers);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).doesNotContain("ops").doesNotContain("not-a-key");
        }
    }

    private static void assertSecurityHeaders(Answer answer, String path) {
        assertThat(answer.header("Content-Security-Policy")).as(path).startsWith(CSP);
        assertThat(answer.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
        assertThat(answer.header("Referrer-Policy")).as(path).isEqualTo("no-referrer");
    }
}
