package io.dray.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven through its chromedriver, against a real Dray
 * process with API tokens, on the real Redis and Docker. Screenshots go to target/dashboard-screenshots, and those of
 * the README to docs/.
 */
class DashboardIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static final String TOKEN = "dashboard-" + UUID.randomUUID();
    private static final String SECRET = "s3cret-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    /** The README's screenshots are written only when asked ({@code -Ddashboard.updateDocs=true}), not by every run. */
    private static final Path DOCS = Boolean.getBoolean("dashboard.updateDocs") ? Path.of("docs") : null;
    private static DrayProcess dray;
    private static DrayClient client;
    private static WebDriver browser;
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        dray = DrayProcess.start(REDIS, PREFIX, "unix:///var/run/docker.sock", Map.of("workers", "3",
                "dataDirectory", Files.createTempDirectory("dray-dashboard-").toString()), """
                security:
                  apiTokens: "%s"
                  allowedImages: "dray-example/*"
                """.formatted(TOKEN));
        client = new DrayClient(dray.url(""), TOKEN);
        ChromeOptions options = new ChromeOptions();
        // Debian's Chromium and its driver, by path: Selenium Manager would try to download them.
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000");
        // The console, to fail a test on a script error or a blocked script (failed requests aside: the tests make
        // 401s and 404s on purpose, and stop a Dray whose events a page still listens to).
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dray != null) {
            dray.close();
        }
    }

    @BeforeEach
    void desktopWindow() {
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    /** The page as the test left it, also when it failed. */
    @AfterEach
    void screenshotOfTheEnd(TestInfo test) throws Exception {
        screenshot("end-of-" + test.getTestMethod().orElseThrow().getName(), false);
    }

    @AfterEach
    void noScriptFailed() {
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                .filteredOn(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::getMessage)
                .filteredOn(message -> !message.contains("Failed to load resource"))
                .isEmpty();
    }

    @Test
    void aJobSubmittedThroughTheFormIsSeenLiveCancelledAndDeleted() throws Exception {
        // A tab that has no token yet, whichever test ran before.
        browser.get(dray.url("/ui/app.js"));
        script("sessionStorage.clear()");
        browser.get(dray.url("/"));
        assertThat(browser.getCurrentUrl()).isEqualTo(dray.url("/ui/"));

        // Tokens are configured: the page asks for one, and asks again when Dray refuses it.
        WebElement tokenInput = until(d -> visible(By.id("token-input")));
        screenshot("token-prompt", false);
        tokenInput.sendKeys("wrong-token", Keys.ENTER);
        until(d -> visible(By.id("token-error")) != null
                && d.findElement(By.id("token-error")).getText().contains("refused"));
        browser.findElement(By.id("token-input")).sendKeys(TOKEN, Keys.ENTER);
        until(d -> !d.findElement(By.id("token-dialog")).isDisplayed());
        assertThat(script("return sessionStorage.getItem('dray.token')")).isEqualTo(TOKEN);
        until(d -> d.findElement(By.id("health")).getText().contains("Redis: healthy")
                && d.findElement(By.id("health")).getText().contains("Docker: healthy"));
        // A page loaded once: the marker is lost if anything below reloads it.
        script("window.loadedOnce = true");

        // The submit page: the example job, client-side checks, the server's message by its field, a link to the job.
        browser.findElement(By.linkText("Submit a job")).click();
        WebElement editor = until(d -> visible(By.id("job-editor")));
        assertThat(JSON.readTree(editor.getAttribute("value")).get("steps").size()).isEqualTo(2);
        setEditor("{\"steps\": [{\"name\": \"no source\"}]}");
        browser.findElement(By.id("submit-job")).click();
        String clientMessage = until(d -> problem("steps[0].source", "client"));
        assertThat(clientMessage).isEqualTo("steps[0].source must not be blank");
        setEditor("{\"steps\": [\n  {\"source\": \"dray-example/sh\", \"networkMode\": \"host\"}\n]}");
        browser.findElement(By.id("submit-job")).click();
        String serverMessage = until(d -> problem("steps[0].networkMode", "server"));
        assertThat(serverMessage).startsWith("422 steps[0].networkMode: \"host\" is not allowed here");
        assertThat(script("const e = document.getElementById('job-editor');"
                + " return e.value.substring(e.selectionStart, e.selectionEnd)")).isEqualTo("\"networkMode\": \"host\"");
        assertThat(browser.findElement(By.cssSelector(".problem-server")).getText()).startsWith("line 2: 422 steps[0]");
        setEditor("{\"steps\": [{\"source\": \"elsewhere/image\"}]}");
        browser.findElement(By.id("submit-job")).click();
        assertThat((String) until(d -> problem("steps[0]", "server"))).contains("image \"elsewhere/image\" is not allowed");
        assertThat(client.get("/jobs").body()).isEqualTo("[]");

        ObjectNode formJob = (ObjectNode) JSON.readTree(
                // Long enough (10 s) to be seen queued or running on a loaded machine after the form's checks.
                DrayClient.scriptJob("for i in $(seq 1 20); do echo \"line $i\"; sleep 0.5; done", "wc -l"));
        formJob.put("name", "dashboard-form");
        formJob.putArray("environment").addObject().put("variable", "API_KEY").put("value", SECRET).put("secret", true);
        ((ObjectNode) formJob.at("/steps/0/environment/0")).put("value", "echo \"key=$API_KEY\"; "
                + formJob.at("/steps/0/environment/0/value").asText());
        setEditor(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(formJob));
        browser.findElement(By.id("submit-job")).click();
        WebElement link = until(d -> visible(By.id("new-job-link")));
        String submitted = link.getText();
        jobs.add(submitted);
        script("window.scrollTo(0, 0)");
        screenshot("submit", true);
        assertThat((String) script("return document.getElementById('submit-result').textContent"))
                .contains("\"value\": \"****\"").doesNotContain(SECRET);

        // The list shows it queued or running, then complete, with no reload.
        browser.findElement(By.linkText("Jobs")).click();
        By row = By.cssSelector("tr[data-job='" + submitted + "']");
        assertThat(until(d -> visible(row)).getAttribute("data-status")).isIn("queued", "running");
        until(d -> "complete".equals(d.findElement(row).getAttribute("data-status")));
        assertThat(browser.findElement(row).getText()).contains("dashboard-form").contains("complete");
        assertThat(script("return window.loadedOnce")).isEqualTo(true);

        // A job that runs a while (90 s at most, should the test fail before it cancels it): its page shows log lines
        // arriving while its step runs, then it is cancelled.
        String running = client.submit("""
                {"name": "dashboard-slow", "steps": [{"source": "%s", "environment": [{"variable": "SCRIPT",
                 "value": "for i in $(seq 1 300); do echo \\"tick $i\\"; sleep 0.3; done"}]}]}"""
                .formatted(TestDocker.SH));
        jobs.add(running);
        until(d -> visible(By.cssSelector("tr[data-job='" + running + "'][data-status='running']")));
        screenshot("jobs", true);
        // By keyboard: the link takes the focus, which shows, and Enter opens the job.
        until(d -> {
            d.findElement(By.linkText(running)).sendKeys(Keys.SHIFT);
            return running.equals(script("return document.activeElement.textContent"));
        });
        assertThat(script("const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth"))
                .isEqualTo("solid 3px");
        until(d -> {
            d.findElement(By.linkText(running)).sendKeys(Keys.ENTER);
            return true;
        });
        until(d -> d.getCurrentUrl().endsWith("/ui/jobs/" + running));
        int seen = until(d -> logLines() >= 3 ? logLines() : null);
        until(d -> logLines() >= seen + 3);
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("running");
        // Read through until: the log draws its visible lines again as lines arrive, so an element may be replaced.
        until(d -> "tick 1".equals(d.findElement(By.cssSelector(".log-line[data-index='0'] .log-text")).getText()));
        script("window.scrollTo(0, 0)");
        screenshot("job", true);
        browser.findElement(By.id("cancel-job")).click();
        until(d -> visible(By.id("confirm-yes"))).click();
        until(d -> "cancelled".equals(d.findElement(By.id("job-status")).getText()));
        assertThat(client.status(running).get("status").asText()).isEqualTo("cancelled");
        assertThat(script("return window.loadedOnce")).isEqualTo(true);

        // A reload of a job's page (a deep link) shows the job, and the token is not asked again.
        browser.navigate().refresh();
        until(d -> "cancelled".equals(d.findElement(By.id("job-status")).getText()));
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();

        // Delete the completed job from its page: back to the list, which no longer has it.
        browser.get(dray.url("/ui/jobs/" + submitted));
        until(d -> "complete".equals(d.findElement(By.id("job-status")).getText()));
        // A secret variable reaches the step, and the page shows it nowhere: its log line is masked by Dray.
        until(d -> logLines() == 22); // the key, 20 lines, and wc -l's count
        until(d -> "key=****".equals(d.findElement(By.cssSelector(".log-line[data-index='0'] .log-text")).getText()));
        assertThat((String) script("return document.body.textContent")).doesNotContain(SECRET);
        // The job's JSON is its definition, its secret as ****.
        JsonNode shown = JSON.readTree((String) until(d -> {
            String text = (String) script("return document.getElementById('job-json').textContent");
            return text.startsWith("{") ? text : null;
        }));
        assertThat(shown.get("name").asText()).isEqualTo("dashboard-form");
        assertThat(shown.get("environment")).isEqualTo(JSON.readTree(
                "[{\"variable\": \"API_KEY\", \"value\": \"****\", \"secret\": true}]"));
        assertThat(shown.get("steps")).isEqualTo(JSON.readTree(client.get("/jobs/" + submitted + "/definition").body())
                .get("steps"));
        browser.findElement(By.id("delete-job")).click();
        browser.findElement(By.id("confirm-no")).click();
        assertThat(client.get("/jobs/" + submitted).statusCode()).isEqualTo(200);
        browser.findElement(By.id("delete-job")).click();
        until(d -> visible(By.id("confirm-yes"))).click();
        until(d -> d.getCurrentUrl().equals(dray.url("/ui/")));
        until(d -> d.findElement(By.id("notice")).getText().contains("deleted"));
        until(d -> visible(By.cssSelector("tr[data-job='" + running + "']")));
        assertThat(browser.findElements(row)).isEmpty();
        assertThat(client.get("/jobs/" + submitted).statusCode()).isEqualTo(404);

        browser.manage().window().setSize(new Dimension(390, 844));
        until(d -> ((Number) script("return document.documentElement.clientWidth")).intValue() <= 390);
        assertThat(((Number) script("return document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        screenshot("jobs-390px", false);
        // Dark when the system is dark.
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        assertThat(script("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(13, 17, 23)");
        screenshot("jobs-390px-dark", false);
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        assertThat(script("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(255, 255, 255)");
    }

    @Test
    void aLogOfAHundredThousandLinesIsSearchedWithOnlyTheVisibleLinesDrawn() throws Exception {
        String job = client.submit(DrayClient.scriptJob("seq 1 100000"));
        jobs.add(job);
        client.awaitFinished(job, Duration.ofSeconds(60));
        openWithToken("/ui/jobs/" + job);
        until(d -> d.findElement(By.id("log-count")).getText().equals("100,000 lines"));
        assertThat(browser.findElement(By.cssSelector(".step[data-step='0'] .step-facts")).getText())
                .startsWith("exit code 0 · ").contains("stdout 575.1 KiB (100000 lines)").endsWith("passed on 0 B");
        assertThat(browser.findElements(By.cssSelector(".log-line")).size()).isBetween(10, 200);

        WebElement search = browser.findElement(By.id("log-search"));
        search.sendKeys("99999");
        until(d -> d.findElement(By.id("log-matches")).getText().equals("1 of 1 matches"));
        WebElement match = until(d -> visible(By.cssSelector(".log-line.current")));
        assertThat(match.getAttribute("data-index")).isEqualTo("99998");
        assertThat(match.findElement(By.tagName("mark")).getText()).isEqualTo("99999");

        browser.findElement(By.id("log-end")).click();
        until(d -> !d.findElements(By.cssSelector(".log-line[data-index='99999']")).isEmpty());
        browser.findElement(By.id("log-wrap")).click();
        until(d -> !d.findElements(By.cssSelector(".log-viewport.wrapped .log-line[data-index='99999']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector(".log-line")).size()).isBetween(10, 200);
        screenshot("log-100000-lines", false);
    }

    @Test
    void thousandsOfJobsAreCountedFilteredSearchedAndPagedWithNoTokenAsked() throws Exception {
        // An instance that runs no job: its jobs stay queued, so a thousand cost no container.
        try (DrayProcess apiOnly = DrayProcess.start(REDIS, "dray-test-" + UUID.randomUUID() + ":", Map.of("workers", "0"))) {
            DrayClient open = new DrayClient(apiOnly.url(""));
            String job = DrayClient.scriptJob("true");
            List<String> queued = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                // In order, so that "newest first" is known; a few at a time, so that it takes seconds.
                List<String> batch = inParallel(IntStream.range(i, i + 8).mapToObj(n -> (Callable<String>) () -> open.submit(
                        job.replace("{\"steps\"", "{\"name\": \"batch-" + (n % 3 == 0 ? "third" : "rest") + "-" + n
                                + "\", \"steps\""))).toList());
                queued.addAll(batch);
                i += 7;
            }
            browser.get(apiOnly.url("/ui/"));
            until(d -> d.findElement(By.cssSelector("[data-count='all']")).getText().equals("1,200"));
            assertThat(browser.findElement(By.cssSelector("[data-count='queued']")).getText()).isEqualTo("1,200");
            assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
            assertThat(pageOf()).isEqualTo("Page 1 of 24 · 1,200 jobs");
            // The newest first: one of the last eight submitted (at once) heads the first page.
            assertThat(queued.subList(1192, 1200)).contains(jobRows().get(0).getAttribute("data-job"));
            browser.findElement(By.xpath("//button[text()='Next']")).click();
            assertThat(pageOf()).isEqualTo("Page 2 of 24 · 1,200 jobs");
            assertThat(jobRows()).hasSize(50);
            assertThat(queued.subList(1144, 1152)).contains(jobRows().get(0).getAttribute("data-job"));

            browser.findElement(By.id("job-search")).sendKeys("third");
            until(d -> pageOf().equals("Page 1 of 8 · 400 jobs"));
            assertThat(jobRows()).allSatisfy(row -> assertThat(row.getText()).contains("batch-third-"));
            browser.findElement(By.cssSelector("label[for='filter-cancelled']")).click();
            until(d -> pageOf().equals("Page 1 of 1 · 0 jobs"));

            // A cancel through the API reaches the page as an event: the counts and the filtered list follow it.
            open.post("/jobs/" + queued.get(0) + "/cancel", HttpRequest.BodyPublishers.noBody());
            until(d -> pageOf().equals("Page 1 of 1 · 1 jobs"));
            assertThat(browser.findElement(By.cssSelector("[data-count='queued']")).getText()).isEqualTo("1,199");
            assertThat(browser.findElement(By.cssSelector("[data-count='cancelled']")).getText()).isEqualTo("1");
            assertThat(browser.getCurrentUrl()).isEqualTo(apiOnly.url("/ui/?status=cancelled&q=third"));
            screenshot("jobs-filtered", false);
            inParallel(queued.stream().map(id -> (Callable<Object>) () ->
                    open.send(HttpRequest.newBuilder(URI.create(apiOnly.url("/jobs/" + id))).DELETE())).toList());
        }
    }

    @Test
    void theSubmitPageFindsWhatTheServerRefusesWithItsMessages() throws Exception {
        openWithToken("/ui/submit");
        List<String> bodies = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (JsonNode refused : JSON.readTree(Files.readString(Path.of("src/test/resources/fixtures/invalid-jobs.json")))) {
            String message = refused.get("message").asText();
            // What the server's configuration decides (network modes, retry limits, callback hosts) only it can check.
            if (!message.matches("malformed JSON|body|.*(networkMode|at most|loopback, private).*")) {
                bodies.add(refused.get("body").asText());
                messages.add(message);
            }
        }
        List<Object> found = asyncScript("""
                const bodies = arguments[0];
                const done = arguments[arguments.length - 1];
                import('/ui/job-checks.js').then(checks => done(bodies.map(body =>
                    checks.checkJob(JSON.parse(body)).map(problem => problem.message).join('\\n'))));""", bodies);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat((String) found.get(i)).as(bodies.get(i)).contains(messages.get(i));
        }
        List<Object> good = asyncScript("""
                const done = arguments[arguments.length - 1];
                import('/ui/job-checks.js').then(checks => done([checks.checkJob(JSON.parse(arguments[0])).length]));""",
                Files.readString(Path.of("examples/word-job.json")));
        assertThat(good).containsExactly(0L);
    }

    @Test
    void theAssetsNeedNoTokenAndEveryAnswerWithDataDoes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String asset : List.of("/ui/", "/ui/app.js", "/ui/style.css", "/ui/jobs/ABC-123", "/ui/submit")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(dray.url(asset))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(asset).isEqualTo(200);
        }
        HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create(dray.url("/ui/app.js"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript;charset=utf-8");
        assertThat(script.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(script.headers().firstValue("Content-Security-Policy")).get().asString().startsWith("default-src 'self'");
        // /ui/jobs/{id} is the page, not the job's status, whatever it accepts.
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(dray.url("/ui/jobs/ABC-123")))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).startsWith("<!doctype html>");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(dray.url("/ui/missing.js"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"code\":404,\"message\":\"/ui/missing.js is no page or file of the dashboard\"}");
        HttpResponse<String> written = http.send(HttpRequest.newBuilder(URI.create(dray.url("/ui/submit")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(written.statusCode()).isEqualTo(405);
        assertThat(written.body()).isEqualTo(
                "{\"code\":405,\"message\":\"POST /ui/submit: the dashboard's files are only read (GET)\"}");

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(dray.url("/health"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(401);
        JsonNode checks = JSON.readTree(client.get("/health").body());
        assertThat(checks.get("healthy").asBoolean()).isTrue();
        assertThat(checks.at("/checks/redis/healthy").asBoolean()).isTrue();
        assertThat(checks.at("/checks/docker/healthy").asBoolean()).isTrue();

        // GET / sends a browser to the dashboard, and answers a JSON client as the API always did.
        HttpResponse<String> browserRoot = http.send(HttpRequest.newBuilder(URI.create(dray.url("/")))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(browserRoot.statusCode()).isEqualTo(303);
        assertThat(browserRoot.headers().firstValue("Location")).hasValue("/ui/");
        HttpResponse<String> jsonRoot = client.send(HttpRequest.newBuilder(URI.create(dray.url("/")))
                .header("Accept", "application/json"));
        assertThat(jsonRoot.statusCode()).isEqualTo(404);
        assertThat(jsonRoot.body()).isEqualTo("{\"code\":404,\"message\":\"HTTP 404 Not Found\"}");
    }

    private void openWithToken(String path) {
        browser.get(dray.url(path));
        script("sessionStorage.setItem('dray.token', arguments[0])", TOKEN);
        browser.navigate().refresh();
    }

    private void setEditor(String text) {
        WebElement editor = browser.findElement(By.id("job-editor"));
        script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", editor, text);
    }

    /** The message shown by the field it names, from the client's checks or the server's answer; null while none. */
    private String problem(String field, String source) {
        List<WebElement> found = browser.findElements(
                By.cssSelector(".problem-" + source + "[data-field='" + field + "'] .problem-message"));
        return found.isEmpty() ? null : found.get(0).getText();
    }

    private static <T> List<T> inParallel(List<Callable<T>> calls) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> result : threads.invokeAll(calls)) {
                results.add(result.get());
            }
            return results;
        } finally {
            threads.shutdown();
        }
    }

    private String pageOf() {
        return browser.findElement(By.className("page-of")).getText();
    }

    private List<WebElement> jobRows() {
        return browser.findElements(By.cssSelector("table.jobs tbody tr[data-job]"));
    }

    private int logLines() {
        return Integer.parseInt(browser.findElement(By.id("log-count")).getText().replaceAll("[^0-9]", ""));
    }

    private WebElement visible(By by) {
        List<WebElement> found = browser.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    @SuppressWarnings("unchecked")
    private List<Object> asyncScript(String code, Object... args) {
        return (List<Object>) ((JavascriptExecutor) browser).executeAsyncScript(code, args);
    }

    private Object script(String code, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(code, args);
    }

    private static <T> T until(Function<WebDriver, T> condition) {
        // Live pages draw their rows again as events arrive: an element found a moment ago may be gone.
        return new WebDriverWait(browser, Duration.ofSeconds(60))
                .ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }

    /** @param forReadme also saved as docs/dashboard-<name>.png, the README's picture of the page */
    private static void screenshot(String name, boolean forReadme) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        if (forReadme && DOCS != null) {
            Files.write(DOCS.resolve("dashboard-" + name + ".png"), png);
        }
    }
}
