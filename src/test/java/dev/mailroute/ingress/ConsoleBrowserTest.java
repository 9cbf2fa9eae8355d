package dev.mailroute.ingress;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser (headless Chromium driven by Selenium) against the real
 * gateway: sign in with the admin key, find a message sent through the API, read its attempts; a
 * hostile subject shown as text that runs nothing; a wrong key and a submit key turned back to the
 * login page with nothing of the ledger in the page; operations on one message and on a search's
 * messages, confirmed with their count. Screenshots of the search, the detail, a held message's
 * operations and a bulk confirmation are saved in target/console-screenshots (docs/images/ has copies).
 */
class ConsoleBrowserTest {

    static final String ADMIN_KEY = "admin-key-0123456789";
    static final String SUBMIT_KEY = "submit-key-0123456789";
    static final String HOSTILE_SUBJECT = "<img src=x onerror=alert(1)>";
    static final String HOSTILE_FLAG = "<img src=x onerror=window.__xss=1>";
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static String chromium;
    private static String chromedriver;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        // skipped on Windows, like every test that needs a Debian tool (Tools.require says so)
        chromium = Tools.require("chromium", "chromium");
        chromedriver = Tools.require("chromedriver", "chromium-driver");
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(Scratch.folder("mailroute-console")).smtp(relay.port())
                .with("mailroute.api.keys", "billing:" + SUBMIT_KEY)
                .with("mailroute.admin.keys", "ops:" + ADMIN_KEY)
                .start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // --no-sandbox: the tests run as root, and Chromium refuses to start its sandbox as root;
        // the browser only ever loads this test's own gateway on 127.0.0.1.
        // --headless=new: the full browser without a display (the old headless mode is a separate, lesser one)
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,800");
        // Debian's driver, given by path: Selenium does not go looking for (or downloading) one
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // the console redraws its tables on every refresh (every few seconds): an element found in one
        // drawing can be gone when it is read, and is then looked for again
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anAdminFindsAMessageSentThroughTheApiAndReadsItsAttempts() throws IOException {
        String tag = "console-" + System.nanoTime();
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add(tag + "@example.net");
        request.put("subject", "Invoice " + tag);
        String id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
        JsonNode delivered = MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id + "?expand=attempts",
                "Bearer " + ADMIN_KEY, "delivered");
        JsonNode attempt = delivered.get("recipients").get(0).get("history").get(0);

        signIn(ADMIN_KEY);
        assertThat(browser.findElement(By.id("key-name")).getText()).isEqualTo("ops");
        search("search-recipient", tag + "@example.net");
        String row = "//tbody[@id='results-body']/tr[td[@class='id']/a[text()='" + id + "']]";
        wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath(row)));
        List<String> cells = textsOf(By.xpath(row + "/td"));
        assertThat(cells.get(2)).isEqualTo("alerts@example.com");
        assertThat(cells.get(3)).isEqualTo(tag + "@example.net delivered");
        assertThat(cells.get(4)).isEqualTo("Invoice " + tag);
        screenshot("search.png");

        clickOn(By.linkText(id));
        WebElement timeline = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#timeline li")));
        assertThat(browser.findElement(By.id("detail-id")).getText()).isEqualTo(id);
        String reply = attempt.get("replyText").asText();
        assertThat(reply).as("the relay's answer").isNotBlank();
        assertThat(attempt.get("relay").asText()).as("the relay").contains(Integer.toString(relay.port()));
        assertThat(timeline.findElement(By.className("transport")).getText())
                .isEqualTo("attempt 1 by smtp via " + attempt.get("relay").asText());
        assertThat(timeline.findElement(By.className("state")).getText()).isEqualTo("delivered");
        assertThat(timeline.findElement(By.className("recipient")).getText()).isEqualTo(tag + "@example.net");
        assertThat(timeline.findElement(By.className("reply-text")).getText()).isEqualTo(reply);
        assertThat(browser.findElement(By.id("recipients-body")).getText()).contains(tag + "@example.net", reply);
        assertThat(browser.findElement(By.id("detail-fields")).getText()).contains(delivered.get("messageId").asText());
        // the picture is of the attempts, below the message's fields
        ((JavascriptExecutor) browser).executeScript("document.getElementById('timeline').scrollIntoView()");
        screenshot("detail.png");

        // signing out leaves nothing of the message in the page
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-view")));
        assertThat(browser.findElement(By.tagName("body")).getAttribute("innerHTML")).doesNotContain(id, tag);
        assertThat(sessionKey()).isNull();
    }

    @Test
    void theSearchShowsANewMessageWithoutAReload() {
        String tag = "live-" + System.nanoTime();
        signIn(ADMIN_KEY);
        search("search-sender", tag + "@example.org");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results-empty")));

        ObjectNode request = MailRequests.minimal();
        request.put("from", tag + "@example.org");
        String id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
        // no click, no reload: the console asks again every few seconds
        wait.until(ExpectedConditions.presenceOfElementLocated(By.linkText(id)));
    }

    @Test
    void moreShowsTheNextPage() {
        String sender = "paging-" + System.nanoTime() + "@example.org";
        ArrayNode batch = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 51; i++) {
            batch.add(MailRequests.minimal().put("from", sender).put("subject", "page item " + i));
        }
        Http.Answer queued = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch.toString(),
                "Authorization", "Bearer " + SUBMIT_KEY);
        assertThat(queued.json().get("queued").asInt()).as(queued.body()).isEqualTo(51);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(gateway.http("/api/v1/messages?limit=500&sender="
                + sender.replace("@", "%40")), "Authorization", "Bearer " + ADMIN_KEY).json().get("messages").size() == 51);

        signIn(ADMIN_KEY);
        search("search-sender", sender);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results-body tr"), 50));
        WebElement more = wait.until(ExpectedConditions.elementToBeClickable(By.id("more")));
        more.click();
        // the first change is the next page's answer (a refresh in between shows the same 50 rows)
        wait.until(driver -> driver.findElements(By.cssSelector("#results-body tr")).size() != 50);
        List<String> subjects = textsOf(By.cssSelector("#results-body td.subject"));
        assertThat(subjects).as("each row once").hasSize(51).doesNotHaveDuplicates();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("more")));
    }

    @Test
    void aHostileSubjectIsShownAsTextAndRunsNothing() {
        String tag = "hostile-" + System.nanoTime();
        for (String subject : List.of(HOSTILE_SUBJECT, HOSTILE_FLAG)) {
            ObjectNode request = MailRequests.minimal();
            request.put("from", tag + "@example.org");
            request.put("subject", subject);
            String id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
            MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "delivered");
        }

        signIn(ADMIN_KEY);
        search("search-sender", tag + "@example.org");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results-body tr"), 2));
        List<String> subjects = textsOf(By.cssSelector("#results-body td.subject"));
        assertThat(subjects).containsExactlyInAnyOrder(HOSTILE_SUBJECT, HOSTILE_FLAG);
        assertThat(browser.findElements(By.cssSelector("#results img"))).isEmpty();

        clickOn(By.cssSelector("#results-body td.id a"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#timeline li")));
        assertThat(browser.findElement(By.id("detail-fields")).getText()).containsAnyOf(HOSTILE_SUBJECT, HOSTILE_FLAG);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        // an onerror that ran would have set it (and an alert would have failed every call above)
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.__xss")).isEqualTo("undefined");
    }

    @Test
    void aWrongKeyOrASubmitKeyStaysOnTheLoginPageWithNoData() {
        String id = gateway.submit(MailRequests.minimal(), "Authorization", "Bearer " + SUBMIT_KEY);
        MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "delivered");

        for (String[] attempt : List.of(new String[] {"not-a-key", "not an admin key"},
                new String[] {SUBMIT_KEY, "submit key"})) {
            browser.get(gateway.http("/console/").toString());
            typeKey(attempt[0]);
            WebElement message = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-message")));
            assertThat(message.getText()).as(attempt[0]).contains(attempt[1]).doesNotContain(attempt[0]);
            assertThat(browser.findElement(By.id("login-view")).isDisplayed()).isTrue();
            for (String view : List.of("search-view", "detail-view", "overview", "session")) {
                assertThat(browser.findElement(By.id(view)).isDisplayed()).as(view).isFalse();
            }
            assertThat(browser.findElements(By.cssSelector("#results-body tr, #timeline li, #detail-fields dd")))
                    .isEmpty();
            assertThat(browser.getPageSource()).doesNotContain(id).doesNotContain("alerts@example.com");
            assertThat(sessionKey()).isNull();
            assertThat(browser.getCurrentUrl()).doesNotContain(attempt[0]);
        }
    }

    @Test
    void theOverviewFollowsTheQueueWithoutAReload() {
        signIn(ADMIN_KEY);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("overview")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("overview-counts"), "running"));
        // a delivery now shows in the rate of the last minute, on the page already open
        awaitDeliveredAfter();
        By rate = By.xpath("//dl[@id='overview-counts']/dt[text()='Delivered/min']/following-sibling::dd[1]");
        wait.until(driver -> Double.parseDouble(driver.findElement(rate).getText()) > 0);
        String auth = "Bearer " + ADMIN_KEY;
        assertThat(Http.post(gateway.http("/api/v1/admin/delivery/suspend"), "application/json", "{}", "Authorization", auth).status())
                .isEqualTo(200);
        try {
            // the page polls: the suspension shows up on the page that is already open
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("overview-counts"), "suspended"));
        } finally {
            assertThat(Http.post(gateway.http("/api/v1/admin/delivery/resume"), "application/json", "{}", "Authorization", auth)
                    .status()).isEqualTo(200);
        }
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("overview-counts"), "running"));
    }

    @Test
    void aMessageHeldFromItsDetailPageWaitsUntilReleasedThereAndIsDeliveredOnce() throws IOException {
        String recipient = "hold-" + System.nanoTime() + "@example.net";
        String id;
        suspend(true);
        try {
            id = queuedWhileSuspended(recipient, "Hold me");
            openDetail(id);
            WebElement hold = wait.until(ExpectedConditions.elementToBeClickable(By.id("op-hold")));
            assertThat(browser.findElement(By.id("op-release")).isEnabled()).isFalse();
            assertThat(browser.findElement(By.cssSelector("#queue-fields .queue-name")).getText()).startsWith("mail.outbound");
            hold.click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-fields .queue-name"), "mail.held"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("op-result"), "Hold: 1 message touched"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recipients-body"), "held"));
            assertThat(browser.findElement(By.id("op-release")).isEnabled()).isTrue();
            assertThat(browser.findElement(By.id("preview")).getText()).isEqualTo("plain body");
            assertThat(queueOf(id)).isEqualTo("held");
            screenshot("operations.png");
        } finally {
            suspend(false);
        }
        // delivery runs again: a message sent after it reaches the relay, the held one does not
        awaitDeliveredAfter();
        assertThat(relay.deliveriesTo(recipient)).isZero();
        assertThat(queueOf(id)).isEqualTo("held");

        wait.until(ExpectedConditions.elementToBeClickable(By.id("op-release"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("op-result"), "Release: 1 message touched"));
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo(recipient) == 1);
        // the page follows without a reload: delivered, on no queue, nothing left to do to it
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recipients-body"), "delivered"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-fields .queue-name"), "on no queue"));
        for (String operation : List.of("hold", "release", "retry", "delete", "requeue")) {
            assertThat(browser.findElement(By.id("op-" + operation)).isEnabled()).as(operation).isFalse();
        }
        assertThat(relay.deliveriesTo(recipient)).isEqualTo(1);
    }

    private static final String DISABLED_REPORTS =
            "mailroute_reports_total\\{kind=\"failure\",outcome=\"skipped\",reason=\"disabled\"}";

    @Test
    void aMessageDeletedFromItsDetailPageOnceConfirmedIsNeverDelivered() {
        String recipient = "delete-" + System.nanoTime() + "@example.net";
        String id;
        suspend(true);
        try {
            id = queuedWhileSuspended(recipient, "Delete me");
            openDetail(id);
            wait.until(ExpectedConditions.elementToBeClickable(By.id("op-delete"))).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
            assertThat(browser.findElement(By.id("confirm-text")).getText())
                    .isEqualTo("Delete message " + id + "? It is not delivered.");
            // tell the sender: reports are off in these tests, so its report is counted as skipped, for "disabled"
            double skipped = Math.max(0, gateway.metric(DISABLED_REPORTS));
            browser.findElement(By.id("confirm-notice-box")).click();
            browser.findElement(By.id("confirm-ok")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("op-result"), "Delete: 1 message touched"));
            assertThat(gateway.metric(DISABLED_REPORTS)).isEqualTo(skipped + 1);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recipients-body"), "deleted"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-fields .queue-name"), "on no queue"));
        } finally {
            suspend(false);
        }
        awaitDeliveredAfter();
        assertThat(relay.deliveriesTo(recipient)).isZero();
        MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "deleted");
    }

    @Test
    void aBouncedMessageRequeuedFromItsDetailPageIsDeliveredOnce() {
        String recipient = "requeue-" + System.nanoTime() + "@example.net";
        relay.replyTo(recipient, "550 5.1.1 no such user");
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add(recipient);
        request.put("subject", "Requeue me");
        String id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
        MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "bounced");
        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(queueOf(id)));
        relay.replyTo(recipient, null);

        openDetail(id);
        WebElement requeue = wait.until(ExpectedConditions.elementToBeClickable(By.id("op-requeue")));
        assertThat(browser.findElement(By.id("recipients-body")).getText()).contains("550 5.1.1 no such user");
        requeue.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("op-result"), "Requeue: 1 message touched"));
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo(recipient) == 1);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recipients-body"), "delivered"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#queue-fields .queue-name"), "on no queue"));
        assertThat(relay.deliveriesTo(recipient)).isEqualTo(1);
    }

    @Test
    void aBulkHoldAsksWithTheCountAndACancelHoldsNothing() throws IOException {
        String sender = "bulk-" + System.nanoTime() + "@example.org";
        List<String> ids = new java.util.ArrayList<>();
        suspend(true);
        try {
            for (int i = 0; i < 3; i++) {
                ObjectNode request = MailRequests.minimal();
                request.put("from", sender);
                ids.add(gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY));
            }
            for (String id : ids) {
                MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "queued");
            }
            signIn(ADMIN_KEY);
            search("search-sender", sender);
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results-body tr"), 3));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("bulk")));
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("bulk-operation"))).selectByValue("hold");

            browser.findElement(By.id("bulk-apply")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
            assertThat(browser.findElement(By.id("confirm-text")).getText()).isEqualTo("Hold 3 messages?");
            browser.findElement(By.id("confirm-cancel")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-result"), "Cancelled"));
            assertThat(heldBy(sender)).isZero();

            browser.findElement(By.id("bulk-apply")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
            assertThat(browser.findElement(By.id("confirm-text")).getText()).isEqualTo("Hold 3 messages?");
            screenshot("confirm.png");
            browser.findElement(By.id("confirm-ok")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-result"), "Hold: 3 of 3 messages touched."));
            await().atMost(Duration.ofSeconds(30)).until(() -> heldBy(sender) == 3);
            for (String id : ids) {
                assertThat(queueOf(id)).isEqualTo("held");
            }
        } finally {
            suspend(false);
        }
        operate("delete", "{\"filter\":{\"sender\":\"" + sender + "\"}}");
    }

    @Test
    void anEmptySearchOffersNoOperationOnEverything() {
        signIn(ADMIN_KEY);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-view")));
        assertThat(browser.findElement(By.id("bulk")).isDisplayed()).isFalse();
    }

    @Test
    void aHostileBodyIsPreviewedAsText() {
        String id;
        suspend(true);
        try {
            ObjectNode request = MailRequests.minimal();
            request.put("text", HOSTILE_FLAG + "\n<script>window.__xss=2</script>");
            request.put("subject", HOSTILE_FLAG);
            id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
            MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "queued");
            // held, it stays on a queue (and so has a preview) whatever delivery does
            operate("hold", "{\"id\":\"" + id + "\"}");
        } finally {
            suspend(false);
        }
        signIn(ADMIN_KEY);
        browser.get(gateway.http("/console/#/message/" + id).toString());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview"), "window.__xss=2"));
        assertThat(browser.findElement(By.id("preview")).getText())
                .isEqualTo(HOSTILE_FLAG + "\n<script>window.__xss=2</script>");
        assertThat(browser.findElement(By.id("headers-body")).getText()).contains(HOSTILE_FLAG);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#detail-view script"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.__xss")).isEqualTo("undefined");
        operate("delete", "{\"id\":\"" + id + "\"}");
    }

    /** A message to this recipient, sent and queued while delivery is suspended: it waits on mail.outbound. */
    private static String queuedWhileSuspended(String recipient, String subject) {
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add(recipient);
        request.put("subject", subject);
        String id = gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
        MessageStatusTest.awaitState(gateway, "/api/v1/messages/" + id, "Bearer " + ADMIN_KEY, "queued");
        return id;
    }

    /** Waits until a message sent now has reached the relay: what was queued before it has had its turn. */
    private static void awaitDeliveredAfter() {
        String recipient = "after-" + System.nanoTime() + "@example.net";
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add(recipient);
        gateway.submit(request, "Authorization", "Bearer " + SUBMIT_KEY);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo(recipient) == 1);
    }

    private void openDetail(String id) {
        signIn(ADMIN_KEY);
        browser.get(gateway.http("/console/#/message/" + id).toString());
    }

    private static void suspend(boolean suspend) {
        Http.Answer answer = Http.post(gateway.http("/api/v1/admin/delivery/" + (suspend ? "suspend" : "resume")),
                "application/json", "{}", "Authorization", "Bearer " + ADMIN_KEY);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static JsonNode operate(String operation, String body) {
        Http.Answer answer = Http.post(gateway.http("/api/v1/admin/queue/" + operation), "application/json", body,
                "Authorization", "Bearer " + ADMIN_KEY);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static String queueOf(String id) {
        Http.Answer answer = Http.get(gateway.http("/api/v1/admin/queue/messages/" + id),
                "Authorization", "Bearer " + ADMIN_KEY);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("queue").asText();
    }

    /** Messages of this sender the ledger has as held (the API's answer, not the page's). */
    private static int heldBy(String sender) {
        Http.Answer answer = Http.get(gateway.http("/api/v1/admin/queue/messages?state=held&sender=" + sender),
                "Authorization", "Bearer " + ADMIN_KEY);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("messages").size();
    }

    private void signIn(String key) {
        browser.get(gateway.http("/console/").toString());
        typeKey(key);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-view")));
    }

    private void typeKey(String key) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("login-key")));
        input.sendKeys(key);
        browser.findElement(By.id("login-submit")).click();
    }

    private void search(String field, String value) {
        browser.findElement(By.id(field)).sendKeys(value);
        browser.findElement(By.id("search-submit")).click();
    }

    /** The texts of what {@code what} finds, all from one drawing of the page (read again if it was redrawn). */
    private List<String> textsOf(By what) {
        return wait.until(driver -> driver.findElements(what).stream().map(WebElement::getText).toList());
    }

    /** Clicks the first element {@code what} finds, found again if the page was redrawn before the click. */
    private void clickOn(By what) {
        wait.until(driver -> {
            driver.findElement(what).click();
            return true;
        });
    }

    private Object sessionKey() {
        return ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('mailroute.console.key')");
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
