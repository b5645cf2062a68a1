package io.dray.webhook;

import io.dray.core.CallbackSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs callbacks with the JDK's HTTP client: a connect and a request timeout, no redirects (a redirect could lead
 * past the checks of where a callback may go, so a 3xx answer is a failed attempt), nothing of the answer kept beyond
 * its status.
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
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (HttpConnectTimeoutException e) {
            throw new CallbackFailedException("no connection within " + timeout.toMillis() + " ms");
        } catch (HttpTimeoutException e) {
            throw new CallbackFailedException("no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new CallbackFailedException("cannot reach it: " + (e.getMessage() != null ? e.getMessage() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallbackFailedException("interrupted");
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new CallbackFailedException("answered " + status);
        }
    }
}
