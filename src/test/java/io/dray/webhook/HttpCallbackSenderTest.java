package io.dray.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dray.core.CallbackSender.CallbackFailedException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of a callback, against a receiver on loopback that answers as each path says. */
class HttpCallbackSenderTest {
    private HttpServer receiver;
    private final AtomicReference<String> signature = new AtomicReference<>();
    /** Far above what an answer takes on a loaded machine, far below what the trickle takes (20 s). */
    private final HttpCallbackSender sender = new HttpCallbackSender(Duration.ofSeconds(5));

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/ok", exchange -> {
            signature.set(exchange.getRequestHeaders().getFirst("X-Dray-Signature"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.createContext("/fails", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        receiver.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/ok");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        receiver.createContext("/trickles", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                for (int i = 0; i < 200; i++) {
                    body.write('x');
                    body.flush();
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                // the sender gave up and closed the connection
            }
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
    }

    private void post(String path) throws CallbackFailedException {
        sender.post(url(path), Map.of("X-Dray-Signature", "sha256=abc"), "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a2xxAnswerIsADeliveryWithTheHeadersSent() {
        assertThatCode(() -> post("/ok")).doesNotThrowAnyException();
        assertThat(signature.get()).isEqualTo("sha256=abc");
    }

    @Test
    void anyOtherAnswerFailsTheAttemptAndRedirectsAreNotFollowed() {
        assertThatThrownBy(() -> post("/fails")).isInstanceOf(CallbackFailedException.class).hasMessage("answered 503");
        assertThatThrownBy(() -> post("/moved")).isInstanceOf(CallbackFailedException.class).hasMessage("answered 302");
        assertThat(signature.get()).as("the redirect's target was never asked").isNull();
    }

    @Test
    void aReceiverThatTricklesItsAnswerIsGivenUpAtTheDeadline() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> post("/trickles")).isInstanceOf(CallbackFailedException.class)
                .hasMessageContaining("within 5000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(12));
    }

    @Test
    void aReceiverThatIsNotThereFailsTheAttempt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closed + "/");
        assertThatThrownBy(() -> sender.post(nobody, Map.of(), new byte[0])).isInstanceOf(CallbackFailedException.class)
                .hasMessageStartingWith("cannot reach it");
    }
}
