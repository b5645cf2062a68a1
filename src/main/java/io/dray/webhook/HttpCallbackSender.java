package io.dray.webhook;

import io.dray.core.CallbackSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs callbacks with the JDK's HTTP client: one deadline for the whole attempt, no redirects (a redirect could lead
 * past the checks of where a callback may go, so a 3xx answer is a failed attempt), nothing of the answer kept beyond
 * its status. The client's own request timeout ends with the answer's headers: a receiver that trickles its body would
 * hold the attempt, and a sender, for as long as it likes; the deadline cancels it.
 */
public final class HttpCallbackSender implements CallbackSender {
    private final HttpClient client;
    private final Duration timeout;

    public HttpCallbackSender(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void post(URI url, Map<String, String> headers, byte[] body) throws CallbackFailedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("User-Agent", "Dray-Callback/1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<Void> response;
        CompletableFuture<HttpResponse<Void>> sent = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding());
        try {
            response = sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw new CallbackFailedException("no whole answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                throw new CallbackFailedException("no connection within " + timeout.toMillis() + " ms");
            } else if (cause instanceof HttpTimeoutException) {
                throw new CallbackFailedException("no answer within " + timeout.toMillis() + " ms");
            }
            throw new CallbackFailedException("cannot reach it: " + (cause.getMessage() != null ? cause.getMessage() : cause));
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallbackFailedException("interrupted");
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new CallbackFailedException("answered " + status);
        }
    }
}
