package org.frafer.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Small HTTP helpers over loopback: java.net.http for well-formed requests, raw sockets for broken
 * ones.
 */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT =
            HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();

    private Http() {}

    record Answer(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return response == null ? null : response.headers().firstValue(name).orElse(null);
        }
    }

    static Answer send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<String> res = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), res.body(), res);
    }

    static Answer get(int port, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.GET().build());
    }

    static Answer post(int port, String path, byte[] body, String contentType, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", contentType);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** A multipart/form-data body with one file part; returns {content type, body}. */
    static Object[] multipart(String field, String fileName, byte[] content) {
        String boundary = "----frafer" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\""
                        + field
                        + "\"; filename=\""
                        + fileName
                        + "\"\r\nContent-Type: image/jpeg\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Object[] {"multipart/form-data; boundary=" + boundary, out.toByteArray()};
    }

    /**
     * Opens a raw connection and sends a POST head announcing contentLength bytes (none of them
     * yet).
     */
    static Socket openPost(int port, String path, long contentLength, String contentType)
            throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        String head =
                "POST "
                        + path
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        + contentType
                        + "\r\nContent-Length: "
                        + contentLength
                        + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /**
     * Everything the server sends until it closes the connection or the answer's Content-Length is
     * read.
     */
    static String readAnswer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                String text = out.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    java.util.regex.Matcher m =
                            java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                                    .matcher(text.substring(0, end));
                    if (m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1))) {
                        break;
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // reset by the server after it answered: keep what arrived
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static void write(OutputStream out, byte[] b, int from, int to) throws IOException {
        out.write(b, from, to - from);
        out.flush();
    }
}
