package org.frafer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.frafer.data.Images;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver. Photo mode uploads a sample photo; webcam mode runs on Chromium's fake camera fed
 * with a Y4M clip made from the sample photos. Screenshots go to target/screenshots/. Skipped when
 * Chromium or its driver is not installed.
 */
class BrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path OUT = Path.of("target", "screenshots");

    private static EmotionService service;
    private static WebDriver driver;
    private static Path clip;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "Chromium or chromedriver not installed (apt-get install chromium chromium-driver): skipping the browser tests");
        service = ServiceFixture.start(ServiceFixture.settings());
        Files.createDirectories(OUT);
        clip = OUT.resolve("faces.y4m").toAbsolutePath();
        writeY4m(
                clip,
                List.of(
                        ServiceFixture.sample(1),
                        ServiceFixture.sample(2),
                        ServiceFixture.sample(3)),
                640,
                480,
                5,
                15); // 3 s per photo: longer than a round trip, so boxes land on the frame they
        // came from
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1300,1100",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--use-file-for-fake-video-capture=" + clip);
        ChromeDriverService svc =
                new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        driver = new ChromeDriver(svc, o);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    private static String url() {
        return "http://127.0.0.1:" + service.port() + "/";
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(OUT.resolve(name), png);
    }

    @Test
    void uploadedPhotoGetsBoxesLabelsAndBars() throws Exception {
        driver.get(url());
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElement(By.id("model")).getText().startsWith("model "));
        Path photo = ServiceFixture.sample(1).toAbsolutePath();
        driver.findElement(By.id("file")).sendKeys(photo.toString());
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> js("return document.body.dataset.photoFaces") != null);
        String faces = (String) js("return document.body.dataset.photoFaces");
        assertTrue(
                faces.matches("[1-9][0-9]*"),
                "faces found: "
                        + faces
                        + ", status: "
                        + driver.findElement(By.id("status")).getText());
        int n = Integer.parseInt(faces);
        List<WebElement> items = driver.findElements(By.cssSelector("#faces li.face"));
        assertEquals(n, items.size());
        // each face lists every class with a bar; bar widths follow the probabilities (the first is
        // the top class)
        List<WebElement> bars = items.get(0).findElements(By.cssSelector(".bar"));
        assertEquals(ServiceFixture.recognizer().classes().size(), bars.size());
        String label = items.get(0).getAttribute("data-label");
        assertEquals(label, bars.get(0).findElement(By.cssSelector(".name")).getText());
        // the canvas shows the photo at its size, with the first box drawn in the label's colour
        BufferedImage img = Images.read(ServiceFixture.sample(1));
        assertEquals(
                (long) img.getWidth(),
                ((Number) js("return document.getElementById('photo-canvas').width")).longValue());
        String status = driver.findElement(By.id("status")).getText();
        assertTrue(status.contains("sample1.jpg") && status.contains("ms"), status);
        // the left edge of every box is stroked in its label's colour (read back from the canvas)
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> edges =
                (List<Map<String, Object>>)
                        js(
                                "const c = document.getElementById('photo-canvas').getContext('2d');"
                                        + "return window.fraferLast.faces.map(f => { const b = f.box;"
                                        + "  const p = c.getImageData(Math.round(b.x), Math.round(b.y + b.height / 2), 1, 1).data;"
                                        + "  return {label: f.label, pixel: [p[0], p[1], p[2]], want: colour(f.label)}; });");
        assertEquals(n, edges.size());
        for (Map<String, Object> e : edges) {
            String hex = (String) e.get("want");
            @SuppressWarnings("unchecked")
            List<Number> px = (List<Number>) e.get("pixel");
            int[] want = {
                Integer.parseInt(hex.substring(1, 3), 16),
                Integer.parseInt(hex.substring(3, 5), 16),
                Integer.parseInt(hex.substring(5, 7), 16)
            };
            for (int k = 0; k < 3; k++) {
                assertTrue(Math.abs(px.get(k).intValue() - want[k]) <= 12, e.toString());
            }
        }
        screenshot("photo-mode.png");
    }

    @Test
    void webcamModeOverlaysLabelsLiveWithRoundTripTime() throws Exception {
        driver.get(url());
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElement(By.id("model")).getText().startsWith("model "));
        driver.findElement(By.id("tab-webcam")).click();
        driver.findElement(By.id("webcam-start")).click();
        new WebDriverWait(driver, Duration.ofSeconds(90))
                .until(
                        d -> {
                            Object frames = js("return document.body.dataset.webcamFrames");
                            return frames != null
                                    && Integer.parseInt((String) frames) >= 3
                                    && !d.findElements(By.cssSelector("#webcam-faces li.face"))
                                            .isEmpty();
                        });
        String rtt = driver.findElement(By.id("rtt")).getText();
        assertTrue(rtt.matches("[0-9]+"), "round trip shown: " + rtt);
        String label =
                driver.findElement(By.cssSelector("#webcam-faces li.face"))
                        .getAttribute("data-label");
        assertTrue(ServiceFixture.recognizer().classes().contains(label), label);
        long overlayWidth =
                ((Number) js("return document.getElementById('overlay').width")).longValue();
        assertEquals(640, overlayWidth, "the overlay matches the camera frame");
        // for the screenshot, freeze the picture and wait for two answers about that very frame, so
        // the boxes shown
        // belong to the picture shown (live, the clip may change photo during a round trip)
        js("document.getElementById('video').pause(); document.body.dataset.webcamFrames = '0';");
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(
                        d ->
                                Integer.parseInt(
                                                (String)
                                                        js(
                                                                "return document.body.dataset.webcamFrames"))
                                        >= 2);
        screenshot("webcam-mode.png");
        driver.findElement(By.id("webcam-stop")).click();
    }

    /**
     * A YUV4MPEG2 clip (4:2:0, BT.601 full range as Chromium's fake camera reads C420jpeg): each
     * photo letterboxed to width x height and repeated for framesEach frames.
     */
    static void writeY4m(
            Path file, List<Path> photos, int width, int height, int fps, int framesEach)
            throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(
                    String.format("YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg%n", width, height, fps)
                            .getBytes(StandardCharsets.US_ASCII));
            for (Path p : photos) {
                byte[] frame = yuv420(letterbox(Images.read(p), width, height));
                for (int i = 0; i < framesEach; i++) {
                    out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(frame);
                }
            }
        }
    }

    private static BufferedImage letterbox(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double s = Math.min((double) w / src.getWidth(), (double) h / src.getHeight());
        int sw = (int) Math.round(src.getWidth() * s);
        int sh = (int) Math.round(src.getHeight() * s);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, (w - sw) / 2, (h - sh) / 2, sw, sh, null);
        g.dispose();
        return dst;
    }

    /** Planar Y, then U and V subsampled 2x2 (averaged), JPEG/BT.601 full-range coefficients. */
    private static byte[] yuv420(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h + 2 * (w / 2) * (h / 2)];
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < w * h; i++) {
            int r = (rgb[i] >> 16) & 255;
            int g = (rgb[i] >> 8) & 255;
            int b = rgb[i] & 255;
            out[i] = (byte) clamp(Math.round(0.299 * r + 0.587 * g + 0.114 * b));
        }
        int uAt = w * h;
        int vAt = uAt + (w / 2) * (h / 2);
        for (int y = 0; y < h / 2; y++) {
            for (int x = 0; x < w / 2; x++) {
                double u = 0;
                double v = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int c = rgb[(2 * y + dy) * w + 2 * x + dx];
                        int r = (c >> 16) & 255;
                        int g = (c >> 8) & 255;
                        int b = c & 255;
                        u += -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
                        v += 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
                    }
                }
                out[uAt + y * (w / 2) + x] = (byte) clamp(Math.round(u / 4));
                out[vAt + y * (w / 2) + x] = (byte) clamp(Math.round(v / 4));
            }
        }
        return out;
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}
